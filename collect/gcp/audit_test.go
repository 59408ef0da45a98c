package gcp

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

func TestCollectWithin(t *testing.T) {
	dir, wantReq, _ := writeSynth(t, synth{requests: 3500, system: 7, metrics: true, strays: true})
	tests := []struct {
		name      string
		calls     int
		want      Coverage
		requests  int
		gapPrefix string
	}{
		// ceil(3500/1000) request pages and one system page.
		{"enough calls", 6, Coverage{Requests: LogComplete, System: LogComplete, Calls: 5}, 3500, ""},
		{"the first two pages", 2, Coverage{Requests: LogPartial, System: LogNotRead, Calls: 2}, 2000, "gap: requests entries from "},
		{"no call", 0, Coverage{Requests: LogNotRead, System: LogNotRead}, 0, "logs not read: no ListLogEntries call"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := startFake(t, dir)
			cfg := testConfig(t, fake)
			cfg.MaxLogCalls = 1 // ignored
			res, cov, err := CollectWithin(deadline(t), cfg, tt.calls)
			must(t, err)
			if d := cmp.Diff(tt.want, cov); d != "" {
				t.Errorf("coverage (-want +got):\n%s", d)
			}
			if got := fake.Calls()["ListLogEntries"]; got != tt.want.Calls {
				t.Errorf("the fake saw %d ListLogEntries calls, want %d", got, tt.want.Calls)
			}
			if res.Requests != tt.requests || res.EstimatedRequests != 3500 {
				t.Errorf("%d requests read, estimate %d; want %d and 3500", res.Requests, res.EstimatedRequests, tt.requests)
			}
			if tt.requests > 0 {
				got := insertIDs(t, filepath.Join(cfg.OutDir, snapshot.RequestsFile))
				if d := cmp.Diff(wantReq[:tt.requests], got); d != "" {
					t.Errorf("request insertIds: the first %d in time order (-want +got):\n%s", tt.requests, d)
				}
			}
			hasGap := slices.ContainsFunc(res.Manifest.Warnings, func(w string) bool { return strings.HasPrefix(w, tt.gapPrefix) })
			if tt.gapPrefix != "" && !hasGap {
				t.Errorf("manifest warnings %q lack %q", res.Manifest.Warnings, tt.gapPrefix)
			}
			if _, err := os.Stat(filepath.Join(cfg.OutDir, model.MetricFile("run.googleapis.com/request_count"))); err != nil {
				t.Errorf("the metrics were not written: %v", err)
			}
			ds, err := snapshot.Load(cfg.OutDir)
			must(t, err)
			if ds.RequestCount() != tt.requests || ds.Service == nil {
				t.Errorf("the snapshot loads with %d requests and service %v", ds.RequestCount(), ds.Service)
			}
		})
	}
}

func TestRequestCounts(t *testing.T) {
	dir, _, _ := writeSynth(t, synth{requests: 1234, metrics: true})
	fake := startFake(t, dir)
	c, err := Dial(deadline(t), fake.Addr())
	must(t, err)
	defer c.Close()
	for _, region := range []string{"-", tRegion} {
		got, err := c.RequestCounts(deadline(t), tProject, region, tStart, tStart.Add(time.Hour))
		must(t, err)
		if d := cmp.Diff(map[string]int64{ServiceKey(tRegion, tService): 1234}, got); d != "" {
			t.Errorf("region %s (-want +got):\n%s", region, d)
		}
	}
	got, err := c.RequestCounts(deadline(t), tProject, "us-east1", tStart, tStart.Add(time.Hour))
	must(t, err)
	if len(got) != 0 {
		t.Errorf("us-east1: %v, want nothing", got)
	}
	if calls := c.Calls(); calls["ListTimeSeries"] != 3 || calls["ListLogEntries"] != 0 {
		t.Errorf("client calls %v, want 3 ListTimeSeries and no log read", calls)
	}
}

func TestRegions(t *testing.T) {
	fixtures := filepath.Join("..", "..", "fixtures")
	fake := startFake(t, filepath.Join(fixtures, "paper-mobilenet"), filepath.Join(fixtures, "continuous-coldstarts"))
	c, err := Dial(deadline(t), fake.Addr())
	must(t, err)
	defer c.Close()
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	regions, err := c.Regions(deadline(t), "runlens-demo", start, start.AddDate(0, 2, 0))
	must(t, err)
	if d := cmp.Diff([]string{"europe-west1", "us-central1"}, regions); d != "" {
		t.Errorf("regions (-want +got):\n%s", d)
	}
	// Before the paper run: nothing billed.
	regions, err = c.Regions(deadline(t), "runlens-demo", start, start.AddDate(0, 0, 1))
	must(t, err)
	if len(regions) != 0 || c.Calls()["ListTimeSeries"] != 2 {
		t.Errorf("regions %v, calls %v", regions, c.Calls())
	}
}
