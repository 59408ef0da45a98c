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
	"github.com/runlens/runlens/model"
)

// scenarioReport runs report on a fixture and decodes its JSON.
func scenarioReport(t *testing.T, name string) *analyze.Report {
	t.Helper()
	return reportWith(t, "../../fixtures/"+name)
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

// relNear reports whether got is want within a relative 1e-9 (float sums of
// per-minute points).
func relNear(got, want float64) bool { return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want)) }

// costFigure is one hand-computed figure of a fixture's README.
type costFigure struct {
	name      string
	got, want float64
}

func checkFigures(t *testing.T, figs []costFigure) {
	t.Helper()
	for _, f := range figs {
		if !relNear(f.got, f.want) {
			t.Errorf("%s = %.12g, want %.12g (the README)", f.name, f.got, f.want)
		}
	}
}

// TestScenarioGPUInference checks the report of fixtures/gpu-inference
// against the figures its README computes by hand: two instances of 4 vCPU,
// 16 GiB and one L4, instance-based, billed 1,993.568173 s; GPU time
// reported, GPU cost left out (no dated rate) until a -prices file gives
// usd_per_gpu_second.
func TestScenarioGPUInference(t *testing.T) {
	rpt := scenarioReport(t, "gpu-inference")
	s := rpt.Service
	if s.Accelerator != "nvidia-l4" || s.GPUs != 1 || s.CPU != 4 || s.MemoryMiB != 16384 || s.Billing != model.BillingInstance || s.Containers != 1 {
		t.Errorf("service = %+v, want nvidia-l4 x1, 4 vCPU, 16384 MiB, instance-based, 1 container", s)
	}
	const billable = 1054.732762 + 938.835411 // the two lives
	c := rpt.Cost
	checkFigures(t, []costFigure{
		{"billable instance seconds", c.BillableInstanceSeconds, billable},
		{"vCPU-seconds", c.VCPUSeconds, 7974.272692},
		{"GiB-seconds", c.MemoryGiBSeconds, 31897.090768},
		{"GPU-seconds", c.GPUSeconds, 1993.568173},
		{"CPU USD", c.CPUUSD, 0.143536908456},
		{"memory USD", c.MemoryUSD, 0.063794181536},
		{"total USD", c.TotalUSD, 0.207331089992},
		{"min instance a month", c.MinInstance1USDPerMonth, 269.568},
	})
	if c.BillableSource != "metric" || c.ResourceSource != "limits" || c.RequestsUSD != 0 || c.Requests != 4767 {
		t.Errorf("billable from %q, resources from %q, request fee $%v for %d requests; want metric, limits, none, 4767", c.BillableSource, c.ResourceSource, c.RequestsUSD, c.Requests)
	}
	if c.GPUCostIncluded || c.GPUUSD != 0 {
		t.Errorf("GPU cost included %v ($%v), want left out: no dated GPU rate", c.GPUCostIncluded, c.GPUUSD)
	}
	if !slices.ContainsFunc(rpt.Missing, func(m string) bool { return strings.Contains(m, "GPU cost is not included") }) {
		t.Errorf("missing %q: want the GPU price named", rpt.Missing)
	}
	if math.Abs(c.IdleShare-0.7562) > 0.00005 {
		t.Errorf("idle share = %v, want 0.7562", c.IdleShare)
	}
	if r := rpt.Resources; !r.HasGPU || !r.HasGPUMemory || r.GPUP95 <= 0 || r.GPUP95 >= 0.1 || r.GPUMemoryP50 < 0.07 || r.GPUMemoryP50 > 0.09 {
		t.Errorf("resources = %+v, want GPU p95 about 0.07 and GPU memory about 0.08", r)
	}
	if cs := rpt.ColdStarts; cs.Count != 2 {
		t.Errorf("cold starts = %d, want 2", cs.Count)
	}
	for _, id := range []string{"gpu_idle", "idle_time", "cold_starts"} {
		if !hasFinding(rpt, id) {
			t.Errorf("no %s finding in %+v", id, rpt.Findings)
		}
	}

	// With a GPU rate given (an illustrative $0.0001 per GPU-second, not
	// Google's), GPU time is priced and counted in the total.
	p := c.PriceTable
	p.USDPerGPUSecond = 0.0001
	b, err := json.Marshal(p)
	must(t, err)
	prices := filepath.Join(t.TempDir(), "prices.json")
	must(t, os.WriteFile(prices, b, 0o644))
	priced := reportWith(t, "../../fixtures/gpu-inference", "-prices", prices).Cost
	checkFigures(t, []costFigure{
		{"GPU USD at $0.0001", priced.GPUUSD, 0.1993568173},
		{"total USD with GPU", priced.TotalUSD, 0.406687907292},
	})
	if !priced.GPUCostIncluded {
		t.Error("GPU cost not included with usd_per_gpu_second given")
	}
}

// reportWith runs report on a snapshot with extra flags and decodes its JSON.
func reportWith(t *testing.T, snapshot string, flags ...string) *analyze.Report {
	t.Helper()
	js := filepath.Join(t.TempDir(), "report.json")
	args := append([]string{"report", snapshot, "-json", js, "-format", "none"}, flags...)
	if _, stderr, err := runCLI(t, args...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var rpt analyze.Report
	readJSON(t, js, &rpt)
	return &rpt
}
