// Package atomicfile writes outputs so that readers see either the old
// content or the whole new content, never a half-written file, and so that
// the outputs of one run are written together or not at all.
//
// A regular file, or a path that does not exist yet, is written through a
// temporary file in its directory that is renamed over it. A symbolic link
// is followed: its target is replaced and the link stays. A character
// device (/dev/null, a terminal), a FIFO and "-" (stdout) are written
// straight through, never replaced.
package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Write writes one output; see Set.
func Write(path string, fill func(w io.Writer) error) error {
	var s Set
	s.Add(path, fill)
	return s.Write()
}

// Stream writes one output as Write does, except that a device, a FIFO
// or "-" (stdout, or the given writer when not nil) is written as fill
// goes rather than after it: for an output too large to hold in memory. A
// fill that fails part way leaves there what it wrote.
func Stream(path string, stdout io.Writer, fill func(w io.Writer) error) error {
	t, err := resolve(output{path, fill})
	if err != nil {
		return err
	}
	if t.stream {
		if err := streamFill(t.dev, stdout, fill); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	}
	s := Set{outs: []output{{path, fill}}}
	return s.Write()
}

// streamFill fills stdout, or the device or FIFO dev opened for writing.
func streamFill(dev string, stdout io.Writer, fill func(w io.Writer) error) error {
	if dev == "" {
		if stdout == nil {
			stdout = os.Stdout
		}
		return fill(stdout)
	}
	f, err := os.OpenFile(dev, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Set is the outputs of one run. Write renders every output before it
// replaces any, each on a goroutine of its own (fill only reads what it
// renders): regular files into temporary files beside them, devices, FIFOs
// and stdout into memory. Only when all succeeded are the files renamed
// into place and the rest written.
type Set struct {
	// Stdout is where "-" is written; nil means os.Stdout.
	Stdout io.Writer
	outs   []output
}

type output struct {
	path string
	fill func(w io.Writer) error
}

// Add adds an output: fill writes its content to w.
func (s *Set) Add(path string, fill func(w io.Writer) error) {
	s.outs = append(s.outs, output{path, fill})
}

// target is an output resolved: a file replaced through tmp, or a stream
// written straight through from buf.
type target struct {
	out    output
	file   string      // the file to replace; "" for a stream
	perm   fs.FileMode // of the file written
	tmp    *os.File
	stream bool
	dev    string // a stream's device or FIFO; "" for stdout
	buf    bytes.Buffer
}

// Write writes every output of the set, or none: when an output cannot
// be rendered or its temporary file written, no output is touched and the
// temporary files are removed. The files are renamed into place first,
// then the streams are written in the order they were added.
func (s *Set) Write() error {
	ts := make([]*target, len(s.outs))
	seen := map[string]string{}
	for i, o := range s.outs {
		t, err := resolve(o)
		if err != nil {
			return err
		}
		if t.file != "" {
			key, _ := filepath.Abs(t.file)
			if first, ok := seen[key]; ok {
				return fmt.Errorf("writing %s: %s names the same file", o.path, first)
			}
			seen[key] = o.path
		}
		ts[i] = t
	}
	defer func() {
		for _, t := range ts {
			if t.tmp != nil {
				t.tmp.Close()
				os.Remove(t.tmp.Name())
			}
		}
	}()
	// The outputs only read what they render: each renders on a core.
	errs := make([]error, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		wg.Go(func() { errs[i] = t.render() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("writing %s: %w", ts[i].out.path, err)
		}
	}
	for _, t := range ts {
		if t.tmp == nil {
			continue
		}
		if err := os.Rename(t.tmp.Name(), t.file); err != nil {
			return fmt.Errorf("writing %s: %w", t.out.path, err)
		}
		t.tmp = nil
	}
	for _, t := range ts {
		if t.stream {
			if err := s.stream(t); err != nil {
				return fmt.Errorf("writing %s: %w", t.out.path, err)
			}
		}
	}
	return nil
}

// resolve finds what an output's path names: stdout, a device or FIFO
// (through any symbolic links), or a file to create or replace.
func resolve(o output) (*target, error) {
	t := &target{out: o, perm: 0o644}
	if o.path == "-" {
		t.stream = true
		return t, nil
	}
	p := o.path
	for range 256 {
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			t.file = p
			return t, nil
		case err != nil:
			return nil, fmt.Errorf("writing %s: %w", o.path, err)
		case fi.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return nil, fmt.Errorf("writing %s: %w", o.path, err)
			}
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(p), link)
			}
			p = link
			continue
		case fi.Mode().IsRegular():
			t.file, t.perm = p, fi.Mode().Perm()
			return t, nil
		case fi.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
			t.stream, t.dev = true, p
			return t, nil
		case fi.IsDir():
			return nil, fmt.Errorf("writing %s: is a directory", o.path)
		}
		return nil, fmt.Errorf("writing %s: not a regular file, character device or FIFO (%s)", o.path, fi.Mode().Type())
	}
	return nil, fmt.Errorf("writing %s: too many levels of symbolic links", o.path)
}

// render fills a file's temporary file, or a stream's buffer.
func (t *target) render() error {
	if t.stream {
		return t.out.fill(&t.buf)
	}
	f, err := os.CreateTemp(filepath.Dir(t.file), "."+filepath.Base(t.file)+".tmp*")
	if err != nil {
		return err
	}
	t.tmp = f
	if err := t.out.fill(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Chmod(t.perm); err != nil {
		return err
	}
	return f.Close()
}

// stream writes a stream's content to stdout, or to its device or FIFO
// (opened for writing only: nothing is created, truncated or replaced).
func (s *Set) stream(t *target) error {
	if t.dev == "" {
		w := s.Stdout
		if w == nil {
			w = os.Stdout
		}
		_, err := w.Write(t.buf.Bytes())
		return err
	}
	f, err := os.OpenFile(t.dev, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(t.buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
