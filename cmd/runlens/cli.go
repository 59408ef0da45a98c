package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes: 0 fine, 1 error, 2 usage, 3 a threshold was crossed.
const (
	exitError     = 1
	exitUsage     = 2
	exitThreshold = 3
)

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return exitUsage
	}
	var th thresholdError
	if errors.As(err, &th) {
		return exitThreshold
	}
	return exitError
}

// command is one subcommand.
type command struct {
	name     string
	summary  string
	args     string // the synopsis after the command name
	examples []string
	flags    func(fs *flag.FlagSet) func(stdout, stderr io.Writer, args []string) error
}

func commands() []command {
	return []command{collectCommand(), summarizeCommand(), reportCommand(), simulateCommand(), fakeGCPCommand(), auditCommand(), diffCommand(), whatifCommand()}
}

func run(stdout, stderr io.Writer, args []string) error {
	if len(args) == 0 {
		usage(stderr)
		return usagef("no command given")
	}
	name, rest := args[0], args[1:]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		return help(stdout, rest)
	}
	for _, c := range commands() {
		if c.name == name {
			fs := flag.NewFlagSet("runlens "+name, flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			exec := c.flags(fs)
			pos, err := parseInterleaved(fs, rest)
			if errors.Is(err, flag.ErrHelp) {
				return commandHelp(stdout, c)
			}
			if err != nil {
				return usagef("%s: %v (see runlens help %s)", name, err, name)
			}
			return exec(stdout, stderr, pos)
		}
	}
	usage(stderr)
	return usagef("unknown command %q", name)
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("runlens report DIR -o r.html"), returning the positionals.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "runlens: what a Cloud Run service did during a load test, and what it cost.\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"runlens help COMMAND\" for a command's arguments, options and examples.")
}

func help(w io.Writer, args []string) error {
	if len(args) == 0 {
		usage(w)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return commandHelp(w, c)
		}
	}
	return usagef("help: unknown command %q", args[0])
}

func commandHelp(w io.Writer, c command) error {
	fs := flag.NewFlagSet("runlens "+c.name, flag.ContinueOnError)
	c.flags(fs)
	fmt.Fprintf(w, "runlens %s: %s\n\nArguments:\n  runlens %s %s\n\nOptions:\n", c.name, c.summary, c.name, c.args)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nExamples:\n")
	for _, e := range c.examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
	return nil
}

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, " ") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}
