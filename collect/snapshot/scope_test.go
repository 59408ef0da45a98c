package snapshot

import (
	"bytes"
	"encoding/json"
	"io"
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

// copyFixture copies a fixture snapshot into a temporary directory.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("..", "..", "fixtures", name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
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
	metric := filepath.Join(dir, MetricFile("run.googleapis.com/request_count"))
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
