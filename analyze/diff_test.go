package analyze

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiffReports(t *testing.T) {
	a := thresholdReport()
	a.Server.Endpoints = []ServerEndpoint{{Method: "POST", Path: "/predict", Requests: 150, P95MS: 2000}, {Method: "GET", Path: "/", Requests: 50, P95MS: 90}}
	b := thresholdReport()
	b.Server.Total.P95MS = 1200 // better
	b.Server.Total.P99MS = 9050 // within 1 %: same
	b.Cost.TotalUSD = 0.5       // worse
	b.ColdStarts.Count = 4      // same
	b.Resources.CrashEvents = 2 // worse
	b.Instances.MaxActive = 5   // changed: no better direction
	b.Findings = nil            // unexplained 2 -> 0: better
	b.Server.Endpoints = []ServerEndpoint{{Method: "POST", Path: "/predict", Requests: 150, P95MS: 1300}, {Method: "GET", Path: "/health", P95MS: 3}}
	d := DiffReports(a, b)
	got := map[string]string{}
	for _, c := range d.Changes {
		got[c.Metric] = c.Verdict
	}
	for metric, want := range map[string]string{
		"server p95_ms": "better", "server p99_ms": "same", "cost_usd": "worse", "cold_starts": "same", "crashes": "worse",
		"max_active_instances": "changed", "unexplained_difference": "better", "POST /predict p95_ms": "better",
		"GET / p95_ms": "removed", "GET /health p95_ms": "added", "client p95_ms": "same",
	} {
		if got[metric] != want {
			t.Errorf("%s: %q, want %q", metric, got[metric], want)
		}
	}
	if _, ok := got["cpu_p95"]; ok {
		t.Error("cpu_p95 is compared though neither report has a CPU metric")
	}
	if d.Better != 3 || d.Worse != 2 {
		t.Errorf("better %d, worse %d; want 3 and 2", d.Better, d.Worse)
	}
	for _, c := range d.Changes {
		if c.Metric != "cost_usd" {
			continue
		}
		if d := cmp.Diff([]float64{0.25, 0.5, 0.25, 100}, []float64{*c.A, *c.B, *c.Delta, *c.DeltaPct}); d != "" {
			t.Errorf("cost_usd a, b, delta, pct: %s", d)
		}
	}
}
