package analyze

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/model"
)

func TestReconcileExplainsStrays(t *testing.T) {
	ms := time.Millisecond
	ua := func(r model.Request, agent string) model.Request { r.UserAgent = agent; return r }
	const locust = "python-requests/2.31.0"
	var reqs []model.Request
	for i := 0; i < 20; i++ {
		reqs = append(reqs, ua(req("1s", 100*ms, "a", "GET", "/"), locust))
	}
	reqs = append(reqs,
		ua(req("9.9s", 500*ms, "a", "GET", "/"), locust),         // in flight at the stop (10 s)
		ua(req("9.95s", 300*ms, "a", "GET", "/"), locust),        // in flight at the stop
		ua(req("5s", 100*ms, "a", "GET", "/"), "k6/0.49.0"),      // another client during the run
		ua(req("40s", 100*ms, "a", "GET", "/other"), "curl/8.0"), // after the run
	)
	client := &model.ClientRun{
		Tool:      "locust",
		Endpoints: []model.ClientEndpoint{{Method: "GET", Name: "/", Requests: 23, Failures: 3}},
		Total:     model.ClientEndpoint{Name: "Aggregated", Requests: 23, Failures: 3},
		Failures:  []model.ClientFailure{{Method: "GET", Name: "/", Error: "ConnectionRefusedError(111, 'Connection refused')", Occurrences: 3}},
		History:   secondRows(9),
	}
	zero := time.Duration(0)
	rpt := Run(&model.Dataset{Client: client, Requests: reqs}, Options{ClockOffset: &zero})
	rows := map[string]Reconciliation{}
	for _, r := range rpt.Reconciliation {
		rows[r.Endpoint] = r
		if r.Difference != 0 && len(r.Explanations) == 0 {
			t.Errorf("%s: difference %d with no explanation", r.Endpoint, r.Difference)
		}
		for _, e := range r.Explanations {
			if strings.Contains(e, "unexplained") {
				t.Errorf("%s: %s", r.Endpoint, e)
			}
		}
	}
	get := rows["GET /"]
	// 23 server requests for GET /: 20 + 2 in flight + 1 other client; the
	// client counted 23 including 3 that never connected.
	if get.ServerRequests != 23 || get.Difference != 0 || len(get.Explanations) != 3 {
		t.Errorf("GET / = %+v, want 23 server, difference 0, three explanations", get)
	}
	if tot := rows["total"]; tot.Difference != 1 || len(tot.Explanations) != 4 {
		t.Errorf("total = %+v, want difference +1 with four explanations", tot)
	}
	if fs := findingsOf(rpt, "unexplained_difference"); len(fs) > 0 {
		t.Errorf("unexpected %+v", fs)
	}
}

func TestReconcileUnexplained(t *testing.T) {
	ms := time.Millisecond
	client := &model.ClientRun{Tool: "locust",
		Endpoints: []model.ClientEndpoint{{Method: "GET", Name: "/", Requests: 5}},
		Total:     model.ClientEndpoint{Name: "Aggregated", Requests: 5}}
	rpt := Run(&model.Dataset{Client: client, Requests: []model.Request{req("1s", 10*ms, "a", "GET", "/")}}, Options{})
	if !slices.ContainsFunc(findingsOf(rpt, "unexplained_difference"), func(f Finding) bool { return f.Value == 4 }) {
		t.Errorf("findings %+v lack unexplained_difference of 4", rpt.Findings)
	}
}

func TestEndpointMap(t *testing.T) {
	ms := time.Millisecond
	client := &model.ClientRun{Tool: "jmeter",
		Endpoints: []model.ClientEndpoint{{Name: "Predict image", Requests: 1}},
		Total:     model.ClientEndpoint{Requests: 1}}
	ds := &model.Dataset{Client: client, Requests: []model.Request{req("1s", 10*ms, "a", "POST", "/predict")}}
	rpt := Run(ds, Options{EndpointMap: map[string]string{"Predict image": "POST /predict"}})
	if got := rpt.Client.Endpoints[0].Server; got != "POST /predict" {
		t.Errorf("mapped to %q, want POST /predict", got)
	}
	if r := rpt.Reconciliation[0]; r.ServerRequests != 1 || r.Difference != 0 {
		t.Errorf("row = %+v", r)
	}
}

func TestChurn(t *testing.T) {
	ms := time.Millisecond
	var ds model.Dataset
	// Steady 2 req/s for 10 minutes on instance "base"; a new instance starts
	// every minute from minute 2 and takes the next request.
	for s := 0; s < 600; s++ {
		for k := 0; k < 2; k++ {
			ds.Requests = append(ds.Requests, req((time.Duration(s)*time.Second+time.Duration(k)*500*ms).String(), 100*ms, "base", "GET", "/"))
		}
	}
	ds.Events = append(ds.Events, event("-1s", model.EventStart, "base"))
	for m := 2; m < 9; m++ {
		id := "i" + string(rune('0'+m))
		start := time.Duration(m) * time.Minute
		ds.Events = append(ds.Events, event(start.String(), model.EventStart, id))
		ds.Requests = append(ds.Requests, req((start+3*time.Second).String(), 8*time.Second, id, "GET", "/"))
	}
	rpt := Run(&ds, Options{})
	if rpt.ColdStarts.Churn != 7 {
		t.Errorf("churn = %d, want 7", rpt.ColdStarts.Churn)
	}
	if len(findingsOf(rpt, "cold_start_churn")) == 0 {
		t.Error("no cold_start_churn finding")
	}
}

// secondRows is a client timeline of aggregate rows once a second from t0
// to t0+last seconds: the client stopped within a second of the last row.
func secondRows(last int) []model.ClientSample {
	var rows []model.ClientSample
	for s := 0; s <= last; s++ {
		rows = append(rows, model.ClientSample{Time: t0.Add(time.Duration(s) * time.Second), Name: "Aggregated"})
	}
	return rows
}
