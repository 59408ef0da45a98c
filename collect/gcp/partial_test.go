package gcp

import (
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/collect/gcp/fakegcp"
	"github.com/runlens/runlens/collect/snapshot"
)

// TestPartialMonitoringAnswers injects execution errors (Monitoring's
// "query execution errors that may have caused the time series data
// returned to be incomplete") and requires every reader of ListTimeSeries
// to say its numbers are partial.
func TestPartialMonitoringAnswers(t *testing.T) {
	dir, _, _ := writeSynth(t, synth{requests: 1200, system: 1, metrics: true})
	fake := startFake(t, dir)
	fake.Inject(fakegcp.Fault{Method: "ListTimeSeries", Match: "request_count", Partial: true})
	cfg := testConfig(t, fake)
	res, err := Collect(deadline(t), cfg)
	must(t, err)
	// request_count has two points (1000 and 200); the partial answer
	// keeps the newer one.
	if res.EstimatedRequests != 200 {
		t.Errorf("estimate %d, want 200 (the partial answer)", res.EstimatedRequests)
	}
	warned := func(ws []string) bool {
		for _, w := range ws {
			if strings.HasPrefix(w, "partial: metric run.googleapis.com/request_count: Cloud Monitoring reported 1 execution errors") {
				return true
			}
		}
		return false
	}
	if !warned(res.Manifest.Warnings) {
		t.Errorf("manifest warnings %q: want the partial request_count", res.Manifest.Warnings)
	}
	ds, err := snapshot.Load(cfg.OutDir)
	must(t, err)
	if !warned(ds.Warnings) {
		t.Errorf("the snapshot's dataset warnings %q: want the partial request_count", ds.Warnings)
	}

	// The audit's reads: request counts, and regions.
	c, err := Dial(deadline(t), fake.Addr())
	must(t, err)
	defer c.Close()
	fake.Inject(fakegcp.Fault{Method: "ListTimeSeries", Match: "request_count", Partial: true})
	fake.Inject(fakegcp.Fault{Method: "ListTimeSeries", Match: "billable_instance_time", Partial: true})
	counts, err := c.RequestCounts(deadline(t), tProject, tRegion, tStart, tStart.Add(time.Hour))
	must(t, err)
	if counts[ServiceKey(tRegion, tService)] != 200 {
		t.Errorf("counts %v", counts)
	}
	_, err = c.Regions(deadline(t), tProject, tStart, tStart.Add(time.Hour))
	must(t, err)
	ws := c.Warnings()
	if len(ws) != 2 || !strings.HasPrefix(ws[0], "partial: request_count of projects/"+tProject) || !strings.HasPrefix(ws[1], "partial: regions of projects/"+tProject) {
		t.Errorf("client warnings %q: want the partial request counts and regions", ws)
	}
}
