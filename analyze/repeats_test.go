package analyze_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/model"
)

// TestRepeatedEntriesCountedOnce repeats a fixture's log entries (every
// seventh request entry again further on, every system entry twice) and
// reads the result in each form, cutting and order of TestReportSame-
// WhateverTheLogsForm: the report is the fixture's, with one warning
// more that gives the count of repeats.
func TestRepeatedEntriesCountedOnce(t *testing.T) {
	dir := "../fixtures/paper-mobilenet"
	logs := map[string][][]byte{}
	repeats := 0
	for _, name := range []string{"requests.ndjson.gz", "system.ndjson.gz"} {
		lines := readLines(t, filepath.Join(dir, name))
		later := map[int][][]byte{} // repeats to write after line i
		for i, l := range lines {
			switch {
			case name == "system.ndjson.gz":
				later[i] = append(later[i], l)
			case i%7 == 0:
				j := min(i+40, len(lines)-1)
				later[j] = append(later[j], l)
			default:
				continue
			}
			repeats++
		}
		var out [][]byte
		for i, l := range lines {
			out = append(append(out, l), later[i]...)
		}
		logs[name] = out
	}
	want := string(fixtureReport(t, dir, model.ReadOptions{}))
	warning := fmt.Sprintf("%d entries repeat an earlier entry", repeats)
	for _, form := range logForms {
		t.Run(form.name, func(t *testing.T) {
			snap := t.TempDir()
			copyTree(t, dir, snap, func(rel string) bool { return logs[rel] != nil || rel == "README.md" })
			for name, lines := range logs {
				for f, b := range form.files(t, lines) {
					if err := os.WriteFile(filepath.Join(snap, strings.TrimSuffix(name, ".ndjson.gz")+"-"+f), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := string(fixtureReport(t, snap, form.read))
			var kept []string
			for _, l := range strings.Split(got, "\n") {
				if strings.Contains(l, warning) {
					continue
				}
				kept = append(kept, l)
			}
			if len(kept) == strings.Count(got, "\n")+1 {
				t.Errorf("no warning %q", warning)
			}
			rest := strings.Replace(strings.Join(kept, "\n"), "\"warnings\": [\n  ]", "\"warnings\": []", 1)
			if d := cmp.Diff(want, rest); d != "" {
				t.Errorf("report, its repeat warning left out, differs from the fixture's:\n%s", d)
			}
		})
	}
}
