// Package fixturetest turns the bundled fixtures into the services of one
// project for tests: a snapshot rewritten under another name and moved in
// time (Rewrite), served by fake-gcp (Serve). It also lists the fixtures
// (Dirs) and copies a snapshot's files (CopyTree).
package fixturetest

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

	"github.com/runlens/runlens/collect/gcp/fakegcp"
	"github.com/runlens/runlens/model"
)

// Serve serves snapshot directories with fake-gcp until the test ends.
func Serve(t testing.TB, dirs ...string) *fakegcp.Server {
	t.Helper()
	srv, err := fakegcp.New(dirs...)
	Must(t, err)
	Must(t, srv.Start("127.0.0.1:0"))
	t.Cleanup(srv.Stop)
	return srv
}

// Dirs lists the bundled fixture snapshots, by directory: those below
// root, the repository's fixtures directory as the test's package reaches
// it. It fails the test if there are fewer than least.
func Dirs(t testing.TB, root string, least int) []string {
	t.Helper()
	manifests, err := filepath.Glob(filepath.Join(root, "*", "manifest.json"))
	if err != nil || len(manifests) < least {
		t.Fatalf("fixtures under %s: %v, %v; want at least %d", root, manifests, err, least)
	}
	dirs := make([]string, len(manifests))
	for i, m := range manifests {
		dirs[i] = filepath.Dir(m)
	}
	return dirs
}

// CopyTree copies the files below from into to, but for those skip (if
// not nil) is true of, given their path relative to from.
func CopyTree(t testing.TB, from, to string, skip func(rel string) bool) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if skip != nil && skip(rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	Must(t, err)
}

// Rewrite copies a fixture snapshot to dir with its service renamed (every
// string holding the old name) and every timestamp moved so that the
// window starts at the minute start: several fixtures then become services
// of one project over one night, as fake-gcp serves them. Client files and
// READMEs are left out: an audit reads no load test.
func Rewrite(t testing.TB, fixture, dir, name string, start time.Time) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixture, "manifest.json"))
	Must(t, err)
	var m model.Manifest
	Must(t, json.Unmarshal(b, &m))
	rw := Rewriter{Old: m.Service, New: name, Shift: start.Sub(m.Window.Start.Truncate(time.Minute))}
	if name == "" {
		rw.New = m.Service
	}
	rw.Tree(t, fixture, dir)
}

// Rewriter rewrites a snapshot's files: every string holding Old holds
// New instead, and every timestamp moves by Shift.
type Rewriter struct {
	Old, New string
	Shift    time.Duration
}

// value rewrites strings inside a decoded JSON value.
func (rw Rewriter) value(v any) any {
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
			return ts.Add(rw.Shift).UTC().Format(time.RFC3339Nano)
		}
		return strings.ReplaceAll(x, rw.Old, rw.New)
	}
	return v
}

func (rw Rewriter) decode(t testing.TB, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	Must(t, dec.Decode(&v))
	return v
}

func (rw Rewriter) jsonFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	Must(t, err)
	out, err := json.Marshal(rw.value(rw.decode(t, b)))
	Must(t, err)
	Must(t, os.WriteFile(to, out, 0o644))
}

func (rw Rewriter) gzipLines(t testing.TB, from, to string) {
	t.Helper()
	f, err := os.Open(from)
	Must(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	Must(t, err)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		out, err := json.Marshal(rw.value(rw.decode(t, sc.Bytes())))
		Must(t, err)
		zw.Write(append(out, '\n'))
	}
	Must(t, sc.Err())
	Must(t, zw.Close())
	Must(t, os.WriteFile(to, buf.Bytes(), 0o644))
}

// Must fails the test on an error.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Tree rewrites the snapshot files of from into to.
func (rw Rewriter) Tree(t testing.TB, from, to string) {
	t.Helper()
	Must(t, os.MkdirAll(filepath.Join(to, "metrics"), 0o755))
	for _, f := range []string{"manifest.json", "service.json"} {
		rw.jsonFile(t, filepath.Join(from, f), filepath.Join(to, f))
	}
	metrics, err := filepath.Glob(filepath.Join(from, "metrics", "*.json"))
	Must(t, err)
	for _, f := range metrics {
		rw.jsonFile(t, f, filepath.Join(to, "metrics", filepath.Base(f)))
	}
	for _, f := range []string{"requests.ndjson.gz", "system.ndjson.gz"} {
		rw.gzipLines(t, filepath.Join(from, f), filepath.Join(to, f))
	}
}
