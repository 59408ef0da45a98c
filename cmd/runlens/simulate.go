package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/collect/sim/large"
	"github.com/runlens/runlens/internal/atomicfile"
)

func simulateCommand() command {
	return command{
		name:    "simulate",
		summary: "write a deterministic snapshot of a simulated Cloud Run service and load test",
		args:    "-scenario NAME [-seed N] -o DIR | -scenario large -requests N [-seed N] -o FILE|-",
		examples: []string{
			"runlens simulate -scenario paper-mobilenet -o /tmp/paper",
		},
		flags: func(fs *flag.FlagSet) func(io.Writer, io.Writer, []string) error {
			scenario := fs.String("scenario", "", "scenario: "+strings.Join(sim.Scenarios(), ", ")+", "+sim.AuditProject+" (a project of seven services, one snapshot each), large (request-log NDJSON of any size)")
			seed := fs.Uint64("seed", 1, "random seed; the same seed gives byte-identical files")
			out := fs.String("o", "", "output `DIR`; with -scenario large, a FILE or - for stdout")
			requests := fs.Int("requests", 0, "with -scenario large: how many request entries to write")
			return func(stdout, stderr io.Writer, args []string) error {
				if *scenario == "large" && len(args) == 0 {
					return simulateLarge(stdout, stderr, *out, *requests, *seed)
				}
				if *scenario == sim.AuditProject && len(args) == 0 && *out != "" {
					return simulateAuditProject(stderr, *out, *seed)
				}
				switch {
				case len(args) > 0:
					return usagef("simulate: unexpected argument %q", args[0])
				case *scenario == "":
					return usagef("simulate: -scenario is required (%s, large)", strings.Join(sim.Scenarios(), ", "))
				case !slices.Contains(sim.Scenarios(), *scenario):
					return usagef("simulate: unknown scenario %q (%s, large)", *scenario, strings.Join(sim.Scenarios(), ", "))
				case *out == "":
					return usagef("simulate: -o DIR is required")
				}
				if err := sim.Write(*out, *scenario, *seed); err != nil {
					return err
				}
				fmt.Fprintf(stderr, "wrote %s (scenario %s, seed %d)\n", *out, *scenario, *seed)
				return nil
			}
		},
	}
}

// simulateLarge writes the large scenario's request log to a file or, for
// "-", to stdout.
func simulateLarge(stdout, stderr io.Writer, out string, requests int, seed uint64) error {
	switch {
	case out == "":
		return usagef("simulate: -o FILE (or - for stdout) is required")
	case requests <= 0:
		return usagef("simulate: -scenario large needs -requests N, N > 0")
	}
	opts := large.Options{Requests: requests, Seed: seed}
	// Gigabytes of log: written as made, to a temporary file renamed over
	// a regular one, or straight through to stdout, a device or a FIFO.
	err := atomicfile.Stream(out, stdout, func(w io.Writer) error { return large.Write(w, opts) })
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if out == "-" {
		return nil
	}
	fmt.Fprintf(stderr, "wrote %s (scenario large, %d requests, seed %d)\n", out, requests, seed)
	return nil
}

// simulateAuditProject writes the audit project: one snapshot directory
// per service below out.
func simulateAuditProject(stderr io.Writer, out string, seed uint64) error {
	if err := sim.WriteAuditProject(out, seed); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (scenario %s: %s; seed %d)\n", out, sim.AuditProject, strings.Join(sim.AuditServices(), ", "), seed)
	return nil
}
