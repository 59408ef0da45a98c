package gcp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/grpc/codes"

	"github.com/runlens/runlens/collect/gcp/fakegcp"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
)

// insertIDs reads the insertIds of a snapshot log file, in file order.
func insertIDs(t *testing.T, path string) []string {
	t.Helper()
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(logtest.Gunzip(t, path)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct {
			InsertID string `json:"insertId"`
		}
		must(t, json.Unmarshal(sc.Bytes(), &e))
		ids = append(ids, e.InsertID)
	}
	must(t, sc.Err())
	return ids
}

func TestLiveFaults(t *testing.T) {
	dir, wantReq, wantSys := writeSynth(t, synth{requests: 3500, system: 7, metrics: true, strays: true})
	fake := startFake(t, dir)
	fake.Inject(fakegcp.Fault{Page: 1, Match: "requests", Code: codes.ResourceExhausted, Times: 2})
	fake.Inject(fakegcp.Fault{Page: 2, Match: "requests", Delay: 10 * time.Second})
	fake.Inject(fakegcp.Fault{Page: 3, Match: "requests", Code: codes.Unavailable})
	cfg := testConfig(t, fake)
	cfg.CallTimeout = 300 * time.Millisecond

	start := time.Now()
	res, err := Collect(deadline(t), cfg)
	must(t, err)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %s: the slow page was waited out rather than timed out", el)
	}
	gotReq := insertIDs(t, filepath.Join(cfg.OutDir, snapshot.RequestsFile))
	if diff := cmp.Diff(wantReq, gotReq); diff != "" {
		t.Errorf("request insertIds (-served +collected):\n%s", diff)
	}
	if diff := cmp.Diff(wantSys, insertIDs(t, filepath.Join(cfg.OutDir, snapshot.SystemFile))); diff != "" {
		t.Errorf("system insertIds (-served +collected):\n%s", diff)
	}
	// ceil(3500/1000) request pages + 1 system page + 4 retries (2 quota,
	// 1 deadline, 1 unavailable).
	const pages, retries = 4 + 1, 4
	m := res.Manifest
	if m.APICalls["ListLogEntries"] != pages+retries || m.Retries["ListLogEntries"] != retries {
		t.Errorf("manifest: %d ListLogEntries calls, %d retries; want %d and %d", m.APICalls["ListLogEntries"], m.Retries["ListLogEntries"], pages+retries, retries)
	}
	if got := fake.Calls()["ListLogEntries"]; got != pages+retries {
		t.Errorf("the fake saw %d ListLogEntries calls, want %d", got, pages+retries)
	}
	if res.Requests != 3500 || res.SystemEntries != 7 || res.EstimatedRequests != 3500 {
		t.Errorf("result: %d requests, %d system entries, estimate %d; want 3500, 7, 3500", res.Requests, res.SystemEntries, res.EstimatedRequests)
	}
	if len(m.Warnings) != 0 {
		t.Errorf("warnings: %q", m.Warnings)
	}
	var onDisk model.Manifest
	b, err := os.ReadFile(filepath.Join(cfg.OutDir, snapshot.ManifestFile))
	must(t, err)
	must(t, json.Unmarshal(b, &onDisk))
	if diff := cmp.Diff(m, onDisk, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("manifest.json differs from the result's manifest:\n%s", diff)
	}
}

func TestLiveResume(t *testing.T) {
	dir, wantReq, wantSys := writeSynth(t, synth{requests: 2600, system: 3, metrics: true})
	fake := startFake(t, dir)
	fake.Inject(fakegcp.Fault{Page: 2, Match: "requests", BreakToken: true})
	fake.Inject(fakegcp.Fault{Page: 1, Match: "system", EmptyPage: true, Times: 2})
	cfg := testConfig(t, fake)
	res, err := Collect(deadline(t), cfg)
	must(t, err)
	if diff := cmp.Diff(wantReq, insertIDs(t, filepath.Join(cfg.OutDir, snapshot.RequestsFile))); diff != "" {
		t.Errorf("request insertIds after a refused page token (-served +collected):\n%s", diff)
	}
	if diff := cmp.Diff(wantSys, insertIDs(t, filepath.Join(cfg.OutDir, snapshot.SystemFile))); diff != "" {
		t.Errorf("system insertIds after empty pages (-served +collected):\n%s", diff)
	}
	// Requests: pages 1 and 2, the refused token, then from the last
	// timestamp again: entries 1999.. (1999 and 2000 share a timestamp),
	// 602 entries in one page. System: two empty pages, then the page.
	want := map[string]int{"ListLogEntries": 2 + 1 + 1 + 3}
	if got := res.Manifest.APICalls["ListLogEntries"]; got != want["ListLogEntries"] {
		t.Errorf("ListLogEntries calls = %d, want %d", got, want["ListLogEntries"])
	}
	if got := res.Manifest.Retries["ListLogEntries"]; got != 1 {
		t.Errorf("retries = %d, want 1 (the refused token)", got)
	}
}

func TestLiveGivesUp(t *testing.T) {
	dir, wantReq, _ := writeSynth(t, synth{requests: 2500, system: 1, metrics: true})
	fake := startFake(t, dir)
	fake.Inject(fakegcp.Fault{Page: 3, Match: "requests", Code: codes.Unavailable, Times: 100})
	cfg := testConfig(t, fake)
	res, err := Collect(deadline(t), cfg)
	if err == nil || !strings.Contains(err.Error(), "5 calls in a row failed") || !strings.Contains(err.Error(), "records the gap") {
		t.Fatalf("err = %v, want the five failures and the gap named", err)
	}
	if got := insertIDs(t, filepath.Join(cfg.OutDir, snapshot.RequestsFile)); !cmp.Equal(got, wantReq[:2000]) {
		t.Errorf("kept %d request entries, want the first 2000", len(got))
	}
	want := []string{"gap: requests entries from 2026-11-20T10:16:39.5Z to 2026-11-20T11:00:00Z were not read: 5 calls in a row failed, the last with: fake-gcp: injected Unavailable"}
	if diff := cmp.Diff(want, res.Manifest.Warnings); diff != "" {
		t.Errorf("manifest warnings:\n%s", diff)
	}
	if res.SystemEntries != 1 {
		t.Errorf("system entries = %d, want 1: the system log is read after a gap in the request log", res.SystemEntries)
	}
}

func TestLiveBudget(t *testing.T) {
	t.Run("refused with an estimate", func(t *testing.T) {
		dir, _, _ := writeSynth(t, synth{requests: 3500, system: 1, metrics: true})
		fake := startFake(t, dir)
		cfg := testConfig(t, fake)
		cfg.MaxLogCalls, cfg.LogCallBudget = 4, 60
		_, err := Collect(deadline(t), cfg)
		want := "request_count says about 3500 requests, which need about 5 ListLogEntries calls, 4s at 60 calls a minute, over the limit of 4 calls"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want it to contain %q", err, want)
		}
		if n := fake.Calls()["ListLogEntries"]; n != 0 {
			t.Errorf("%d ListLogEntries calls before refusing, want 0", n)
		}
	})
	t.Run("stopped with a gap", func(t *testing.T) {
		dir, wantReq, _ := writeSynth(t, synth{requests: 3500, system: 1})
		fake := startFake(t, dir)
		cfg := testConfig(t, fake)
		cfg.MaxLogCalls = 2
		res, err := Collect(deadline(t), cfg)
		must(t, err)
		checkStoppedAt(t, res, cfg, wantReq[:2000], "2026-11-20T10:16:39.5Z", "the limit of 2 ListLogEntries calls was reached (raise -max-calls or narrow the window)")
	})
}

func TestLivePacing(t *testing.T) {
	dir, _, _ := writeSynth(t, synth{requests: 3500, system: 1, metrics: true})
	fake := startFake(t, dir)
	cfg := testConfig(t, fake)
	cfg.LogCallBudget = 600 // one call every 100 ms
	start := time.Now()
	res, err := Collect(deadline(t), cfg)
	must(t, err)
	if n := res.Manifest.APICalls["ListLogEntries"]; n != 5 {
		t.Fatalf("%d ListLogEntries calls, want 5", n)
	}
	if el := time.Since(start); el < 400*time.Millisecond {
		t.Errorf("5 calls at 600 a minute took %s, want at least 400ms", el)
	}
}

func TestLiveFilter(t *testing.T) {
	dir, _, _ := writeSynth(t, synth{requests: 10, system: 2, metrics: true, strays: true})
	fake := startFake(t, dir)
	cfg := testConfig(t, fake)
	cfg.ExtraFilter = `labels.instanceId="00f0a1b2c3" AND severity>=INFO`
	res, err := Collect(deadline(t), cfg)
	must(t, err)
	want := `resource.type = "cloud_run_revision" AND resource.labels.service_name = "mobilenet" AND resource.labels.location = "europe-west1" AND ` +
		`logName = "projects/demo-project/logs/run.googleapis.com%2Frequests" AND timestamp >= "2026-11-20T10:00:00Z" AND timestamp < "2026-11-20T11:00:00Z" AND ` +
		`(labels.instanceId="00f0a1b2c3" AND severity>=INFO)`
	if got := res.Manifest.Filters[snapshot.RequestsFile]; got != want {
		t.Errorf("requests filter:\n got %s\nwant %s", got, want)
	}
	if res.Requests != 10 || res.SystemEntries != 2 {
		t.Errorf("%d requests and %d system entries, want 10 and 2 (strays left out)", res.Requests, res.SystemEntries)
	}
}

func TestLiveNoCredentials(t *testing.T) {
	// A credentials file that does not exist makes the search fail at once,
	// without looking for a metadata server.
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	cfg := Config{Project: "p", Region: "r", Service: "s", Start: tStart, End: tStart.Add(time.Hour), OutDir: t.TempDir()}
	start := time.Now()
	_, err := Collect(deadline(t), cfg)
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("err = %v, want ErrNoCredentials", err)
	}
	if !strings.Contains(err.Error(), "gcloud auth application-default login") || strings.Count(err.Error(), "\n") > 0 {
		t.Errorf("err = %q, want one line naming gcloud auth application-default login", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("failing took %s", el)
	}
}

func TestConfigErrors(t *testing.T) {
	ok := Config{Project: "p", Region: "r", Service: "s", Start: tStart, End: tStart.Add(time.Hour), OutDir: "x"}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no project", func(c *Config) { c.Project = "" }, "no project"},
		{"empty window", func(c *Config) { c.End = c.Start }, "window 2026-11-20T10:00:00Z to 2026-11-20T10:00:00Z is empty"},
		{"page size", func(c *Config) { c.PageSize = 5000 }, "page size 5000: want 1 to 1000"},
		{"no output", func(c *Config) { c.OutDir = "" }, "no output directory"},
		{"output not empty", func(c *Config) { c.OutDir = "." }, "output directory . is not empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			_, err := Collect(deadline(t), c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestListServices(t *testing.T) {
	dir, _, _ := writeSynth(t, synth{requests: 1})
	fake := startFake(t, dir)
	ctx := deadline(t)
	c, err := Dial(ctx, fake.Addr())
	must(t, err)
	defer c.Close()
	if _, err := c.ListServices(ctx, tProject, "-"); err == nil || c.Calls()["ListServices"] != 0 {
		t.Errorf("region -: err %v after %d calls; want a refusal before any call (the API refuses the wildcard)", err, c.Calls()["ListServices"])
	}
	got, err := c.ListServices(ctx, tProject, tRegion)
	must(t, err)
	want := []*model.ServiceConfig{{Project: tProject, Region: tRegion, Name: tService, CPU: 1, MemoryMiB: 2048,
		Concurrency: 4, MaxInstances: 20, Billing: model.BillingRequest, Revisions: []string{tService + "-00001-abc"},
		Containers: 1, ScalingMode: model.ScalingAutomatic}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}
	none, err := c.ListServices(ctx, "other-project", tRegion)
	must(t, err)
	if len(none) != 0 {
		t.Errorf("other project: %d services, want 0", len(none))
	}
}

func TestBackoff(t *testing.T) {
	r := Retry{Attempts: 8, Initial: time.Second, Max: 8 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 7: 8 * time.Second} {
		for range 20 {
			if d := r.backoff(n); d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", n, d, want/2, want)
			}
		}
	}
}

// TestLiveFidelity checks that the collected files are the REST JSON a log
// sink and the Monitoring API write (camelCase names, int64 as strings,
// Durations as "0.702123456s"), that no field the offline readers use is
// lost on the way (logadmin drops spanId, traceSampled, receiveTimestamp
// and httpRequest.protocol), and that the readers see the same data.
func TestLiveFidelity(t *testing.T) {
	dir, _, _ := writeSynth(t, synth{requests: 3, system: 2, metrics: true})
	fake := startFake(t, dir)
	cfg := testConfig(t, fake)
	_, err := Collect(deadline(t), cfg)
	must(t, err)

	line := firstLine(t, filepath.Join(cfg.OutDir, snapshot.RequestsFile))
	for _, want := range []string{`"requestSize":"1234"`, `"responseSize":"56"`, `"latency":"0.702123456s"`, `"status":200`,
		`"spanId":"0123456789abcdef"`, `"traceSampled":true`, `"receiveTimestamp":"2026-11-20T10:00:01Z"`, `"protocol":"HTTP/1.1"`,
		`"insertId":"req-00000"`, `"logName":"projects/demo-project/logs/run.googleapis.com%2Frequests"`, `"severity":"INFO"`} {
		if !strings.Contains(line, want) {
			t.Errorf("first request line lacks %s:\n%s", want, line)
		}
	}
	metric, err := os.ReadFile(filepath.Join(cfg.OutDir, model.MetricFile("run.googleapis.com/request_count")))
	must(t, err)
	for _, want := range []string{`"timeSeries": [`, `"int64Value": "3"`, `"metricKind": "DELTA"`, `"endTime": "2026-11-20T10:01:00Z"`, `"unit": "1"`} {
		if !strings.Contains(string(metric), want) {
			t.Errorf("request_count.json lacks %s", want)
		}
	}

	src, err := snapshot.Load(dir)
	must(t, err)
	got, err := snapshot.Load(cfg.OutDir)
	must(t, err)
	if diff := cmp.Diff(src.Requests, got.Requests); diff != "" {
		t.Errorf("requests as read (-source +collected):\n%s", diff)
	}
	if diff := cmp.Diff(src.Events, got.Events); diff != "" {
		t.Errorf("events as read (-source +collected):\n%s", diff)
	}
	if diff := cmp.Diff(src.Metrics, got.Metrics); diff != "" {
		t.Errorf("metrics as read (-source +collected):\n%s", diff)
	}
	if diff := cmp.Diff(src.Service, got.Service); diff != "" {
		t.Errorf("service as read (-source +collected):\n%s", diff)
	}
}

func firstLine(t *testing.T, path string) string {
	t.Helper()
	line, _, _ := bufio.NewReader(bytes.NewReader(logtest.Gunzip(t, path))).ReadLine()
	return string(line)
}

func TestProgress(t *testing.T) {
	var buf strings.Builder
	p := newProgress(&buf, "requests", tStart, tStart.Add(time.Hour))
	p.tick(10, 1, tStart.Add(time.Minute)) // under a second: quiet
	p.start = time.Now().Add(-2 * time.Second)
	p.last = p.start
	p.tick(2000, 2, tStart.Add(30*time.Minute))
	p.done(4000, 4)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "requests: 2000 entries, 2 pages, 1000 entries/s, 50% of the window, ETA 2s") ||
		!strings.HasPrefix(lines[1], "requests: 4000 entries, 4 pages in 2") {
		t.Errorf("progress:\n%s", buf.String())
	}
}

func TestLiveInterrupted(t *testing.T) {
	dir, wantReq, _ := writeSynth(t, synth{requests: 2500, system: 1, metrics: true})
	fake := startFake(t, dir)
	fake.Inject(fakegcp.Fault{Page: 2, Match: "requests", Delay: 30 * time.Second})
	cfg := testConfig(t, fake)
	ctx, cancel := context.WithTimeout(deadline(t), time.Second)
	defer cancel()
	res, err := Collect(ctx, cfg)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's end", err)
	}
	checkStoppedAt(t, res, cfg, wantReq[:1000], "2026-11-20T10:08:19.5Z", "context deadline exceeded")
}

// checkStoppedAt checks a collection of the synthetic hour that stopped
// reading logs early: it kept the request entries given, and the
// manifest's warnings name the unread rest of each log, the requests' from
// the time given, for the reason given.
func checkStoppedAt(t *testing.T, res *Result, cfg Config, kept []string, from, why string) {
	t.Helper()
	if got := insertIDs(t, filepath.Join(cfg.OutDir, snapshot.RequestsFile)); !cmp.Equal(got, kept) {
		t.Errorf("kept %d request entries, want the first %d", len(got), len(kept))
	}
	want := []string{
		"gap: requests entries from " + from + " to 2026-11-20T11:00:00Z were not read: " + why,
		"gap: system entries from 2026-11-20T10:00:00Z to 2026-11-20T11:00:00Z were not read: " + why,
	}
	if diff := cmp.Diff(want, res.Manifest.Warnings); diff != "" {
		t.Errorf("manifest warnings:\n%s", diff)
	}
}
