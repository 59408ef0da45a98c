package analyze_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/internal/fixturetest"
	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/sim/large"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/render"
)

// A log's form, its cutting into files and chunks, the order of its files
// and the number of workers change nothing in the report: these are the
// forms a log is given in here.
type logForm struct {
	name  string
	files func(t testing.TB, lines [][]byte) map[string][]byte // file name to content
	read  model.ReadOptions
}

var logForms = []logForm{
	{name: "ndjson", files: asNDJSON},
	{name: "array", files: asArray},
	{name: "gzip", files: asGzip},
	{name: "seven-files-shuffled", files: asPieces(7)},
	{name: "one-worker", files: asNDJSON, read: model.ReadOptions{Workers: 1}},
	{name: "eight-workers", files: asNDJSON, read: model.ReadOptions{Workers: 8}},
	{name: "chunks-4KiB", files: asNDJSON, read: model.ReadOptions{ChunkBytes: 4 << 10}},
	{name: "chunks-1MiB", files: asNDJSON, read: model.ReadOptions{ChunkBytes: 1 << 20}},
	{name: "array-chunks-4KiB-one-worker", files: asArray, read: model.ReadOptions{ChunkBytes: 4 << 10, Workers: 1}},
}

func asNDJSON(_ testing.TB, lines [][]byte) map[string][]byte {
	return map[string][]byte{"log.ndjson": append(bytes.Join(lines, []byte("\n")), '\n')}
}

// asArray is gcloud logging read --format=json: one pretty-printed array.
func asArray(t testing.TB, lines [][]byte) map[string][]byte {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, l := range lines {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  ")
		if err := json.Indent(&b, l, "  ", "  "); err != nil {
			t.Fatal(err)
		}
	}
	b.WriteString("\n]\n")
	return map[string][]byte{"log.json": b.Bytes()}
}

func asGzip(t testing.TB, lines [][]byte) map[string][]byte {
	return map[string][]byte{"log.ndjson.gz": logtest.Gzip(t, asNDJSON(t, lines)["log.ndjson"])}
}

// asPieces cuts the log into n runs of lines, in files whose names put
// them in a shuffled order.
func asPieces(n int) func(testing.TB, [][]byte) map[string][]byte {
	return func(t testing.TB, lines [][]byte) map[string][]byte {
		order := rand.New(rand.NewPCG(3, 4)).Perm(n)
		out := map[string][]byte{}
		for i := range n {
			part := lines[i*len(lines)/n : (i+1)*len(lines)/n]
			if len(part) == 0 {
				continue
			}
			out[fmt.Sprintf("piece-%d.ndjson", order[i])] = asNDJSON(t, part)["log.ndjson"]
		}
		return out
	}
}

// readLines reads the lines of a log file, gzipped or not.
func readLines(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	var out [][]byte
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			out = append(out, bytes.Clone(l))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// reportJSON is the report's JSON without what names the input files or
// the time it was made: its sources and its generation time.
func reportJSON(t testing.TB, rpt *analyze.Report) []byte {
	t.Helper()
	rpt.Sources = nil
	var b bytes.Buffer
	if err := render.JSON(&b, rpt); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// snapshot copies the fixture snapshot dir into a temporary directory
// with its logs given in the form: logs holds each log's lines by the
// fixture's file name.
func (form logForm) snapshot(t testing.TB, dir string, logs map[string][][]byte) string {
	t.Helper()
	snap := t.TempDir()
	fixturetest.CopyTree(t, dir, snap, func(rel string) bool { return logs[rel] != nil || rel == "README.md" })
	for name, lines := range logs {
		for f, b := range form.files(t, lines) {
			if err := os.WriteFile(filepath.Join(snap, strings.TrimSuffix(name, ".ndjson.gz")+"-"+f), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return snap
}

// TestReportSameWhateverTheLogsForm reads every fixture's logs in each
// form and checks that the report's JSON is the same, byte for byte.
func TestReportSameWhateverTheLogsForm(t *testing.T) {
	for _, dir := range fixturetest.Dirs(t, "../fixtures", 5) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			logs := map[string][][]byte{}
			for _, name := range []string{"requests.ndjson.gz", "system.ndjson.gz"} {
				logs[name] = readLines(t, filepath.Join(dir, name))
			}
			want := fixtureReport(t, dir, model.ReadOptions{})
			for _, form := range logForms {
				t.Run(form.name, func(t *testing.T) {
					got := fixtureReport(t, form.snapshot(t, dir, logs), form.read)
					if !bytes.Equal(got, want) {
						t.Errorf("report differs from the fixture's as given:\n%s", cmp.Diff(string(want), string(got)))
					}
				})
			}
		})
	}
}

func fixtureReport(t testing.TB, dir string, read model.ReadOptions) []byte {
	t.Helper()
	ds, err := snapshot.LoadTuned(dir, summary.New(), read)
	if err != nil {
		t.Fatal(err)
	}
	return reportJSON(t, analyze.Run(ds, analyze.Options{}))
}

// TestLargeReportSameWhateverTheLogsForm is the same over 200,000
// generated requests (a day of traffic): past every exact limit, the
// sketched and swept figures are as independent of the form.
func TestLargeReportSameWhateverTheLogsForm(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	var b bytes.Buffer
	if err := large.Write(&b, large.Options{Requests: n, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(b.Bytes()), []byte("\n"))
	b = bytes.Buffer{}
	var want []byte
	for _, form := range append([]logForm{{name: "ndjson", files: asNDJSON}}, logForms...) {
		t.Run(form.name, func(t *testing.T) {
			dir := t.TempDir()
			var files []string
			for f, data := range form.files(t, lines) {
				path := filepath.Join(dir, f)
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				files = append(files, path)
			}
			ds, err := snapshot.Read(snapshot.Inputs{Logs: files, Sink: summary.New(), Read: form.read})
			if err != nil {
				t.Fatal(err)
			}
			got := reportJSON(t, analyze.Run(ds, analyze.Options{}))
			if want == nil {
				want = got
				return
			}
			if !bytes.Equal(got, want) {
				t.Errorf("report differs from the NDJSON file's:\n%s", cmp.Diff(string(want), string(got)))
			}
		})
	}
}

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
			got := string(fixtureReport(t, form.snapshot(t, dir, logs), form.read))
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
