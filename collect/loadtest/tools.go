package loadtest

import (
	"fmt"
	"slices"
	"strings"
)

// Tool is a load generator whose results runlens reads. Tools is the one
// registry that the command line's flags (-locust, -k6, ...), the loose
// files of a report and the client/ files of a snapshot derive from; a
// tool's formats are those whose Format.Tool is its Name (sniff.go), and
// ReadWith reads them.
type Tool struct {
	// Name is the tool's flag and its Options.Tool.
	Name string
	// Arg is what the flag takes: "PREFIX" for Locust's --csv prefix,
	// else "FILE".
	Arg string
	// Help says what the flag takes, for usage messages.
	Help string
}

// Tools are the load generators runlens reads, in the order their files
// are read.
var Tools = []Tool{
	{Name: "locust", Arg: "PREFIX", Help: "Locust --csv PREFIX (reads PREFIX_stats.csv, _stats_history.csv, ...)"},
	{Name: "k6", Arg: "FILE", Help: "k6 FILE: --out json lines, --summary-export or handleSummary JSON"},
	{Name: "jmeter", Arg: "FILE", Help: "JMeter JTL FILE, CSV or XML"},
	{Name: "vegeta", Arg: "FILE", Help: "vegeta FILE: results (gob, JSON lines, CSV) or a JSON report"},
}

// Files lists the result files an argument of the tool's flag names: a
// Locust prefix's files, or the file itself.
func (t Tool) Files(arg string) ([]string, error) {
	if t.Arg == "PREFIX" {
		return LocustFiles(arg)
	}
	return []string{arg}, nil
}

// Expand lists the result files that the arguments of the tools' flags
// name (byTool, keyed by Tool.Name), in the order of Tools, and the one
// tool they are of ("" when none). Arguments of more than one tool, or of
// a tool not in Tools, are an error.
func Expand(byTool map[string][]string) (files []string, tool string, err error) {
	var given []string
	for _, t := range Tools {
		args := byTool[t.Name]
		if len(args) == 0 {
			continue
		}
		given = append(given, "-"+t.Name)
		tool = t.Name
		for _, a := range args {
			fs, err := t.Files(a)
			if err != nil {
				return nil, "", err
			}
			files = append(files, fs...)
		}
	}
	for name, args := range byTool {
		if len(args) > 0 && !slices.ContainsFunc(Tools, func(t Tool) bool { return t.Name == name }) {
			return nil, "", fmt.Errorf("load-test results of %q: not a tool runlens reads (%s)", name, ToolNames())
		}
	}
	if len(given) > 1 {
		return nil, "", fmt.Errorf("load-test results of more than one tool (%s): give one tool's results at a time", strings.Join(given, ", "))
	}
	return files, tool, nil
}

// ToolNames lists the tools' flags, "-locust, -k6, ...".
func ToolNames() string {
	var names []string
	for _, t := range Tools {
		names = append(names, "-"+t.Name)
	}
	return strings.Join(names, ", ")
}
