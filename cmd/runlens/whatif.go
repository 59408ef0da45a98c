package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/internal/atomicfile"
	"github.com/runlens/runlens/model"
	"github.com/runlens/runlens/render"
	"github.com/runlens/runlens/whatif"
)

func whatifCommand() command {
	return command{
		name:    "whatif",
		summary: "replay a snapshot's traffic under other settings: instances, cold starts, cost and latency, beside the replay's own error",
		args:    "SNAPSHOT|-logs FILE ... [-metrics FILE ...] [-service FILE] [-min-instances 0,1,2] [-max-instances N,...] [-concurrency N,...] [-billing request,instance] [-memory 512Mi,2Gi] [-cpu-boost on,off] [-max-p95 800ms] [-max-cost USD] [-seed N] [-o FILE|-] [-json FILE|-] [-format table|markdown|json|none]",
		examples: []string{
			"runlens whatif fixtures/orchestrator-waiting -billing request,instance",
			"runlens whatif fixtures/continuous-coldstarts -min-instances 0,1,2 -format markdown",
			"runlens whatif fixtures/continuous-coldstarts -cpu-boost on,off",
		},
		flags: func(fs *flag.FlagSet) func(io.Writer, io.Writer, []string) error {
			minI := fs.String("min-instances", "", "comma-separated min instances to predict (default: as observed)")
			maxI := fs.String("max-instances", "", "comma-separated max instances to predict (default: as observed)")
			conc := fs.String("concurrency", "", "comma-separated concurrency limits to predict (default: as observed)")
			billing := fs.String("billing", "", "comma-separated billing modes to predict, request or instance (default: as observed)")
			memory := fs.String("memory", "", "comma-separated memory limits to predict, as Cloud Run spells them (512Mi, 2Gi) or in MiB (default: as observed)")
			boost := fs.String("cpu-boost", "", "comma-separated startup CPU boost settings to predict, on or off (default: as observed)")
			seed := fs.Uint64("seed", 1, "seed of the replays' draws (startups, idle retention)")
			maxP95 := fs.Duration("max-p95", 0, "the best settings keep p95 at or under this, e.g. 800ms")
			maxCost := fs.Float64("max-cost", 0, "the best settings cost at most this many USD over the window")
			var in snapshot.Inputs
			var logs, metrics listFlag
			fs.Var(&logs, "logs", "Cloud Logging export (gcloud JSON or log-sink NDJSON, gzip allowed), instead of a snapshot; repeatable")
			fs.Var(&metrics, "metrics", "Cloud Monitoring ListTimeSeries JSON, with -logs; repeatable")
			fs.StringVar(&in.Service, "service", "", "Cloud Run service resource JSON, with -logs")
			page := fs.String("o", "", outputNote("the HTML page: the advice, cost against p95 and cold starts per setting, the settings table"))
			js := fs.String("json", "", outputNote("the JSON analysis"))
			format := fs.String("format", "", formatUsage)
			return func(stdout, stderr io.Writer, args []string) error {
				in.Logs, in.Metrics = logs, metrics
				switch {
				case len(args) > 1 || len(args) == 1 && !in.Empty():
					return usagef("whatif: give one snapshot or loose files (-logs, -metrics, -service), not both")
				case len(args) == 0 && len(in.Logs) == 0:
					return usagef("whatif: give a snapshot, or -logs: a replay plays every request of the request log")
				}
				if *maxP95 < 0 || *maxCost < 0 || math.IsNaN(*maxCost) || math.IsInf(*maxCost, 0) {
					return usagef("whatif: -max-p95 and -max-cost are limits of 0 (none) or more")
				}
				within := analyze.WhatIfConstraint{MaxP95MS: float64(*maxP95) / float64(time.Millisecond), MaxCostUSD: *maxCost}
				settings, err := whatifSettings(*minI, *maxI, *conc, *billing, *memory, *boost)
				if err != nil {
					return err
				}
				if *format, err = stdoutFormat(*format, map[string]string{"o": *page, "json": *js}); err != nil {
					return err
				}
				var ds *model.Dataset // every request kept: the replay plays each
				if len(args) == 1 {
					ds, err = snapshot.Load(args[0])
				} else {
					ds, err = snapshot.Read(in)
				}
				if err != nil {
					return err
				}
				tr, err := whatif.Observe(ds, analyze.Run(ds, analyze.Options{Generated: generated()}))
				if err != nil {
					return err
				}
				res, err := whatif.RunWithin(tr, settings, within, *seed, func(done, total int) {
					fmt.Fprintf(stderr, "whatif: %d of %d replays done\n", done, total)
				})
				if err != nil {
					return err
				}
				ropts := render.Options{Width: terminalColumns()}
				out := atomicfile.Set{Stdout: stdout}
				if *page != "" {
					out.Add(*page, func(w io.Writer) error { return render.WhatIfHTML(w, res, render.Options{}) })
				}
				if *js != "" {
					out.Add(*js, func(w io.Writer) error { return render.WhatIfJSON(w, res) })
				}
				switch *format {
				case "markdown":
					out.Add("-", func(w io.Writer) error { return render.WhatIfMarkdown(w, res, ropts) })
				case "json":
					out.Add("-", func(w io.Writer) error { return render.WhatIfJSON(w, res) })
				case "table":
					out.Add("-", func(w io.Writer) error { return render.WhatIfText(w, res, ropts) })
				}
				return out.Write()
			}
		},
	}
}

// whatifSettings is every combination of the values given; a flag not
// given keeps the observed setting.
func whatifSettings(minI, maxI, conc, billing, memory, boost string) ([]analyze.WhatIfSetting, error) {
	ints := func(flag, s string, lo, hi, observed int) ([]int, error) {
		if s == "" {
			return []int{observed}, nil
		}
		var out []int
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < lo || n > hi {
				return nil, usagef("-%s: %q is not a number from %d to %d", flag, f, lo, hi)
			}
			out = append(out, n)
		}
		return out, nil
	}
	mins, err := ints("min-instances", minI, 0, 1000, analyze.MinInstancesAsObserved)
	if err != nil {
		return nil, err
	}
	maxs, err := ints("max-instances", maxI, 1, 1000, 0)
	if err != nil {
		return nil, err
	}
	concs, err := ints("concurrency", conc, 1, 1000, 0)
	if err != nil {
		return nil, err
	}
	mems := []int{0}
	if memory != "" {
		mems = nil
		for _, f := range strings.Split(memory, ",") {
			f = strings.TrimSpace(f)
			mib, err := strconv.Atoi(f)
			if err != nil {
				var perr error
				var m int64
				m, perr = collect.ParseMemoryMiB(f)
				mib, err = int(m), perr
			}
			if err != nil || mib < 128 || mib > 32768 {
				return nil, usagef("-memory: %q is not a memory limit from 128Mi to 32Gi (512Mi, 2Gi, or MiB)", f)
			}
			mems = append(mems, mib)
		}
	}
	bills, err := oneOfEach("-billing", billing, model.BillingRequest, model.BillingInstance)
	if err != nil {
		return nil, err
	}
	boosts, err := oneOfEach("-cpu-boost", boost, analyze.BoostOn, analyze.BoostOff)
	if err != nil {
		return nil, err
	}
	var out []analyze.WhatIfSetting
	for _, mi := range mins {
		for _, ma := range maxs {
			for _, c := range concs {
				for _, b := range bills {
					for _, m := range mems {
						for _, cb := range boosts {
							if mi > 0 && ma > 0 && mi > ma {
								return nil, usagef("-min-instances %d is above -max-instances %d", mi, ma)
							}
							out = append(out, analyze.WhatIfSetting{MinInstances: mi, MaxInstances: ma, Concurrency: c, Billing: b, MemoryMiB: int64(m), CPUBoost: cb})
						}
					}
				}
			}
		}
	}
	if len(out) > 64 {
		return nil, usagef("%d settings: at most 64 at a time", len(out))
	}
	return out, nil
}

// oneOfEach reads a comma-separated flag whose values are among allowed;
// an empty flag is one empty value (the setting as observed).
func oneOfEach(name, list string, allowed ...string) ([]string, error) {
	if list == "" {
		return []string{""}, nil
	}
	var out []string
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if !slices.Contains(allowed, v) {
			return nil, usagef("%s: %q is not %s", name, v, strings.Join(allowed, " or "))
		}
		out = append(out, v)
	}
	return out, nil
}
