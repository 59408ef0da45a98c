package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSimulateLargeToStdout(t *testing.T) {
	out, _, err := runCLI(t, "simulate", "-scenario", "large", "-requests", "25", "-seed", "3", "-o", "-")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 25 {
		t.Fatalf("%d lines, want 25", len(lines))
	}
	again, _, _ := runCLI(t, "simulate", "-scenario", "large", "-requests", "25", "-seed", "3", "-o", "-")
	if again != out {
		t.Error("the same seed wrote different bytes")
	}
	if _, _, err := runCLI(t, "simulate", "-scenario", "large", "-o", "-"); err == nil || !strings.Contains(err.Error(), "-requests N") {
		t.Errorf("without -requests: %v, want a usage error naming -requests N", err)
	}
}

// TestLargeReport24h reads a 24 h log, past the summary's exact limits, and
// checks that the page stays under 2 MB and draws every chart.
func TestLargeReport24h(t *testing.T) {
	dir := t.TempDir()
	log, page, js := filepath.Join(dir, "big.ndjson"), filepath.Join(dir, "report.html"), filepath.Join(dir, "report.json")
	if _, _, err := runCLI(t, "simulate", "-scenario", "large", "-requests", "30000", "-o", log); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "report", "-logs", log, "-o", page, "-json", js, "-format", "none"); err != nil {
		t.Fatal(err)
	}
	var rpt struct {
		Server struct {
			Total struct{ Requests int64 } `json:"total"`
		} `json:"server"`
		ColdStarts struct{ Count int }    `json:"cold_starts"`
		Instances  struct{ Distinct int } `json:"instances"`
		Series     struct {
			Server      []struct{ Requests int64 } `json:"server"`
			ServerStepS float64                    `json:"server_step_s"`
			Latency     []json.RawMessage          `json:"latency"`
		} `json:"series"`
	}
	readJSON(t, js, &rpt)
	var inSeries int64
	for _, p := range rpt.Series.Server {
		inSeries += p.Requests
	}
	if rpt.Server.Total.Requests != 30000 || inSeries != 30000 || rpt.Instances.Distinct != 40 || rpt.ColdStarts.Count != 40 {
		t.Errorf("requests %d, in the server series %d, instances %d, cold starts %d; want 30000, 30000, 40, 40",
			rpt.Server.Total.Requests, inSeries, rpt.Instances.Distinct, rpt.ColdStarts.Count)
	}
	if n := len(rpt.Series.Server); rpt.Series.ServerStepS != 30 || n > 3600 {
		t.Errorf("server series: %d points %v s apart, want at most 3,600 points 30 s apart", n, rpt.Series.ServerStepS)
	}
	if n := len(rpt.Series.Latency); n < 5000 || n > 5040 {
		t.Errorf("%d latency points, want the 5,000-request sample and up to 40 cold starts", n)
	}
	fi, err := os.Stat(page)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() >= 2<<20 {
		t.Errorf("24 h page is %d bytes, want under 2 MiB", fi.Size())
	}
	checkInBrowser(t, page)
}
