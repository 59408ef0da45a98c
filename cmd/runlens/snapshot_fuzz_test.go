package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/runlens/runlens/internal/logtest"
)

// fuzzFixture is the snapshot the fuzz seeds come from.
const fuzzFixture = "../../fixtures/paper-mobilenet"

// FuzzSnapshotReport writes a whole snapshot (manifest, request and
// system logs, one metric, the service, one client file) from fuzzed bytes,
// seeded from a few lines of each of the fixture's files, and runs
// "runlens report DIR -o page.html -json report.json" over outputs that
// hold known content. Whatever the snapshot: no panic; the outputs are
// all written (stdout too) or all left as they were, with no temporary
// file left beside them; every number in the JSON is finite. An empty
// argument leaves its file out.
func FuzzSnapshotReport(f *testing.F) {
	manifest := fuzzManifest(f)
	requests := headLines(f, filepath.Join(fuzzFixture, "requests.ndjson.gz"), 4)
	system := headLines(f, filepath.Join(fuzzFixture, "system.ndjson.gz"), 2)
	metric := readFixture(f, "metrics/request_count.json")
	service := readFixture(f, "service.json")
	client := readFixture(f, "client/mobilenet_stats.csv")
	f.Add(manifest, requests, system, metric, service, client)
	f.Add(manifest, requests, []byte{}, []byte{}, []byte{}, []byte{})
	f.Add(manifest, []byte{}, []byte{}, metric, service, client)
	f.Add([]byte{}, requests, system, metric, service, client)
	f.Fuzz(func(t *testing.T, manifest, requests, system, metric, service, client []byte) {
		dir := fuzzDir(t)
		snap, out := filepath.Join(dir, "snap"), filepath.Join(dir, "out")
		for _, p := range []string{filepath.Join(snap, "metrics"), filepath.Join(snap, "client"), out} {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for name, b := range map[string][]byte{
			"manifest.json": manifest, "requests.ndjson": requests, "system.ndjson": system,
			"metrics/request_count.json": metric, "service.json": service, "client/run_stats.csv": client,
		} {
			if len(b) > 0 {
				if err := os.WriteFile(filepath.Join(snap, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		page, js := filepath.Join(out, "page.html"), filepath.Join(out, "report.json")
		const oldPage, oldJSON = "old page", "old json"
		must(t, os.WriteFile(page, []byte(oldPage), 0o644))
		must(t, os.WriteFile(js, []byte(oldJSON), 0o644))

		var stdout bytes.Buffer
		err := run(&stdout, io.Discard, []string{"report", snap, "-o", page, "-json", js})

		gotPage, gotJSON := readOrEmpty(t, page), readOrEmpty(t, js)
		if ents, _ := os.ReadDir(out); len(ents) != 2 {
			t.Errorf("%d files in the output directory, want page.html and report.json only", len(ents))
		}
		if err != nil {
			if gotPage != oldPage || gotJSON != oldJSON || stdout.Len() > 0 {
				t.Fatalf("the run failed (%v) but changed its outputs: page %.20q, json %.20q, stdout %d bytes", err, gotPage, gotJSON, stdout.Len())
			}
			return
		}
		if gotPage == oldPage || gotJSON == oldJSON || stdout.Len() == 0 {
			t.Fatalf("the run succeeded but left an output as it was: page %.20q, json %.20q, stdout %d bytes", gotPage, gotJSON, stdout.Len())
		}
		if err := finiteNumbers([]byte(gotJSON)); err != nil {
			t.Fatalf("report.json: %v", err)
		}
	})
}

// fuzzDir is a directory for one input: in memory where the machine has
// /dev/shm, as the outputs are synced to disk each time.
func fuzzDir(t *testing.T) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "runlens-fuzz-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

// fuzzManifest is the fixture's manifest without its filters and
// sources, which the report does not need, and with a window of 20 s
// around the seed's requests: a small seed, and a small page to render
// (its charts span the window).
func fuzzManifest(f *testing.F) []byte {
	var m map[string]any
	if err := json.Unmarshal(readFixture(f, "manifest.json"), &m); err != nil {
		f.Fatal(err)
	}
	delete(m, "filters")
	delete(m, "sources")
	delete(m, "api_calls")
	m["window"] = map[string]string{"start": "2024-03-14T09:59:50Z", "end": "2024-03-14T10:00:10Z"}
	b, err := json.Marshal(m)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func readFixture(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join(fuzzFixture, name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// headLines is the first n lines of a gzipped log.
func headLines(f *testing.F, path string, n int) []byte {
	lines := strings.SplitAfterN(string(logtest.Gunzip(f, path)), "\n", n+1)
	return []byte(strings.Join(lines[:min(n, len(lines))], ""))
}

func readOrEmpty(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

// finiteNumbers checks that every number in a JSON document is finite.
func finiteNumbers(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if n, ok := tok.(json.Number); ok {
			if v, err := strconv.ParseFloat(string(n), 64); err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				return errors.New("number " + string(n) + " is not finite")
			}
		}
	}
}
