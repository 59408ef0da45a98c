package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/runlens/runlens/analyze"
)

// scenarioReport runs report on a fixture and decodes its JSON.
func scenarioReport(t *testing.T, name string) *analyze.Report {
	t.Helper()
	js := filepath.Join(t.TempDir(), name+".json")
	if _, stderr, err := runCLI(t, "report", "../../fixtures/"+name, "-json", js, "-format", "none"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rpt analyze.Report
	if err := json.Unmarshal(b, &rpt); err != nil {
		t.Fatal(err)
	}
	return &rpt
}

func hasFinding(rpt *analyze.Report, ids ...string) bool {
	return slices.ContainsFunc(rpt.Findings, func(f analyze.Finding) bool { return slices.Contains(ids, f.ID) })
}

func TestScenarioClockSkewAndStrays(t *testing.T) {
	rpt := scenarioReport(t, "clock-skew-and-strays")
	if a := rpt.Alignment; math.Abs(a.ClockOffsetMS-2500) > 200 || a.Method != "cross-correlation" {
		t.Errorf("alignment = %+v, want a cross-correlation estimate within 200 ms of 2500", a)
	}
	for _, r := range rpt.Reconciliation {
		if r.Difference != 0 && len(r.Explanations) == 0 {
			t.Errorf("%s: difference %d with no explanation", r.Endpoint, r.Difference)
		}
		for _, e := range r.Explanations {
			if strings.Contains(e, "unexplained") {
				t.Errorf("%s: %s", r.Endpoint, e)
			}
		}
		t.Logf("%s: client %d server %d metric %d diff %+d: %q", r.Endpoint, r.ClientRequests, r.ServerRequests, r.MetricRequests, r.Difference, r.Explanations)
	}
	total := rpt.Reconciliation[len(rpt.Reconciliation)-1]
	// The fixture's README: 6,058 client requests (13 refused), 6,090 server
	// requests: 40 from k6, 5 in flight at the stop.
	if total.ClientRequests != 6058 || total.ServerRequests != 6090 || total.Difference != 32 {
		t.Errorf("total = %+v, want client 6058, server 6090, difference +32", total)
	}
}

func TestScenarioContinuousColdStarts(t *testing.T) {
	rpt := scenarioReport(t, "continuous-coldstarts")
	if cs := rpt.ColdStarts; cs.Count < 5 || cs.Churn < 10 {
		t.Errorf("cold starts %d, churn %d: want at least 5 and 10", cs.Count, cs.Churn)
	}
	if !hasFinding(rpt, "cold_start_churn") {
		t.Errorf("no churn finding in %+v", rpt.Findings)
	}
	if p := rpt.ColdStarts.PenaltyP50MS; p < 8000 || p > 11000 {
		t.Errorf("penalty p50 = %v ms, want about 10 s (the README: waits 8.4 to 10.8 s)", p)
	}
}

func TestScenarioOrchestratorWaiting(t *testing.T) {
	rpt := scenarioReport(t, "orchestrator-waiting")
	if s := rpt.Cost.IdleShare; s <= 0.4 {
		t.Errorf("idle share = %v, want above 0.4 (the README: 0.8185)", s)
	}
	if math.Abs(rpt.Cost.IdleShare-0.8185) > 0.01 {
		t.Errorf("idle share = %v, want 0.8185 ± 0.01 (the README)", rpt.Cost.IdleShare)
	}
	// Its two instances are min instances, started before any request and
	// never waited on: no cold starts.
	if n := rpt.ColdStarts.Count; n != 0 {
		t.Errorf("cold starts = %d, want 0: min-instance starts nobody waited on", n)
	}
	if !hasFinding(rpt, "idle_time", "cpu_waiting") {
		t.Errorf("no finding about idle or waiting time in %+v", rpt.Findings)
	}
}

func TestScenarioFatContainer(t *testing.T) {
	rpt := scenarioReport(t, "fat-container")
	if n := rpt.Resources.MemoryLimitExceededEvents; n != 8 {
		t.Errorf("memory-limit events = %d, want 8 (the README)", n)
	}
	if !hasFinding(rpt, "memory_limit_exceeded") || !hasFinding(rpt, "memory_high") {
		t.Errorf("findings %+v lack memory_limit_exceeded and memory_high", rpt.Findings)
	}
}
