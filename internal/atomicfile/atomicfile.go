// Package atomicfile writes outputs so that readers see either the old
// content or the whole new content, never a half-written file, and so that
// the outputs of one run are written together or not at all.
//
// A regular file, or a path that does not exist yet, is written through a
// temporary file in its directory that is renamed over it. A symbolic link
// is followed: its target is replaced and the link stays. A character
// device (/dev/null, a terminal), a FIFO and "-" (stdout) are written
// straight through, never replaced.
//
// A Set being written stops on SIGINT or SIGTERM: until its files are
// renamed into place, it removes its temporary files, replaces nothing and
// returns ErrInterrupted, which the command turns into its exit status.
package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
)

// ErrInterrupted is returned by a write stopped by SIGINT or SIGTERM.
var ErrInterrupted = errors.New("interrupted")

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

	// mu guards the targets' temporary files and aborted, between the
	// goroutines that render and the one that stops on a signal.
	mu      sync.Mutex
	aborted bool
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
// then the streams are written in the order they were added. SIGINT or
// SIGTERM before the renames stops it there, with ErrInterrupted and
// nothing replaced; one during the renames lets them finish, and stops
// it before the streams.
func (s *Set) Write() error {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	return s.write(sig)
}

func (s *Set) write(sig <-chan os.Signal) error {
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
	defer s.abort(ts)
	// The outputs only read what they render: each renders on a core.
	errs := make([]error, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		wg.Go(func() { errs[i] = s.render(t) })
	}
	if err := waitOrSignal(wg.Wait, sig); err != nil {
		return fmt.Errorf("%w: no output was written or replaced", err)
	}
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("writing %s: %w", ts[i].out.path, err)
		}
	}
	if err := s.rename(ts); err != nil {
		return err
	}
	for _, t := range ts {
		if !t.stream {
			continue
		}
		var err error
		if serr := waitOrSignal(func() { err = s.stream(t) }, sig); serr != nil {
			return fmt.Errorf("%w before writing %s", serr, t.out.path)
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", t.out.path, err)
		}
	}
	return nil
}

// waitOrSignal runs do, and returns nil when it is done or ErrInterrupted
// as soon as a signal comes (do then goes on, unwaited for).
func waitOrSignal(do func(), sig <-chan os.Signal) error {
	select {
	case <-sig:
		return ErrInterrupted
	default:
	}
	done := make(chan struct{})
	go func() {
		do()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-sig:
		return ErrInterrupted
	}
}

// rename renames the files into place, all of them: a signal meanwhile
// waits for Write to look.
func (s *Set) rename(ts []*target) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range ts {
		if t.tmp == nil {
			continue
		}
		if err := os.Rename(t.tmp.Name(), t.file); err != nil {
			return fmt.Errorf("writing %s: %w", t.out.path, err)
		}
		t.tmp = nil
	}
	return nil
}

// abort removes the temporary files left, and keeps any more from being
// made by the renders still going.
func (s *Set) abort(ts []*target) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aborted = true
	for _, t := range ts {
		if t.tmp != nil {
			t.tmp.Close()
			os.Remove(t.tmp.Name())
			t.tmp = nil
		}
	}
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
func (s *Set) render(t *target) error {
	if t.stream {
		return t.out.fill(&t.buf)
	}
	f, err := s.createTemp(t)
	if err != nil {
		return err
	}
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

// createTemp makes a file's temporary file beside it, unless the write
// was stopped.
func (s *Set) createTemp(t *target) (*os.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.aborted {
		return nil, ErrInterrupted
	}
	f, err := os.CreateTemp(filepath.Dir(t.file), "."+filepath.Base(t.file)+".tmp*")
	if err != nil {
		return nil, err
	}
	t.tmp = f
	return f, nil
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
