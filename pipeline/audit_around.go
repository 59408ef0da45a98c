package pipeline

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/snapshot"
)

// entryLogs are the snapshot's log files and the logs they hold, as Cloud
// Logging's byte_count metric names them.
var entryLogs = []struct{ file, log string }{
	{snapshot.RequestsFile, "run.googleapis.com/requests"},
	{snapshot.SystemFile, "run.googleapis.com/varlog/system"},
}

// entryBytes sums the bytes of the log entries a collected snapshot holds,
// one per line, by log; a file not written counts nothing.
func entryBytes(dir string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, e := range entryLogs {
		n, err := lineBytes(filepath.Join(dir, e.file))
		if err != nil {
			return nil, err
		}
		out[e.log] = n
	}
	return out, nil
}

// lineBytes is the bytes of a file's lines, inflated, without their ends.
func lineBytes(path string) (int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	text, err := collect.Decode(f)
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", path, err)
	}
	var n int64
	sc := bufio.NewScanner(text)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		n += int64(len(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("reading %s: %w", path, err)
	}
	return n, nil
}
