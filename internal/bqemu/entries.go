package bqemu

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/snapshot"
)

// ReadSnapshot reads the log entries of a snapshot directory (a fixture):
// its request entries, then its system entries.
func ReadSnapshot(dir string) ([]collect.LogEntry, error) {
	var all []collect.LogEntry
	for _, f := range []string{snapshot.RequestsFile, snapshot.SystemFile} {
		es, err := ReadEntries(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		all = append(all, es...)
	}
	return all, nil
}

// ReadEntries reads a file of LogEntry JSON objects, one a line, gzipped
// when its name ends in .gz.
func ReadEntries(path string) ([]collect.LogEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	var out []collect.LogEntry
	dec := json.NewDecoder(r)
	for {
		var e collect.LogEntry
		if err := dec.Decode(&e); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("reading %s: entry %d: %w", path, len(out)+1, err)
		}
		out = append(out, e)
	}
}
