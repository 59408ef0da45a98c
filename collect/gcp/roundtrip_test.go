package gcp

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/render"
)

// fixtures lists the bundled fixture snapshots, by directory.
func fixtures(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "*", snapshot.ManifestFile))
	must(t, err)
	if len(dirs) == 0 {
		t.Fatal("no fixture found under ../../fixtures")
	}
	for i, d := range dirs {
		dirs[i] = filepath.Dir(d)
	}
	return dirs
}

// reportJSON analyzes a snapshot and renders the JSON report, with the
// snapshot's directory replaced by SNAPSHOT in the source paths.
func reportJSON(t *testing.T, dir string) string {
	t.Helper()
	ds, err := snapshot.Load(dir)
	must(t, err)
	rpt := analyze.Run(ds, analyze.Options{Generated: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
	var buf bytes.Buffer
	must(t, render.JSON(&buf, rpt))
	return strings.ReplaceAll(buf.String(), filepath.ToSlash(dir)+"/", "SNAPSHOT/")
}

// TestLiveRoundTrip serves each fixture snapshot from the fake, collects
// it through the real Google clients with the fixture's own project,
// service and window, and requires the collected snapshot's report to equal
// the fixture's, byte for byte.
func TestLiveRoundTrip(t *testing.T) {
	for _, fixture := range fixtures(t) {
		t.Run(filepath.Base(fixture), func(t *testing.T) { roundTrip(t, fixture) })
	}
}

func roundTrip(t *testing.T, fixture string) {
	ds, err := snapshot.Load(fixture)
	must(t, err)
	fm := ds.Manifest
	fake := startFake(t, fixture)

	client, err := filepath.Glob(filepath.Join(fixture, snapshot.ClientDir, "*"))
	must(t, err)
	cfg := Config{
		Project: fm.Project, Region: fm.Region, Service: fm.Service,
		Start: fm.Window.Start, End: fm.Window.End,
		Endpoint: fake.Addr(), OutDir: t.TempDir(), ClientFiles: client,
		LogCallBudget: 1_000_000, CallTimeout: 10 * time.Second,
	}
	res, err := Collect(deadline(t), cfg)
	must(t, err)

	want, got := reportJSON(t, fixture), reportJSON(t, cfg.OutDir)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report of the collected snapshot (-fixture +collected):\n%s", diff)
	}
	// The collection's own counts, stated outright.
	if res.Requests != len(ds.Requests) || res.SystemEntries == 0 || res.Series == 0 {
		t.Errorf("collected %d requests (fixture %d), %d system entries, %d series", res.Requests, len(ds.Requests), res.SystemEntries, res.Series)
	}
	pages := (len(ds.Requests)+999)/1000 + 1
	if n := res.Manifest.APICalls["ListLogEntries"]; n != pages {
		t.Errorf("%d ListLogEntries calls, want %d: one per page of each log", n, pages)
	}
	metrics := len(Metrics)
	if ds.Service != nil && ds.Service.Accelerator != "" {
		metrics += len(GPUMetrics)
	}
	if n := res.Manifest.APICalls["ListTimeSeries"]; n != metrics {
		t.Errorf("%d ListTimeSeries calls, want one per metric (%d)", n, metrics)
	}
	if len(res.Manifest.Warnings) != 0 {
		t.Errorf("warnings: %q", res.Manifest.Warnings)
	}
	checkSameFiles(t, fixture, cfg.OutDir)
}

// checkSameFiles requires the collected snapshot to hold a file for every
// data file of the fixture, and no other.
func checkSameFiles(t *testing.T, fixture, collected string) {
	t.Helper()
	list := func(dir string) []string {
		var out []string
		for _, sub := range []string{".", snapshot.MetricsDir, snapshot.ClientDir} {
			ents, _ := os.ReadDir(filepath.Join(dir, sub))
			for _, e := range ents {
				if e.Type().IsRegular() && filepath.Ext(e.Name()) != ".md" {
					out = append(out, filepath.ToSlash(filepath.Join(sub, e.Name())))
				}
			}
		}
		return out
	}
	if diff := cmp.Diff(list(fixture), list(collected)); diff != "" {
		t.Errorf("snapshot files (-fixture +collected):\n%s", diff)
	}
}
