package snapshot

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/internal/atomicfile"
	"github.com/runlens/runlens/model"
)

// Names of the files in a snapshot directory.
const (
	ManifestFile = "manifest.json"
	RequestsFile = "requests.ndjson.gz" // run.googleapis.com/requests entries
	SystemFile   = "system.ndjson.gz"   // run.googleapis.com/varlog/system entries
	SummaryFile  = "summary.json"       // the request log's summary, where it was read as one (collect -bigquery)
	ServiceFile  = "service.json"
	// RevisionsFile holds the Admin API v2 Revisions of the revisions the
	// service's traffic names without a share ({"revisions": [...]}).
	RevisionsFile = "revisions.json"
	MetricsDir    = model.MetricsDir // one ListTimeSeries response per metric
	ClientDir     = "client"         // load-test result files, as the tool wrote them
)

// WriteJSON writes v as indented JSON (two spaces, a trailing newline, no
// HTML escaping) to path, atomically; the directory is created if needed.
func WriteJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return writeFile(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// WriteEntries writes log entries to path as gzip-compressed NDJSON, one
// compact LogEntry per line, the way a log sink stores them. The output
// depends on the entries only: the gzip header carries no name and a zero
// modification time. The file is replaced atomically.
func WriteEntries(path string, entries []collect.LogEntry) error {
	return writeFile(path, EntriesFill(entries))
}

// EntriesFill writes entries as WriteEntries does, for an atomicfile.Set.
func EntriesFill(entries []collect.LogEntry) func(io.Writer) error {
	return func(w io.Writer) error {
		zw := gzip.NewWriter(w) // zero Header: no name, no ModTime
		bw := bufio.NewWriterSize(zw, 64<<10)
		enc := json.NewEncoder(bw) // Encode ends every entry with "\n"
		enc.SetEscapeHTML(false)
		for i := range entries {
			if err := enc.Encode(&entries[i]); err != nil {
				return fmt.Errorf("entry %d: %w", i+1, err)
			}
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return zw.Close()
	}
}

// manifestJSON always states the API calls and warnings, even when there
// are none, so a reader of manifest.json sees "none" rather than "unknown".
type manifestJSON struct {
	model.Manifest
	APICalls map[string]int `json:"api_calls"`
	Warnings []string       `json:"warnings"`
}

// WriteManifest writes m to dir/manifest.json, creating dir if needed. The
// schema defaults to collect.SnapshotSchema.
func WriteManifest(dir string, m model.Manifest) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return atomicfile.Write(filepath.Join(dir, ManifestFile), ManifestFill(m))
}

// ManifestFill writes m as WriteManifest does, for an atomicfile.Set.
func ManifestFill(m model.Manifest) func(io.Writer) error {
	if m.Schema == "" {
		m.Schema = model.SnapshotSchema
	}
	out := manifestJSON{Manifest: m, APICalls: m.APICalls, Warnings: m.Warnings}
	if out.APICalls == nil {
		out.APICalls = map[string]int{}
	}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	return func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
}

// writeFile creates path's directory and writes path atomically.
func writeFile(path string, fill func(io.Writer) error) error {
	if path != "-" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return atomicfile.Write(path, fill)
}
