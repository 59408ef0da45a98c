package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/internal/fixturetest"
)

// paperCopy is a copy of the paper-mobilenet snapshot (client files left
// out) whose manifest edit may change.
func paperCopy(t *testing.T, edit func(m map[string]any)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	fixturetest.Rewrite(t, paper, dir, "", time.Date(2024, 3, 14, 9, 59, 0, 0, time.UTC))
	path := filepath.Join(dir, "manifest.json")
	b, err := os.ReadFile(path)
	must(t, err)
	var m map[string]any
	must(t, json.Unmarshal(b, &m))
	edit(m)
	b, err = json.Marshal(m)
	must(t, err)
	must(t, os.WriteFile(path, b, 0o644))
	return dir
}

// A reversed or empty window, in a manifest or on the command line, is an
// error naming the file or the flag.
func TestReportBadWindow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		window map[string]any
		want   string
	}{
		{"reversed", map[string]any{"start": "2024-03-14T10:06:40Z", "end": "2024-03-14T09:59:30Z"},
			"window 2024-03-14T10:06:40Z to 2024-03-14T09:59:30Z is reversed: its start must come before its end"},
		{"empty", map[string]any{"start": "2024-03-14T09:59:30Z", "end": "2024-03-14T09:59:30Z"},
			"window 2024-03-14T09:59:30Z to 2024-03-14T09:59:30Z is empty"},
	} {
		t.Run("manifest "+tc.name, func(t *testing.T) {
			dir := paperCopy(t, func(m map[string]any) { m["window"] = tc.window })
			_, _, err := runCLI(t, "report", dir, "-format", "none")
			manifest := filepath.Join(dir, "manifest.json")
			if err == nil || !strings.Contains(err.Error(), manifest) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %s and saying %q", err, manifest, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"collect reversed", []string{"collect", "-service", "s", "-o", t.TempDir(), "-start", "2024-03-14T10:00:00Z", "-end", "2024-03-14T09:00:00Z"},
			"-start 2024-03-14T10:00:00Z is not before -end 2024-03-14T09:00:00Z"},
		{"collect empty", []string{"collect", "-service", "s", "-o", t.TempDir(), "-start", "2024-03-14T10:00:00Z", "-end", "2024-03-14T10:00:00Z"},
			"-start 2024-03-14T10:00:00Z is not before -end 2024-03-14T10:00:00Z"},
		{"report reversed", []string{"report", "-service", "s", "-start", "2024-03-14T10:00:00Z", "-end", "2024-03-14T09:00:00Z"},
			"-start 2024-03-14T10:00:00Z is not before -end 2024-03-14T09:00:00Z"},
		{"audit reversed", []string{"audit", "-start", "2024-03-14T10:00:00Z", "-end", "2024-03-14T09:00:00Z"},
			"-start 2024-03-14T10:00:00Z is not before -end 2024-03-14T09:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(tc.args, "-endpoint", "127.0.0.1:1", "-project", "p", "-region", "europe-west1")
			_, _, err := liveCLI(t, args...)
			if err == nil || exitCode(err) != exitUsage || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v (exit %d), want usage error %q", err, exitCode(err), tc.want)
			}
		})
	}
}

// A snapshot without its manifest is a collection that did not finish:
// report refuses it and says to collect again, where it used to report
// "server 0" and exit 0.
func TestReportSnapshotWithoutManifest(t *testing.T) {
	dir := paperCopy(t, func(map[string]any) {})
	for _, f := range []string{"manifest.json", "requests.ndjson.gz", "system.ndjson.gz"} {
		must(t, os.Remove(filepath.Join(dir, f)))
	}
	stdout, _, err := runCLI(t, "report", dir)
	if err == nil || exitCode(err) != exitError || !strings.Contains(err.Error(), "snapshot "+dir+": no manifest.json") ||
		!strings.Contains(err.Error(), "collect again into an empty directory") {
		t.Errorf("err = %v (exit %d), want one naming %s and saying to collect again", err, exitCode(err), dir)
	}
	if stdout != "" {
		t.Errorf("printed a report:\n%s", stdout)
	}
}
