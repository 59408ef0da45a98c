package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/model"
)

// rewrite copies a fixture snapshot to dir with its service renamed (every
// string holding the old name) and every timestamp moved so that the
// window starts at the minute start: several fixtures then become services
// of one project over one night, as fake-gcp serves them. Client files and
// READMEs are left out: an audit reads no load test.
func rewrite(t *testing.T, fixture, dir, name string, start time.Time) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixture, "manifest.json"))
	must(t, err)
	var m model.Manifest
	must(t, json.Unmarshal(b, &m))
	rw := rewriter{old: m.Service, new: name, shift: start.Sub(m.Window.Start.Truncate(time.Minute))}
	if name == "" {
		rw.new = m.Service
	}
	rw.tree(t, fixture, dir)
}

type rewriter struct {
	old, new string
	shift    time.Duration
}

// value rewrites strings inside a decoded JSON value.
func (rw rewriter) value(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = rw.value(e)
		}
	case []any:
		for i, e := range x {
			x[i] = rw.value(e)
		}
	case string:
		if ts, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return ts.Add(rw.shift).UTC().Format(time.RFC3339Nano)
		}
		return strings.ReplaceAll(x, rw.old, rw.new)
	}
	return v
}

func (rw rewriter) decode(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	must(t, dec.Decode(&v))
	return v
}

func (rw rewriter) jsonFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	must(t, err)
	out, err := json.Marshal(rw.value(rw.decode(t, b)))
	must(t, err)
	must(t, os.WriteFile(to, out, 0o644))
}

func (rw rewriter) gzipLines(t *testing.T, from, to string) {
	t.Helper()
	f, err := os.Open(from)
	must(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	must(t, err)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		out, err := json.Marshal(rw.value(rw.decode(t, sc.Bytes())))
		must(t, err)
		zw.Write(append(out, '\n'))
	}
	must(t, sc.Err())
	must(t, zw.Close())
	must(t, os.WriteFile(to, buf.Bytes(), 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// tree rewrites the snapshot files of from into to.
func (rw rewriter) tree(t *testing.T, from, to string) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Join(to, "metrics"), 0o755))
	for _, f := range []string{"manifest.json", "service.json"} {
		rw.jsonFile(t, filepath.Join(from, f), filepath.Join(to, f))
	}
	metrics, err := filepath.Glob(filepath.Join(from, "metrics", "*.json"))
	must(t, err)
	for _, f := range metrics {
		rw.jsonFile(t, f, filepath.Join(to, "metrics", filepath.Base(f)))
	}
	for _, f := range []string{"requests.ndjson.gz", "system.ndjson.gz"} {
		rw.gzipLines(t, filepath.Join(from, f), filepath.Join(to, f))
	}
}
