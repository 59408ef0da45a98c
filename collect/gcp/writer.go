package gcp

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"cloud.google.com/go/logging/apiv2/loggingpb"

	"github.com/runlens/runlens/internal/atomicfile"
)

// entryWriter writes log entries as a log sink does: gzip-compressed
// NDJSON, one LogEntry in its JSON form per line.
type entryWriter struct {
	bw      *bufio.Writer
	buf     []byte
	n       int   // entries written
	skipped int   // entries that could not be converted to JSON
	first   error // why the first of them was skipped
}

// writeError is a failure to write the snapshot, as opposed to reading
// from the API: it is never retried.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// write appends one entry. An entry protojson cannot convert (a payload
// of a type this build does not know) is counted and skipped.
func (w *entryWriter) write(e *loggingpb.LogEntry) error {
	b, err := protojson.MarshalOptions{}.MarshalAppend(w.buf[:0], e)
	if err != nil {
		if w.skipped++; w.first == nil {
			w.first = fmt.Errorf("entry %s: %w", e.GetInsertId(), err)
		}
		return nil
	}
	w.buf = append(b, '\n')
	if _, err := w.bw.Write(w.buf); err != nil {
		return &writeError{err}
	}
	w.n++
	return nil
}

// writeEntries creates path atomically and fills it through fill. The file
// is kept even when fill reports a read failure, so that what was read
// before a gap is not lost; only a write failure discards it.
func writeEntries(path string, fill func(w *entryWriter) error) (*entryWriter, error) {
	ew := &entryWriter{}
	var readErr error
	err := writeFile(path, func(f io.Writer) error {
		zw := gzip.NewWriter(f) // zero header: no name, no time
		ew.bw = bufio.NewWriterSize(zw, 256<<10)
		readErr = fill(ew)
		if _, ok := readErr.(*writeError); ok {
			return readErr
		}
		if err := ew.bw.Flush(); err != nil {
			return err
		}
		return zw.Close()
	})
	if err != nil {
		return ew, err
	}
	return ew, readErr
}

// writeFile creates path's directory and writes path atomically.
func writeFile(path string, fill func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return atomicfile.Write(path, fill)
}

// writeProtoJSON writes messages in their JSON form, indented, inside a
// JSON object: {"key": [m, ...], extra...}, or just m when key is "".
func writeProtoJSON(path, key string, msgs []proto.Message, extra map[string]string) error {
	var raw bytes.Buffer
	if key != "" {
		fmt.Fprintf(&raw, "{%q:[", key)
	}
	for i, m := range msgs {
		if i > 0 {
			raw.WriteByte(',')
		}
		b, err := protojson.Marshal(m)
		if err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		raw.Write(b)
	}
	if key != "" {
		raw.WriteByte(']')
		for k, v := range extra {
			fmt.Fprintf(&raw, ",%q:%q", k, v)
		}
		raw.WriteByte('}')
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw.Bytes(), "", "  "); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	out.WriteByte('\n')
	return writeFile(path, func(w io.Writer) error {
		_, err := w.Write(out.Bytes())
		return err
	})
}
