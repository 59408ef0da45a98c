package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/runlens/runlens/collect/sim"
)

func simulateCommand() command {
	return command{
		name:    "simulate",
		summary: "write a deterministic snapshot of a simulated Cloud Run service and load test",
		args:    "-scenario NAME [-seed N] -o DIR",
		examples: []string{
			"runlens simulate -scenario paper-mobilenet -o /tmp/paper",
		},
		flags: func(fs *flag.FlagSet) func(io.Writer, io.Writer, []string) error {
			scenario := fs.String("scenario", "", "scenario: "+strings.Join(sim.Scenarios(), ", "))
			seed := fs.Uint64("seed", 1, "random seed; the same seed gives byte-identical files")
			out := fs.String("o", "", "output `DIR`")
			return func(stdout, stderr io.Writer, args []string) error {
				switch {
				case len(args) > 0:
					return usagef("simulate: unexpected argument %q", args[0])
				case *scenario == "":
					return usagef("simulate: -scenario is required (%s)", strings.Join(sim.Scenarios(), ", "))
				case !slices.Contains(sim.Scenarios(), *scenario):
					return usagef("simulate: unknown scenario %q (%s)", *scenario, strings.Join(sim.Scenarios(), ", "))
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
