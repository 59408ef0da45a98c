package snapshot

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
)

func testEntries() []collect.LogEntry {
	return []collect.LogEntry{
		{
			LogName:   "projects/p/logs/run.googleapis.com%2Frequests",
			Resource:  &collect.MonitoredResource{Type: "cloud_run_revision", Labels: map[string]string{"service_name": "s", "location": "europe-west1"}},
			Timestamp: "2024-03-14T10:00:00.123456Z",
			Severity:  "INFO",
			InsertID:  "65f2cb200001e24000000001",
			HTTPRequest: &collect.HTTPRequest{
				RequestMethod: "POST", RequestURL: "https://s.a.run.app/predict?a=1&b=<2>",
				RequestSize: 51234, Status: 200, ResponseSize: 250, Latency: "0.700123456s",
			},
			Labels: map[string]string{"instanceId": "00ab"},
		},
		{
			LogName:     "projects/p/logs/run.googleapis.com%2Fvarlog%2Fsystem",
			Timestamp:   "2024-03-14T10:00:00.000001Z",
			TextPayload: "Starting new instance. Reason: AUTOSCALING - Instance started due to configured scaling factors.",
			Labels:      map[string]string{"instanceId": "00ab", "scaling_reason": "AUTOSCALING"},
		},
	}
}

func TestWriteEntriesRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", RequestsFile)
	want := testEntries()
	if err := WriteEntries(path, want); err != nil {
		t.Fatal(err)
	}
	var got []collect.LogEntry
	lines := strings.Split(strings.TrimSuffix(string(logtest.Gunzip(t, path)), "\n"), "\n")
	for i, line := range lines {
		var e collect.LogEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		got = append(got, e)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries differ after the round trip (-want +got):\n%s", diff)
	}
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	// One compact object per line, sizes as strings, no HTML escaping.
	for _, s := range []string{`"requestSize":"51234"`, `b=<2>`, `"latency":"0.700123456s"`} {
		if !strings.Contains(lines[0], s) {
			t.Errorf("line 1 = %s\nwant it to contain %s", lines[0], s)
		}
	}
}

func TestWriteEntriesDeterministic(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.ndjson.gz"), filepath.Join(dir, "b.ndjson.gz")
	if err := WriteEntries(a, testEntries()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // a header with a time in it would now differ
	if err := WriteEntries(b, testEntries()); err != nil {
		t.Fatal(err)
	}
	ba, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ba, bb) {
		t.Fatalf("two writes of the same entries differ: %d and %d bytes", len(ba), len(bb))
	}
	// RFC 1952 header: ID1 ID2 CM FLG MTIME(4) XFL OS.
	if len(ba) < 10 || ba[0] != 0x1f || ba[1] != 0x8b {
		t.Fatalf("not gzip: % x", ba[:min(len(ba), 10)])
	}
	if flg := ba[3]; flg != 0 {
		t.Errorf("gzip FLG = %#x, want 0 (no name, comment or extra field)", flg)
	}
	if mtime := ba[4:8]; !bytes.Equal(mtime, []byte{0, 0, 0, 0}) {
		t.Errorf("gzip MTIME = % x, want zero", mtime)
	}
}

func TestWriteJSONFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), MetricFile("run.googleapis.com/request_count"))
	v := map[string]any{"b": []int{1, 2}, "a": "x<y"}
	if err := WriteJSON(path, v); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": \"x<y\",\n  \"b\": [\n    1,\n    2\n  ]\n}\n"
	if string(got) != want {
		t.Errorf("WriteJSON wrote\n%q\nwant\n%q", got, want)
	}
}

func TestWriteJSONAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ServiceFile)
	if err := WriteJSON(path, map[string]int{"old": 1}); err != nil {
		t.Fatal(err)
	}
	// A value encoding/json refuses: the old file must stay whole.
	if err := WriteJSON(path, map[string]any{"bad": make(chan int)}); err == nil {
		t.Fatal("WriteJSON of a channel succeeded, want an error")
	} else if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
	// A failing fill inside the atomic write: again the old file stays.
	if err := WriteEntries(path, []collect.LogEntry{{LogName: "x", JSONPayload: json.RawMessage(`{bad`)}}); err == nil {
		t.Fatal("WriteEntries of an invalid payload succeeded, want an error")
	}
	got, _ := os.ReadFile(path)
	if string(got) != "{\n  \"old\": 1\n}\n" {
		t.Errorf("content after failed writes = %q, want the old content", got)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files left in the directory: %v, want only %s", names, ServiceFile)
	}
}

func TestWriteManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	start := time.Date(2024, 3, 14, 9, 59, 30, 0, time.UTC)
	m := model.Manifest{
		Project: "p", Region: "europe-west1", Service: "s",
		Window:  model.Window{Start: start, End: start.Add(7 * time.Minute)},
		Filters: map[string]string{RequestsFile: `timestamp >= "2024-03-14T09:59:30Z"`},
	}
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, s := range []string{
		`"schema": "runlens.snapshot/v1"`,
		`"start": "2024-03-14T09:59:30Z"`,
		`"end": "2024-03-14T10:06:30Z"`,
		`"api_calls": {}`,
		`"warnings": []`,
		`timestamp >= \"2024-03-14T09:59:30Z\"`,
	} {
		if !strings.Contains(text, s) {
			t.Errorf("manifest.json lacks %s:\n%s", s, text)
		}
	}
	if strings.Index(text, `"schema"`) > strings.Index(text, `"api_calls"`) {
		t.Errorf("api_calls comes before schema:\n%s", text)
	}
	var back model.Manifest
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	m.Schema = model.SnapshotSchema
	m.APICalls, m.Warnings = map[string]int{}, []string{}
	if diff := cmp.Diff(m, back); diff != "" {
		t.Errorf("manifest after the round trip (-want +got):\n%s", diff)
	}
}

func TestMetricFile(t *testing.T) {
	for metric, want := range map[string]string{
		"run.googleapis.com/request_count":                       "metrics/request_count.json",
		"run.googleapis.com/container/cpu/utilizations":          "metrics/cpu_utilizations.json",
		"run.googleapis.com/container/instance_count":            "metrics/instance_count.json",
		"run.googleapis.com/container/max_request_concurrencies": "metrics/max_request_concurrencies.json",
	} {
		t.Run(want, func(t *testing.T) {
			if got := MetricFile(metric); got != want {
				t.Errorf("MetricFile(%q) = %q, want %q", metric, got, want)
			}
		})
	}
}
