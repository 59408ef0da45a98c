package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/model"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/internal/atomicfile"
)

func summarizeCommand() command {
	return command{
		name:    "summarize",
		summary: "summarize request logs into a runlens.summary/v1 file that report reads and merges (-summary)",
		args:    "[SNAPSHOT] [-logs FILE ...] -o summary.json|-",
		examples: []string{
			"runlens summarize -logs requests.json -o summary.json",
			"runlens report -summary summary.json -locust results/run -o report.html",
		},
		flags: func(fs *flag.FlagSet) func(io.Writer, io.Writer, []string) error {
			var logs listFlag
			fs.Var(&logs, "logs", "Cloud Logging export (gcloud JSON or log-sink NDJSON, gzip allowed); repeatable")
			out := fs.String("o", "", outputNote("the summary"))
			return func(stdout, stderr io.Writer, args []string) error {
				return runSummarize(stdout, stderr, args, logs, *out)
			}
		},
	}
}

// runSummarize reads the request logs of a snapshot or of -logs files into
// a summary and writes it.
func runSummarize(stdout, stderr io.Writer, args, logs []string, out string) error {
	switch {
	case out == "":
		return usagef("summarize: -o is required (a file, or - for stdout)")
	case len(args) > 1:
		return usagef("summarize: one snapshot at a time, got %d: %s", len(args), strings.Join(args, " "))
	case len(args) == 1 && len(logs) > 0:
		return usagef("summarize: give a snapshot or -logs files, not both")
	case len(args) == 0 && len(logs) == 0:
		return usagef("summarize: no logs: give a snapshot directory or -logs files (see runlens help summarize)")
	}
	boundMemory()
	sum := summary.New()
	ds := &model.Dataset{Sink: sum}
	if len(args) == 1 {
		var err error
		if ds, err = snapshot.LoadWith(args[0], sum); err != nil {
			return err
		}
	} else {
		for _, path := range logs {
			if err := readLogFile(path, ds); err != nil {
				return err
			}
		}
		collect.NoteRepeats(ds)
	}
	for _, w := range ds.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if sum.Requests() == 0 {
		return fmt.Errorf("summarize: no Cloud Run request entries in %s", strings.Join(append(args, logs...), ", "))
	}
	outs := atomicfile.Set{Stdout: stdout}
	outs.Add(out, sum.WriteJSON)
	return outs.Write()
}

// readLogFile reads one Cloud Logging export into ds.
func readLogFile(path string, ds *model.Dataset) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = collect.ReadLogs(path, f, ds)
	return err
}
