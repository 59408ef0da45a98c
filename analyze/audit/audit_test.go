package audit

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/model"
)

func TestCallsNeeded(t *testing.T) {
	for _, tt := range []struct {
		est  int64
		page int
		want int
	}{
		{0, 1000, 0}, {-1, 1000, 2}, {1, 1000, 2}, {1000, 1000, 2}, {1001, 1000, 3}, {2792, 1000, 4}, {425, 100, 6},
	} {
		if got := CallsNeeded(tt.est, tt.page); got != tt.want {
			t.Errorf("CallsNeeded(%d, %d) = %d, want %d", tt.est, tt.page, got, tt.want)
		}
	}
}

func TestPlanLogs(t *testing.T) {
	tests := []struct {
		name   string
		needs  []int
		budget int
		want   []int
	}{
		{"all fit", []int{2, 4, 0}, 10, []int{2, 4, 0}},
		{"no limit", []int{2, 400}, -1, []int{2, 400}},
		{"smallest first, the big one sampled", []int{500, 2, 2, 3}, 100, []int{93, 2, 2, 3}},
		{"the rest share evenly", []int{50, 2, 40, 30}, 30, []int{9, 2, 9, 10}},
		{"fifty services, forty calls: twenty whole, thirty skipped", repeat(2, 50), 40, append(repeat(2, 20), repeat(0, 30)...)},
		{"one call left is granted to the first left", []int{2, 2, 2}, 5, []int{2, 2, 1}},
		{"nothing", []int{3, 3}, 0, []int{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlanLogs(tt.needs, tt.budget)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Error(d)
			}
			sum := 0
			for _, g := range got {
				sum += g
			}
			if tt.budget >= 0 && sum > tt.budget {
				t.Errorf("granted %d calls, over the budget of %d", sum, tt.budget)
			}
		})
	}
}

func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

var night = analyze.Window{Start: time.Date(2024, 6, 10, 2, 0, 0, 0, time.UTC), End: time.Date(2024, 6, 10, 2, 20, 0, 0, time.UTC)}

// pastNight is an earlier audit of the same project with the given costs.
func pastNight(daysBefore int, length time.Duration, costs map[string]float64) Prior {
	end := night.End.AddDate(0, 0, -daysBefore)
	a := &Audit{Schema: Schema, Project: "demo", Window: analyze.Window{Start: end.Add(-length), End: end}}
	for name, c := range costs {
		a.Services = append(a.Services, Service{Name: name, Region: "europe-west1", CostUSD: c})
		a.TotalCostUSD += c
	}
	return Prior{File: end.Format("2006-01-02") + ".json", Audit: a}
}

func row(name string, cost float64, requests int64) Service {
	rpt := &analyze.Report{Service: analyze.Service{Name: name, Region: "europe-west1"}, Window: night,
		Server: analyze.Server{Total: analyze.ServerEndpoint{Requests: requests, Status2xx: requests, P95MS: 900}},
		Cost:   analyze.Cost{Requests: requests, TotalUSD: cost, BillableInstanceSeconds: 100, IdleShare: 0.25}}
	return NewService(rpt, &model.Dataset{}, LogCoverage{Status: LogsFull})
}

func TestBuildFlagsTheServiceWhoseCostDoubled(t *testing.T) {
	var history []Prior
	for d := 1; d <= 9; d++ {
		// Nights 8 and 9 are older than the last seven and must not count;
		// night 3 was half as long, so its cost counts double.
		length, rec := 20*time.Minute, 0.020
		if d == 3 {
			length, rec = 10*time.Minute, 0.010
		}
		if d > 7 {
			rec = 1.0
		}
		history = append(history, pastNight(d, length, map[string]float64{"recommender": rec, "mobilenet": 0.0070 + float64(d)*0.0001}))
	}
	history = append(history, pastNight(0, 20*time.Minute, map[string]float64{"recommender": 5}))        // today: not earlier
	history = append(history, Prior{File: "other.json", Audit: &Audit{Project: "other", Window: night}}) // another project
	ts := []analyze.Threshold{{Key: "cost_increase_pct", Op: ">", Limit: 50, Severity: "warn"}, {Key: "idle_share", Op: ">", Limit: 0.9, Severity: "crit"}}
	a := Build(Input{Project: "demo", Window: night, Services: []Service{row("mobilenet", 0.0071, 425), row("recommender", 0.0399, 182), row("distilbert-qa", 0.159, 2792)},
		History: history, Thresholds: ts})
	var names []string
	for _, s := range a.Services {
		names = append(names, s.Name)
	}
	if d := cmp.Diff([]string{"distilbert-qa", "recommender", "mobilenet"}, names); d != "" {
		t.Errorf("order by cost (-want +got):\n%s", d)
	}
	rec := a.Services[1]
	if rec.Trend == nil || rec.Trend.Runs != 7 || rec.Trend.BaselineCostUSD != 0.020 || math.Abs(*rec.Trend.CostChangePct-99.5) > 1e-9 {
		t.Fatalf("recommender trend %+v, want 7 runs, baseline 0.020, +99.5 %%", rec.Trend)
	}
	if len(rec.Trend.Points) != 8 || rec.Trend.Points[0].Date != "2024-06-03" || rec.Trend.Points[7].CostUSD != 0.0399 {
		t.Errorf("recommender points %+v", rec.Trend.Points)
	}
	if a.Crossed != 1 {
		t.Errorf("%d thresholds crossed, want 1: %+v", a.Crossed, a.Thresholds)
	}
	crossed := a.CrossedAt("warn")
	if len(crossed) != 1 || crossed[0].Service != "recommender" || crossed[0].Key != "cost_increase_pct" {
		t.Fatalf("crossed at warn: %+v", crossed)
	}
	wantMsg := "recommender: cost $0.0399 is +99.5 % against $0.02, the median of 7 earlier runs: threshold cost_increase_pct > 50 crossed"
	if f := rec.Findings[0]; f.ID != "threshold_cost_increase_pct" || f.Severity != "warn" || f.Message != wantMsg {
		t.Errorf("recommender's first finding %+v, want %q", f, wantMsg)
	}
	if got := len(a.CrossedAt("crit")); got != 0 {
		t.Errorf("%d crossed at crit, want 0", got)
	}
	if a.Services[0].Trend != nil {
		t.Error("distilbert-qa has a trend with no history")
	}
	if got := a.Services[0].Thresholds[0].Status; got != "no_data" {
		t.Errorf("distilbert-qa cost_increase_pct: %s, want no_data", got)
	}
	if len(a.History) != 7 || a.History[6].Date != "2024-06-09" || a.History[0].File != "2024-06-03.json" {
		t.Errorf("history %+v", a.History)
	}
	if math.Abs(a.TotalCostUSD-0.206) > 1e-9 || a.TotalRequests != 3399 {
		t.Errorf("totals %v, %d", a.TotalCostUSD, a.TotalRequests)
	}
}

func TestNewServiceWithoutWholeLogs(t *testing.T) {
	rpt := &analyze.Report{Service: analyze.Service{Name: "big", Region: "us-central1"}, Window: night,
		Server:     analyze.Server{Total: analyze.ServerEndpoint{Requests: 1000, Status2xx: 1000, P95MS: 300}},
		ColdStarts: analyze.ColdStarts{Count: 2, ShareOfRequests: 0.002},
		Cost:       analyze.Cost{Requests: 50000, TotalUSD: 3, BillableInstanceSeconds: 1000, IdleShare: 0.9},
		Series:     analyze.Series{StatusClasses: []analyze.StatusPoint{{C2xx: 49000, C5xx: 1000}}, Latency: []analyze.LatencyPoint{{MS: 1}}},
	}
	ds := &model.Dataset{Metrics: []model.Series{latencyMetric(night.Start.Add(time.Minute), []int64{0, 10, 80, 10, 0})}}
	s := NewService(rpt, ds, LogCoverage{Status: LogsSampled})
	if s.IdleShare != nil {
		t.Errorf("idle share %v from a sample of the logs, want none", *s.IdleShare)
	}
	if *s.ErrorRate != 0.02 || s.ErrorRateSource != SourceMetric {
		t.Errorf("error rate %v from %s, want 0.02 from the metric", *s.ErrorRate, s.ErrorRateSource)
	}
	// 100 requests: rank 95 is the 5th of 10 in [400, 800): 600.
	if *s.P95MS != 600 || s.P95Source != SourceMetric {
		t.Errorf("p95 %v from %s, want 600 from the metric", *s.P95MS, s.P95Source)
	}
	if *s.ColdStarts != 2 || s.Requests != 50000 {
		t.Errorf("cold starts %d, requests %d", *s.ColdStarts, s.Requests)
	}
	if len(s.Report.Series.Latency) != 0 {
		t.Error("the row keeps the chart series")
	}
	vs := s.Values()
	if _, ok, why := vs.Get("idle_share"); ok || why != "request logs sampled" {
		t.Errorf("idle_share known %v (%q)", ok, why)
	}
	if v, ok, _ := vs.Get("p95_ms"); !ok || v != 600 {
		t.Errorf("p95_ms value %v %v, want the metric's 600", v, ok)
	}
	skipped := NewService(rpt, &model.Dataset{}, LogCoverage{Status: LogsSkipped})
	if skipped.P95MS != nil || skipped.ColdStarts != nil || *skipped.ErrorRate != 0.02 {
		t.Errorf("skipped: p95 %v, cold starts %v, error rate %v", skipped.P95MS, skipped.ColdStarts, *skipped.ErrorRate)
	}
	idle := NewService(&analyze.Report{Cost: analyze.Cost{BillableInstanceSeconds: 60}}, &model.Dataset{}, LogCoverage{Status: LogsNone})
	if idle.IdleShare == nil || *idle.IdleShare != 1 || *idle.ColdStarts != 0 {
		t.Errorf("a billed service with no request: idle %v, cold starts %v; want 1 and 0", idle.IdleShare, idle.ColdStarts)
	}
}

// latencyMetric is one request_latencies point with buckets bounded at
// 100, 200, 400 and 800 ms.
func latencyMetric(end time.Time, counts []int64) model.Series {
	var n int64
	for _, c := range counts {
		n += c
	}
	return model.Series{Metric: model.MetricRequestLatencies, ValueType: "DISTRIBUTION", Points: []model.Point{{End: end,
		Dist: &model.Distribution{Count: n, Bounds: []float64{100, 200, 400, 800}, Counts: counts}}}}
}

func TestDiffAudits(t *testing.T) {
	a := Build(Input{Project: "demo", Window: night, Services: []Service{row("mobilenet", 0.0071, 425), row("recommender", 0.02, 182)}})
	b := Build(Input{Project: "demo", Window: night, Services: []Service{row("mobilenet", 0.0071, 425), row("recommender", 0.04, 182), row("new", 1, 10)}})
	d := DiffAudits(a, b)
	got := map[string]string{}
	for _, c := range d.Changes {
		got[c.Group+" "+c.Metric] = c.Verdict
	}
	for k, want := range map[string]string{
		"total cost_usd": "worse", "recommender (europe-west1) cost_usd": "worse", "mobilenet (europe-west1) cost_usd": "same",
		"new (europe-west1) cost_usd": "added", "recommender (europe-west1) p95_ms": "same",
	} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q", k, got[k], want)
		}
	}
}
