package analyze

import (
	"testing"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/model"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC)

// at is t0 plus a duration like "1.5s".
func at(s string) time.Time {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return t0.Add(d)
}

// req is a request entry: arrival offset, latency, instance, path.
func req(arrive string, latency time.Duration, instance, method, path string) model.Request {
	return model.Request{Time: at(arrive), Latency: latency, InstanceID: instance, Method: method, Path: path, Status: 200}
}

func event(t string, kind model.EventKind, instance string) model.InstanceEvent {
	return model.InstanceEvent{Time: at(t), Kind: kind, InstanceID: instance, Reason: "AUTOSCALING"}
}

// findingsOf returns the report's findings of the given id.
func findingsOf(rpt *Report, id string) []Finding {
	var out []Finding
	for _, f := range rpt.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

func TestRunEmptyDataset(t *testing.T) {
	rpt := Run(&model.Dataset{}, Options{})
	if rpt.Schema != Schema || rpt.ColdStarts.Count != 0 || rpt.Cost.TotalUSD != 0 {
		t.Errorf("empty dataset: schema %q, cold starts %d, cost %v", rpt.Schema, rpt.ColdStarts.Count, rpt.Cost.TotalUSD)
	}
	if len(rpt.Missing) == 0 {
		t.Error("empty dataset: no missing sources listed")
	}
}

func TestNearestRank(t *testing.T) {
	vals := []int{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}
	for _, tc := range []struct {
		p    float64
		want int
	}{{0, 10}, {10, 10}, {11, 20}, {50, 50}, {95, 100}, {99, 100}, {100, 100}} {
		if got := summary.NearestRank(vals, tc.p); got != tc.want {
			t.Errorf("p%g = %d, want %d", tc.p, got, tc.want)
		}
	}
	if got := summary.NearestRank([]int(nil), 50); got != 0 {
		t.Errorf("empty = %d, want 0", got)
	}
}

func TestColdStarts(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name       string
		ds         model.Dataset
		wantIDs    []string
		wantWaited int
		wantFirst  float64 // penalty of the first cold start, ms
	}{
		{
			name: "system log start and queued requests",
			ds: model.Dataset{
				Events: []model.InstanceEvent{event("0s", model.EventStart, "a"), event("10s", model.EventProbeSucceeded, "a")},
				Requests: []model.Request{
					req("0.1s", 10100*ms, "a", "GET", "/"), req("2s", 8200*ms, "a", "GET", "/"),
					req("11s", 100*ms, "a", "GET", "/"), req("12s", 120*ms, "a", "GET", "/"), req("13s", 110*ms, "a", "GET", "/"),
				},
			},
			wantIDs: []string{"a"}, wantWaited: 2, wantFirst: 10100 - 110,
		},
		{
			name: "instance running before the window is not a cold start when system logs exist",
			ds: model.Dataset{
				Events: []model.InstanceEvent{event("5s", model.EventStart, "b")},
				Requests: []model.Request{
					req("1s", 100*ms, "a", "GET", "/"), req("2s", 100*ms, "a", "GET", "/"),
					req("6s", 900*ms, "b", "GET", "/"), req("7s", 100*ms, "b", "GET", "/"),
				},
			},
			wantIDs: []string{"b"}, wantWaited: 1, wantFirst: 800,
		},
		{
			name: "marker only",
			ds: model.Dataset{Requests: []model.Request{
				func() model.Request { r := req("1s", 3000*ms, "a", "POST", "/p"); r.ColdStart = true; return r }(),
				req("4s", 500*ms, "a", "POST", "/p"),
			}},
			wantIDs: []string{"a"}, wantWaited: 1, wantFirst: 2500,
		},
		{
			name: "no system logs: first request of each instance",
			ds: model.Dataset{Requests: []model.Request{
				req("1s", 700*ms, "a", "GET", "/"), req("2s", 100*ms, "a", "GET", "/"),
				req("3s", 600*ms, "b", "GET", "/"), req("4s", 100*ms, "b", "GET", "/"),
			}},
			wantIDs: []string{"a", "b"}, wantWaited: 2, wantFirst: 600,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rpt := Run(&tc.ds, Options{})
			var ids []string
			for _, c := range rpt.ColdStarts.Instances {
				ids = append(ids, c.InstanceID)
			}
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Errorf("cold-start instances (-want +got):\n%s", diff)
			}
			n := len(tc.ds.Requests)
			if got := rpt.ColdStarts.ShareOfRequests * float64(n); int(got+0.5) != tc.wantWaited {
				t.Errorf("requests that waited = %.1f, want %d", got, tc.wantWaited)
			}
			if got := rpt.ColdStarts.Instances[0].PenaltyMS; got != tc.wantFirst {
				t.Errorf("first penalty = %v ms, want %v", got, tc.wantFirst)
			}
		})
	}
}

func TestStartupFromSystemLog(t *testing.T) {
	ds := model.Dataset{Events: []model.InstanceEvent{event("0s", model.EventStart, "a"), event("17.25s", model.EventProbeSucceeded, "a")}}
	rpt := Run(&ds, Options{})
	if got := rpt.ColdStarts.Instances[0].StartupMS; got != 17250 {
		t.Errorf("startup = %v ms, want 17250", got)
	}
}

func TestReconcile(t *testing.T) {
	ms := time.Millisecond
	client := &model.ClientRun{
		Tool: "locust",
		Endpoints: []model.ClientEndpoint{
			{Method: "GET", Name: "/", Requests: 2},
			{Method: "POST", Name: "/predict?x=1", Requests: 3, Failures: 1},
		},
		Total:    model.ClientEndpoint{Name: "Aggregated", Requests: 5, Failures: 1},
		Failures: []model.ClientFailure{{Method: "POST", Name: "/predict?x=1", Error: "ConnectionRefusedError(111, 'Connection refused')", Occurrences: 1}},
		History:  []model.ClientSample{{Time: at("0s"), Name: "Aggregated"}, {Time: at("10s"), Name: "Aggregated"}},
	}
	ds := model.Dataset{Client: client, Requests: []model.Request{
		req("1s", 10*ms, "a", "GET", "/"), req("2s", 10*ms, "a", "GET", "/"),
		req("3s", 10*ms, "a", "POST", "/predict"), req("4s", 10*ms, "a", "POST", "/predict"),
		req("60s", 10*ms, "a", "GET", "/"), // another client, after the run
	}}
	rpt := Run(&ds, Options{})
	got := map[string]Reconciliation{}
	for _, r := range rpt.Reconciliation {
		got[r.Endpoint] = r
	}
	if r := got["POST /predict"]; r.ServerRequests != 2 || r.Difference != -1 || len(r.Explanations) != 1 {
		t.Errorf("POST /predict = %+v, want 2 server requests, difference -1, one explanation", r)
	}
	if r := got["GET /"]; r.ServerRequests != 3 || r.Difference != 1 || len(r.Explanations) != 1 {
		t.Errorf("GET / = %+v, want 3 server requests, difference +1 explained by other traffic", r)
	}
	if r := got["total"]; r.ClientRequests != 5 || r.ServerRequests != 5 || r.MetricRequests != -1 {
		t.Errorf("total = %+v", r)
	}
	if fs := findingsOf(rpt, "unexplained_difference"); len(fs) > 0 {
		t.Errorf("unexpected findings %+v", fs)
	}
}

func TestCostFromRequestLogs(t *testing.T) {
	ms := time.Millisecond
	ds := model.Dataset{
		Service: &model.ServiceConfig{Name: "s", Region: "europe-west1", CPU: 1, MemoryMiB: 2048, Concurrency: 80, Billing: model.BillingRequest},
		Requests: []model.Request{
			req("0s", 120*ms, "a", "GET", "/"),  // busy 0-0.12 s -> 0.2 s
			req("0.1s", 50*ms, "a", "GET", "/"), // overlaps: same busy span
			req("1s", 1000*ms, "a", "GET", "/"), // 1.0 s exactly
			req("5s", 1*ms, "b", "GET", "/"),    // 0.1 s
		},
	}
	rpt := Run(&ds, Options{})
	c := rpt.Cost
	// b has no system-log start: without system logs every instance's first
	// request counts as a cold start but with unknown startup time.
	if c.BillableInstanceSeconds != 1.3 || c.BillableSource != "request_logs" {
		t.Errorf("billable = %v s from %s, want 1.3 s from request_logs", c.BillableInstanceSeconds, c.BillableSource)
	}
	want := 1.3*0.000024 + 1.3*2*0.0000025 + 4.0/1e6*0.40
	if d := c.TotalUSD - want; d > 1e-15 || d < -1e-15 {
		t.Errorf("total = %v USD, want %v", c.TotalUSD, want)
	}
}

// summaryOf adds requests to a new summary.
func summaryOf(reqs []model.Request) *summary.Summary {
	s := summary.New()
	for i := range reqs {
		s.Add(&reqs[i])
	}
	return s
}
