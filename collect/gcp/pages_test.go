package gcp

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

// TestSeriesAcrossPagesOfPoints collects three request_count series of
// 40,000 points each: more than Monitoring's page of 100,000 points, so the
// second series goes on in the second page under its header again. The
// snapshot must hold each series once, oldest point first once loaded,
// with every point and nothing twice.
func TestSeriesAcrossPagesOfPoints(t *testing.T) {
	const minutes = 40_000
	dir, _, _ := writeSynth(t, synth{requests: 1, system: 1})
	resp := collect.ListTimeSeriesResponse{Unit: "1"}
	var want int64
	for i, class := range []string{"2xx", "4xx", "5xx"} {
		ts := collect.TimeSeries{
			Metric:     collect.Metric{Type: "run.googleapis.com/request_count", Labels: map[string]string{"response_code_class": class}},
			Resource:   *resource(tService),
			MetricKind: "DELTA", ValueType: "INT64", Unit: "1",
		}
		for m := minutes - 1; m >= 0; m-- { // newest first, as Monitoring answers
			v := collect.Int64(0)
			if m%1000 == 0 {
				v = collect.Int64(i + 1)
				want += int64(v)
			}
			ts.Points = append(ts.Points, collect.WirePoint{
				Interval: collect.TimeInterval{StartTime: stamp(tStart.Add(time.Duration(m) * time.Minute)), EndTime: stamp(tStart.Add(time.Duration(m+1) * time.Minute))},
				Value:    collect.TypedValue{Int64Value: &v},
			})
		}
		resp.TimeSeries = append(resp.TimeSeries, ts)
	}
	must(t, snapshot.WriteJSON(filepath.Join(dir, model.MetricFile("run.googleapis.com/request_count")), resp))
	fake := startFake(t, dir)
	cfg := testConfig(t, fake)
	cfg.End = tStart.Add(minutes * time.Minute)
	res, err := Collect(deadline(t), cfg)
	must(t, err)
	if n := res.Manifest.APICalls["ListTimeSeries"]; n != len(Metrics)+1 {
		t.Errorf("%d ListTimeSeries calls, want %d: request_count's 120,000 points take two pages", n, len(Metrics)+1)
	}
	if res.EstimatedRequests != want {
		t.Errorf("estimate %d, want %d", res.EstimatedRequests, want)
	}
	ds, err := snapshot.Load(cfg.OutDir)
	must(t, err)
	var got []model.Series
	for _, s := range ds.Metrics {
		if s.Metric == "run.googleapis.com/request_count" {
			got = append(got, s)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d request_count series in the snapshot, want 3 (a series split across pages is one series)", len(got))
	}
	for _, s := range got {
		if len(s.Points) != minutes {
			t.Errorf("%s: %d points, want %d", s.MetricLabels["response_code_class"], len(s.Points), minutes)
		}
		for i := 1; i < len(s.Points); i++ {
			if !s.Points[i].End.After(s.Points[i-1].End) {
				t.Fatalf("%s: point %d ends at %s, not after %s: points must be oldest first once read", s.MetricLabels["response_code_class"], i, s.Points[i].End, s.Points[i-1].End)
			}
		}
	}
}
