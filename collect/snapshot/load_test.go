package snapshot

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/model"
)

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
	for _, f := range []string{ServiceFile, MetricFile("run.googleapis.com/request_count"), MetricFile("run.googleapis.com/container/instance_count")} {
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
