package main

import (
	"flag"
	"strings"

	"github.com/runlens/runlens/collect/loadtest"
)

// toolFlags are the load-test tools' flags (-locust, -k6, ...), one per
// loadtest.Tools entry.
type toolFlags map[string]*listFlag

// registerTools adds a flag per load-test tool, its help followed by what.
func registerTools(fs *flag.FlagSet, what string) toolFlags {
	tf := toolFlags{}
	for _, t := range loadtest.Tools {
		l := new(listFlag)
		tf[t.Name] = l
		// Backquotes name the flag's argument in -help.
		fs.Var(l, t.Name, strings.Replace(t.Help, t.Arg, "`"+t.Arg+"`", 1)+what)
	}
	return tf
}

// byTool is the flags' arguments by tool.
func (tf toolFlags) byTool() map[string][]string {
	out := map[string][]string{}
	for name, l := range tf {
		if len(*l) > 0 {
			out[name] = *l
		}
	}
	return out
}

// count is how many arguments the flags were given.
func (tf toolFlags) count() int {
	n := 0
	for _, l := range tf {
		n += len(*l)
	}
	return n
}

// toolArgs is the tools' flags for a usage line: "[-locust PREFIX] [-k6 FILE] ...".
func toolArgs() string {
	var parts []string
	for _, t := range loadtest.Tools {
		parts = append(parts, "[-"+t.Name+" "+t.Arg+"]")
	}
	return strings.Join(parts, " ")
}
