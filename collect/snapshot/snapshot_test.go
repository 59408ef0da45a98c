package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/internal/fixturetest"
	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
)

// copyFixture copies a fixture snapshot into a temporary directory.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	fixturetest.CopyTree(t, filepath.Join("..", "..", "fixtures", name), dst, nil)
	return dst
}

// readEntries reads a snapshot's gzipped NDJSON log file.
func readEntries(t *testing.T, path string) []collect.LogEntry {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(logtest.Gunzip(t, path)))
	var out []collect.LogEntry
	for {
		var e collect.LogEntry
		if err := dec.Decode(&e); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
}

// relabel returns a copy of entries with the resource label set and the
// timestamps moved by shift.
func relabel(t *testing.T, entries []collect.LogEntry, label, value string, shift time.Duration) []collect.LogEntry {
	t.Helper()
	var out []collect.LogEntry
	for _, e := range entries {
		b, _ := json.Marshal(e)
		var c collect.LogEntry
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		if label != "" {
			c.Resource.Labels[label] = value
		}
		ts, err := time.Parse(time.RFC3339Nano, c.Timestamp)
		if err != nil {
			t.Fatal(err)
		}
		c.Timestamp = ts.Add(shift).Format(time.RFC3339Nano)
		out = append(out, c)
	}
	return out
}

// The manifest's service, region and window are the scope: a requests
// file that also holds another service's entries, another region's and
// entries a month after the window reads as the snapshot alone, and the
// rest is counted by reason, with a warning naming the file.
func TestLoadLeavesOutEntriesOutOfScope(t *testing.T) {
	dir := copyFixture(t, "paper-mobilenet")
	want, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{RequestsFile, SystemFile} {
		path := filepath.Join(dir, file)
		own := readEntries(t, path)
		all := append([]collect.LogEntry{}, own...)
		all = append(all, relabel(t, own, "service_name", "billing-api", 0)...)
		all = append(all, relabel(t, own[:5], "location", "us-central1", 0)...)
		all = append(all, relabel(t, own[:4], "", "", 30*24*time.Hour)...)
		all = append(all, relabel(t, own[:3], "", "", -time.Hour)...)
		if err := WriteEntries(path, all); err != nil {
			t.Fatal(err)
		}
	}
	metric := filepath.Join(dir, model.MetricFile("run.googleapis.com/request_count"))
	b, err := os.ReadFile(metric)
	if err != nil {
		t.Fatal(err)
	}
	var resp collect.ListTimeSeriesResponse
	if err := json.Unmarshal(b, &resp); err != nil {
		t.Fatal(err)
	}
	other := resp.TimeSeries[0]
	other.Resource.Labels = map[string]string{"service_name": "billing-api", "location": "europe-west1"}
	resp.TimeSeries = append(resp.TimeSeries, other)
	if err := WriteJSON(metric, resp); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Metrics) != len(want.Metrics) {
		t.Errorf("read %d series, want %d: another service's series was merged", len(got.Metrics), len(want.Metrics))
	}
	if got.RequestCount() != want.RequestCount() || len(got.Events) != len(want.Events) {
		t.Errorf("read %d requests and %d events, want %d and %d: entries out of scope were merged",
			got.RequestCount(), len(got.Events), want.RequestCount(), len(want.Events))
	}
	if diff := cmp.Diff(want.Requests, got.Requests); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	n := want.RequestCount() + len(want.Events)
	wantOut := map[string]int{model.OutOtherService: n, model.OutOtherRegion: 10, model.OutAfterWindow: 8, model.OutBeforeWindow: 6,
		"series of other service or other region": 1}
	if diff := cmp.Diff(wantOut, got.OutOfScope); diff != "" {
		t.Errorf("OutOfScope (-want +got):\n%s", diff)
	}
	var warned int
	for _, w := range got.Warnings {
		if strings.Contains(w, "out of scope") && strings.Contains(w, "service mobilenet") {
			warned++
		}
	}
	if warned != 3 {
		t.Errorf("want a warning per log file saying what was out of scope; warnings:\n%s", strings.Join(got.Warnings, "\n"))
	}
}

// Loose files have no manifest, so no scope: every entry is read.
func TestReadLooseLogsHasNoScope(t *testing.T) {
	dir := copyFixture(t, "paper-mobilenet")
	path := filepath.Join(dir, RequestsFile)
	own := readEntries(t, path)
	if err := WriteEntries(path, append(own, relabel(t, own, "service_name", "billing-api", 0)...)); err != nil {
		t.Fatal(err)
	}
	ds, err := Read(Inputs{Logs: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	if ds.RequestCount() != 2*len(own) || len(ds.OutOfScope) != 0 {
		t.Errorf("read %d requests of %d, out of scope %v", ds.RequestCount(), 2*len(own), ds.OutOfScope)
	}
}

// A service resource whose figures would break the cost (a CPU of 1e308)
// is refused at input, naming the file.
func TestLoadRefusesAbsurdService(t *testing.T) {
	dir := copyFixture(t, "paper-mobilenet")
	path := filepath.Join(dir, ServiceFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, old := range []string{`"cpu": "1"`, `"cpu": "2"`, `"cpu": "4"`, `"cpu": "1000m"`, `"cpu": "2000m"`} {
		s = strings.Replace(s, old, `"cpu": "1e308"`, 1)
	}
	if s == string(b) {
		t.Fatal("no cpu limit found in the fixture's service")
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "cpu 1e+308") {
		t.Errorf("err = %v, want one naming %s and its cpu", err, path)
	}
}

// A symbolic link to a file inside a snapshot is read as the file, as a
// linked folder is followed.
func TestLoadFollowsSymlinkedFiles(t *testing.T) {
	dir := copyFixture(t, "paper-mobilenet")
	elsewhere := filepath.Join(t.TempDir(), "service.json")
	if err := os.Rename(filepath.Join(dir, ServiceFile), elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(dir, ServiceFile)); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	ds, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Service == nil {
		t.Errorf("the symlinked %s was not read", ServiceFile)
	}
}

// writeSnapshot writes a small snapshot (two log entries and a manifest
// with the given window) and returns its directory.
func writeSnapshot(t *testing.T, w model.Window) string {
	t.Helper()
	dir := t.TempDir()
	if err := WriteEntries(filepath.Join(dir, RequestsFile), testEntries()); err != nil {
		t.Fatal(err)
	}
	m := model.Manifest{Project: "p", Region: "europe-west1", Service: "s", Window: w}
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A manifest's window scopes every figure: one that is reversed, empty,
// half given, out of the years 1970-2199 or longer than 400 days is
// refused, naming the manifest.
func TestLoadRefusesBadWindow(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	start, end := at("2024-03-14T09:59:30Z"), at("2024-03-14T10:06:40Z")
	for _, tc := range []struct {
		name string
		w    model.Window
		want string // "" loads
	}{
		{"whole", model.Window{Start: start, End: end}, ""},
		{"none", model.Window{}, ""},
		{"reversed", model.Window{Start: end, End: start}, "window 2024-03-14T10:06:40Z to 2024-03-14T09:59:30Z is reversed"},
		{"empty", model.Window{Start: start, End: start}, "window 2024-03-14T09:59:30Z to 2024-03-14T09:59:30Z is empty"},
		{"no end", model.Window{Start: start}, "give both, or neither"},
		{"year 0 (found by FuzzSnapshotReport: 17 M chart points)", model.Window{Start: at("0000-01-01T00:00:00Z"), End: end}, "out of range: runlens reads years 1970 to 2199"},
		{"centuries", model.Window{Start: at("1970-01-01T00:00:00Z"), End: at("2199-12-31T00:00:00Z")}, "84005 days long: runlens reports at most 400 days"},
		{"400 days", model.Window{Start: start, End: start.Add(collect.MaxWindow)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeSnapshot(t, tc.w)
			_, err := Load(dir)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("err = %v", err)
			case tc.want == "":
			case err == nil:
				t.Errorf("loaded a snapshot whose window is %s", tc.name)
			case !strings.Contains(err.Error(), filepath.Join(dir, ManifestFile)) || !strings.Contains(err.Error(), tc.want):
				t.Errorf("err = %v, want one naming %s and saying %q", err, filepath.Join(dir, ManifestFile), tc.want)
			}
		})
	}
}

// A snapshot is valid only with its manifest, which collect writes last:
// a directory with the service and two metric files but no manifest (a
// collection that hit a full disk) is refused, saying how to redo it.
func TestLoadRefusesSnapshotWithoutManifest(t *testing.T) {
	dir := writeSnapshot(t, model.Window{})
	fixture := filepath.Join("..", "..", "fixtures", "paper-mobilenet")
	for _, f := range []string{ServiceFile, model.MetricFile("run.googleapis.com/request_count"), model.MetricFile("run.googleapis.com/container/instance_count")} {
		b, err := os.ReadFile(filepath.Join(fixture, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(filepath.Join(dir, f), json.RawMessage(b)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Load(dir); err != nil {
		t.Fatalf("with its manifest: %v", err)
	}
	if err := os.Remove(filepath.Join(dir, ManifestFile)); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	if !errors.Is(err, ErrNoManifest) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "collect again") {
		t.Errorf("err = %v, want ErrNoManifest naming %s and saying to collect again", err, dir)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil || errors.Is(err, ErrNoManifest) {
		t.Errorf("a directory that does not exist: err = %v, want it said", err)
	}
}

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
	path := filepath.Join(t.TempDir(), model.MetricFile("run.googleapis.com/request_count"))
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
			if got := model.MetricFile(metric); got != want {
				t.Errorf("model.MetricFile(%q) = %q, want %q", metric, got, want)
			}
		})
	}
}
