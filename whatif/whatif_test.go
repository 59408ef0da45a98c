package whatif

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

// observe reads a bundled fixture's traffic.
func observe(t *testing.T, fixture string) *Traffic {
	t.Helper()
	ds, err := snapshot.Load(filepath.Join("..", "fixtures", fixture))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Observe(ds, analyze.Run(ds, analyze.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// The replay of the observed setting gives back what was observed, within
// a bound per fixture, where the model has what the fixture's story needs
// (instances retiring when idle, min instances, billing). The fixtures it
// does not yet replay well (CPU-driven scaling in paper-mobilenet and
// gpu-inference, memory kills in fat-container) are left out here.
func TestBacktest(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		bound   float64 // on the relative error of every figure
	}{
		{"continuous-coldstarts", 0.15},
		{"orchestrator-waiting", 0.05},
		{"clock-skew-and-strays", 0.01},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			res, err := Run(observe(t, tc.fixture), nil, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Error) < 4 {
				t.Fatalf("errors %v: want instances, billable time, cost and p95 at least", res.Error)
			}
			for name, e := range res.Error {
				if math.Abs(e) > tc.bound {
					t.Errorf("%s: backtest error %+.1f %%, want within %.0f %% (observed %+v, replayed %+v)",
						name, 100*e, 100*tc.bound, res.Observed, res.Backtest)
				}
			}
			if res.Observed.ColdStarts == 0 && res.Backtest.ColdStarts != 0 {
				t.Errorf("%d cold starts replayed, none observed", res.Backtest.ColdStarts)
			}
		})
	}
}

// orchestrator-waiting pays instance-based billing for two min instances
// that wait on an orchestrator most of the time: request-based billing
// would cost a fraction of it, and as many instances.
func TestPredictBilling(t *testing.T) {
	tr := observe(t, "orchestrator-waiting")
	res, err := Run(tr, []analyze.WhatIfSetting{{Billing: model.BillingRequest}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	p := res.Predictions[0]
	if p.Billing != model.BillingRequest || p.MinInstances != 2 || p.Instances != res.Observed.Instances {
		t.Errorf("prediction %+v: want request-based billing, the observed 2 min instances and %d instances", p, res.Observed.Instances)
	}
	if p.CostUSD >= res.Observed.CostUSD/2 || p.CostUSD <= 0 {
		t.Errorf("request-based billing predicted at $%.4f against $%.4f observed: want under half", p.CostUSD, res.Observed.CostUSD)
	}
	if p.P95MS != res.Backtest.P95MS {
		t.Errorf("p95 %.1f ms under request-based billing, %.1f replayed as observed: billing changes no latency", p.P95MS, res.Backtest.P95MS)
	}
}

// Min instances started with the window are not cold starts, and each one
// more is billed: clock-skew-and-strays, one instance serving every request,
// at min-instances 1 and 2.
func TestPredictMinInstances(t *testing.T) {
	res, err := Run(observe(t, "clock-skew-and-strays"), []analyze.WhatIfSetting{{MinInstances: 1}, {MinInstances: 2}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	one, two := res.Predictions[0], res.Predictions[1]
	if res.Observed.ColdStarts != 1 || one.ColdStarts != 0 || two.ColdStarts != 0 {
		t.Errorf("cold starts: observed %d, min 1 %d, min 2 %d; want 1, 0, 0", res.Observed.ColdStarts, one.ColdStarts, two.ColdStarts)
	}
	if one.Instances != 1 || two.Instances != 2 || two.BillableSeconds <= one.BillableSeconds {
		t.Errorf("min 1: %d instances, %.1f s billed; min 2: %d, %.1f s; want 1 then 2, billed more", one.Instances, one.BillableSeconds, two.Instances, two.BillableSeconds)
	}
}

// The same traffic, setting and seed replay the same.
func TestReplayIsRepeatable(t *testing.T) {
	tr := observe(t, "continuous-coldstarts")
	a, err := tr.Predict(analyze.WhatIfSetting{MinInstances: 1}, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tr.Predict(analyze.WhatIfSetting{MinInstances: 1}, 7)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("two replays differ: %+v and %+v", a, b)
	}
}

// A prediction from a scenario's snapshot against the same scenario played
// for real under the setting predicted (collect/sim.WriteVariant): within
// the bound, per figure. continuous-coldstarts at min-instances 1 and 2 is
// not here yet: its predictions run 18 % and 25 % above the variants'
// instances, beyond its backtest's 12 %.
func TestPredictionAgainstVariant(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		setting  analyze.WhatIfSetting
		change   func(*sim.Platform)
		bound    float64
	}{
		{"orchestrator-waiting", analyze.WhatIfSetting{Billing: model.BillingRequest}, func(p *sim.Platform) { p.Service.RequestBilling = true }, 0.05},
	} {
		t.Run(fmt.Sprintf("%s %+v", tc.scenario, tc.setting), func(t *testing.T) {
			dir := t.TempDir()
			if err := sim.WriteVariant(dir, tc.scenario, sim.DefaultSeed, tc.change); err != nil {
				t.Fatal(err)
			}
			ds, err := snapshot.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			played := analyze.Run(ds, analyze.Options{})
			got, err := observe(t, tc.scenario).PredictMean(tc.setting, 1)
			if err != nil {
				t.Fatal(err)
			}
			want := outcome(played)
			t.Logf("predicted %+v\nplayed    %+v", got, want)
			for name, e := range relativeErrors(want, got) {
				if math.Abs(e) > tc.bound {
					t.Errorf("%s: prediction off by %+.1f %% from the scenario played so, want within %.0f %%", name, 100*e, 100*tc.bound)
				}
			}
		})
	}
}
