package sim

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/model"
)

// The logging bytes and egress the model writes per minute sum to what
// LogBytes and SentBytes say, by log and by kind, and the other metrics are
// those of a run without them.
func TestAroundMetrics(t *testing.T) {
	reqs := []Request{req(1000, 200), req(61_000, 300), req(62_000, 100), req(125_000, 50)}
	for i := range reqs {
		reqs[i].ResponseSize = int64(1000 * (i + 1))
	}
	reqs[3].Status = 503
	r := testRun(80, reqs...)
	if err := r.Route(); err != nil {
		t.Fatal(err)
	}
	a := Around{RequestEntryBytes: 700, SystemEntryBytes: 300, InternetBytesPerRequest: 50, GoogleBytesPerRequest: 9,
		AppLogs: []AppLog{{Log: "run.googleapis.com/stdout", Severity: "DEBUG", BytesPerRequest: 4000}}}
	u := Utilization{Unsampled: true}
	plain, err := r.Metrics(rand.New(rand.NewPCG(1, 2)), u)
	if err != nil {
		t.Fatal(err)
	}
	u.Around = &a
	with, err := r.Metrics(rand.New(rand.NewPCG(1, 2)), u)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(plain, with[:len(plain)]); d != "" {
		t.Errorf("the other metrics changed (-without +with):\n%s", d)
	}
	sums := map[string]map[string]int64{}
	for _, m := range with[len(plain):] {
		label := map[string]string{model.MetricLogBytes: "log", model.MetricSentBytes: "kind"}[m.Type]
		sums[m.Type] = map[string]int64{}
		for _, ts := range m.Response.TimeSeries {
			for _, p := range ts.Points {
				sums[m.Type][ts.Metric.Labels[label]] += int64(*p.Value.Int64Value)
			}
		}
	}
	wantLogs := map[string]int64{RequestsLog: 4 * 700, SystemLog: 2 * 2 * 300, "run.googleapis.com/stdout": 4 * 4000}
	if d := cmp.Diff(wantLogs, r.LogBytes(a)); d != "" {
		t.Errorf("LogBytes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantLogs, sums[model.MetricLogBytes]); d != "" {
		t.Errorf("byte_count by log (-want +got):\n%s", d)
	}
	wantSent := map[string]int64{"internet": 10_000 + 4*50, "google": 4 * 9}
	if d := cmp.Diff(wantSent, r.SentBytes(a)); d != "" {
		t.Errorf("SentBytes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantSent, sums[model.MetricSentBytes]); d != "" {
		t.Errorf("sent_bytes_count by kind (-want +got):\n%s", d)
	}
}
