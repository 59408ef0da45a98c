package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/pipeline"
	"github.com/runlens/runlens/render"
)

func diffCommand() command {
	return command{
		name:    "diff",
		summary: "compare two reports (or snapshots, or audits): what got better or worse",
		args:    "A B [-format table|markdown|json]   (A and B: report JSON, snapshot directories, or audit JSON)",
		examples: []string{
			"runlens diff fixtures/paper-mobilenet /tmp/paper",
			"runlens diff report.json /tmp/paper -format markdown",
		},
		flags: func(fs *flag.FlagSet) func(io.Writer, io.Writer, []string) error {
			format := fs.String("format", "table", "how to print: table, markdown or json")
			return func(stdout, stderr io.Writer, args []string) error {
				if len(args) != 2 {
					return usagef("diff: give two reports to compare, got %d argument(s)", len(args))
				}
				switch *format {
				case "table", "markdown", "json":
				default:
					return usagef("-format: %q is not table, markdown or json", *format)
				}
				d, err := diffInputs(args[0], args[1])
				if err != nil {
					return err
				}
				ropts := render.Options{Width: terminalColumns()}
				switch *format {
				case "markdown":
					return render.DiffMarkdown(stdout, d, ropts)
				case "json":
					return render.DiffJSON(stdout, d)
				}
				return render.DiffText(stdout, d, ropts)
			}
		},
	}
}

// diffInput is one side: a report or an audit.
type diffInput struct {
	report *analyze.Report
	audit  *audit.Audit
}

// diffInputs reads both sides and compares them; both must be reports
// (JSON or snapshots) or both audits.
func diffInputs(pa, pb string) (analyze.Diff, error) {
	a, err := readDiffInput(pa)
	if err != nil {
		return analyze.Diff{}, err
	}
	b, err := readDiffInput(pb)
	if err != nil {
		return analyze.Diff{}, err
	}
	var d analyze.Diff
	switch {
	case a.report != nil && b.report != nil:
		d = analyze.DiffReports(a.report, b.report)
	case a.audit != nil && b.audit != nil:
		d = audit.DiffAudits(a.audit, b.audit)
	default:
		return d, usagef("diff: %s and %s are not of one kind: compare two reports or two audits", pa, pb)
	}
	d.A.Label, d.B.Label = filepath.Base(pa), filepath.Base(pb)
	return d, nil
}

// readDiffInput reads a report JSON, an audit JSON, or a snapshot directory
// (analyzed here).
func readDiffInput(path string) (diffInput, error) {
	st, err := os.Stat(path)
	if err != nil {
		return diffInput{}, fmt.Errorf("diff: %w", err)
	}
	if st.IsDir() {
		ds, err := snapshot.Load(path)
		if err != nil {
			return diffInput{}, err
		}
		return diffInput{report: analyze.Run(ds, analyze.Options{Generated: generated()})}, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return diffInput{}, fmt.Errorf("diff: %w", err)
	}
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return diffInput{}, fmt.Errorf("diff: reading %s: want a runlens report or audit JSON: %w", path, err)
	}
	switch head.Schema {
	case analyze.Schema:
		var r analyze.Report
		if err := json.Unmarshal(b, &r); err != nil {
			return diffInput{}, fmt.Errorf("diff: reading report %s: %w", path, err)
		}
		return diffInput{report: &r}, nil
	case audit.Schema:
		a, err := pipeline.ReadAudit(path)
		return diffInput{audit: a}, err
	}
	return diffInput{}, fmt.Errorf("diff: reading %s: schema %q is neither %s nor %s", path, head.Schema, analyze.Schema, audit.Schema)
}
