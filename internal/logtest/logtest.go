// Package logtest makes and reads request logs for tests: generated Cloud
// Run request entries as a log sink writes them (NDJSON), any NDJSON as
// gcloud prints it (a pretty JSON array), gzipped bytes, and the text of a
// gzipped file.
package logtest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"testing"

	"github.com/runlens/runlens/collect/sim/large"
)

// NDJSON returns n generated request entries, one per line.
func NDJSON(t testing.TB, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := large.Write(&b, large.Options{Requests: n, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Array writes lines of NDJSON as gcloud writes an array: indented by two
// spaces, one element after another.
func Array(t testing.TB, ndjson []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, e := range Elements(t, ndjson) {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  ")
		b.Write(e)
	}
	b.WriteString("\n]\n")
	return b.Bytes()
}

// Elements returns each line of NDJSON as gcloud prints it as an element of
// an array: indented by two spaces in an array indented by two.
func Elements(t testing.TB, ndjson []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, l := range bytes.Split(bytes.TrimSpace(ndjson), []byte("\n")) {
		var v any
		if err := json.Unmarshal(l, &v); err != nil {
			t.Fatal(err)
		}
		e, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// Gunzip returns the text of a gzipped file, as a snapshot's logs are.
func Gunzip(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Gzip returns b gzipped.
func Gzip(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
