// Command check compares what runlens read from a load generator's output
// with the tool's own request total and with the count server's count, for
// scripts/loadgen-check. It reads the JSON report of
// `runlens report -logs SERVER_LOG -client FILE -format json` and fails
// when runlens's client total differs from the tool's, when the server
// requests it reconciled differ from the server's count, or when a
// difference between client and server is left unexplained.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "check: %v\n", err)
		os.Exit(1)
	}
}

// report is the part of runlens's JSON report the check reads.
type report struct {
	Client *struct {
		Tool  string `json:"tool"`
		Total struct {
			Requests int64 `json:"requests"`
			Failures int64 `json:"failures"`
		} `json:"total"`
	} `json:"client"`
	Reconciliation []struct {
		Endpoint       string   `json:"endpoint"`
		ClientRequests int64    `json:"client_requests"`
		ServerRequests int64    `json:"server_requests"`
		Difference     int64    `json:"difference"`
		Explanations   []string `json:"explanations"`
	} `json:"reconciliation"`
}

func run(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	name := fs.String("name", "", "what was checked, for the output line")
	tool := fs.String("tool", "", "the tool runlens must report")
	own := fs.Int64("own", -1, "the tool's own request total")
	reportFile := fs.String("report", "", "runlens's JSON report `FILE`")
	countFile := fs.String("count", "", "the count server's count `FILE`; empty: no server to compare")
	totalsOnly := fs.Bool("totals-only", false, "the tool gave a summary, with no endpoints and maybe no errors: check the counts, not the explanations")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var rpt report
	if err := readJSON(*reportFile, &rpt); err != nil {
		return err
	}
	if rpt.Client == nil {
		return fmt.Errorf("%s: no client in the report", *name)
	}
	var errs []error
	if rpt.Client.Tool != *tool {
		errs = append(errs, fmt.Errorf("client tool %q, want %q", rpt.Client.Tool, *tool))
	}
	if rpt.Client.Total.Requests != *own {
		errs = append(errs, fmt.Errorf("runlens read %d requests, the tool's own total is %d", rpt.Client.Total.Requests, *own))
	}
	msg := fmt.Sprintf("%s: runlens read %d requests (%d failed), the tool says %d", *name, rpt.Client.Total.Requests, rpt.Client.Total.Failures, *own)
	if *countFile != "" {
		m, err := reconciled(rpt, *countFile, *totalsOnly)
		errs = append(errs, err)
		msg += m
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintf(w, "FAIL %s\n", msg)
		return fmt.Errorf("%s: %w", *name, err)
	}
	fmt.Fprintf(w, "ok   %s\n", msg)
	return nil
}

// reconciled checks the reconciliation against the server's count.
func reconciled(rpt report, countFile string, totalsOnly bool) (string, error) {
	var count struct{ Requests int64 }
	if err := readJSON(countFile, &count); err != nil {
		return "", err
	}
	var errs []error
	msg := ""
	for _, r := range rpt.Reconciliation {
		for _, e := range r.Explanations {
			if strings.Contains(e, "unexplained") && !totalsOnly {
				errs = append(errs, fmt.Errorf("%s: %s", r.Endpoint, e))
			}
		}
		if r.Endpoint != "total" {
			continue
		}
		msg = fmt.Sprintf("; the server counted %d, runlens reconciled %d, difference %d: %s",
			count.Requests, r.ServerRequests, r.Difference, strings.Join(r.Explanations, "; "))
		if r.ServerRequests != count.Requests {
			errs = append(errs, fmt.Errorf("runlens reconciled %d server requests, the server counted %d", r.ServerRequests, count.Requests))
		}
		if r.Difference != 0 && len(r.Explanations) == 0 && !totalsOnly {
			errs = append(errs, fmt.Errorf("a difference of %d with no explanation", r.Difference))
		}
	}
	if msg == "" {
		errs = append(errs, errors.New("no total row in the reconciliation"))
	}
	return msg, errors.Join(errs...)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}
