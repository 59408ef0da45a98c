package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeOld writes "old" into each file, with mode 0644.
func writeOld(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWriteKeepsOldContentOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	if err := Write(path, text("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if got := readFile(t, path); got != "old" {
		t.Errorf("content = %q, want %q", got, "old")
	}
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Errorf("%d files left in the directory, want 1", len(ents))
	}
}

// TestWriteTargets writes over each kind of path an output may name: a
// regular file is replaced, a symbolic link's target is replaced and the
// link kept, and a FIFO, a character device and "-" are written through,
// never replaced.
func TestWriteTargets(t *testing.T) {
	t.Run("regular file keeps its mode", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out.html")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := Write(path, text("new")); err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Lstat(path)
		if got := readFile(t, path); got != "new" || fi.Mode() != 0o600 {
			t.Errorf("content %q, mode %v; want \"new\", -rw-------", got, fi.Mode())
		}
	})
	t.Run("new file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out.html")
		if err := Write(path, text("new")); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, path); got != "new" {
			t.Errorf("content %q", got)
		}
	})
	t.Run("symlink", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "reports"), 0o755); err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, "reports", "latest.html")
		writeOld(t, target)
		link := filepath.Join(dir, "report.html")
		if err := os.Symlink(filepath.Join("reports", "latest.html"), link); err != nil {
			t.Fatal(err)
		}
		if err := Write(link, text("new")); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(link)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("the link is gone: %v, mode %v", err, fi.Mode())
		}
		if got := readFile(t, target); got != "new" {
			t.Errorf("target content %q, want \"new\"", got)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 2 {
			t.Errorf("%d entries beside the link, want 2 (the link and reports/)", len(ents))
		}
	})
	t.Run("dangling symlink", func(t *testing.T) {
		dir := t.TempDir()
		link := filepath.Join(dir, "report.html")
		if err := os.Symlink("made.html", link); err != nil {
			t.Fatal(err)
		}
		if err := Write(link, text("new")); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Lstat(link); fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("the link was replaced: mode %v", fi.Mode())
		}
		if got := readFile(t, filepath.Join(dir, "made.html")); got != "new" {
			t.Errorf("target content %q", got)
		}
	})
	t.Run("fifo", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "pipe")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		// A reader opened without blocking: the write then finds its
		// reader, and its few bytes wait in the pipe.
		r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if err := Write(fifo, text("through the pipe")); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Lstat(fifo); fi.Mode()&fs.ModeNamedPipe == 0 {
			t.Fatalf("the FIFO was replaced: mode %v", fi.Mode())
		}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != "through the pipe" {
			t.Errorf("read %q, %v from the FIFO", got, err)
		}
	})
	t.Run("character device", func(t *testing.T) {
		dev := filepath.Join(t.TempDir(), "null")
		// A null device of our own (major 1, minor 3): needs root, and a
		// file system that honours devices.
		if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
			t.Skipf("mknod: %v (needs root)", err)
		}
		if f, err := os.OpenFile(dev, os.O_WRONLY, 0); err != nil {
			t.Skipf("devices cannot be opened here: %v", err)
		} else {
			f.Close()
		}
		if err := Write(dev, text("into the void")); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Lstat(dev); fi.Mode()&fs.ModeCharDevice == 0 {
			t.Errorf("the device was replaced: mode %v", fi.Mode())
		}
		if ents, _ := os.ReadDir(filepath.Dir(dev)); len(ents) != 1 {
			t.Errorf("%d entries beside the device, want 1", len(ents))
		}
	})
	t.Run("stdout", func(t *testing.T) {
		var out bytes.Buffer
		s := Set{Stdout: &out}
		s.Add("-", text("to stdout"))
		if err := s.Write(); err != nil {
			t.Fatal(err)
		}
		if out.String() != "to stdout" {
			t.Errorf("stdout %q", out.String())
		}
	})
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		if err := Write(dir, text("x")); err == nil {
			t.Error("wrote over a directory")
		}
	})
}

// TestSetAllOrNothing checks that when one output of a set fails, none is
// replaced and nothing reaches stdout.
func TestSetAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.html"), filepath.Join(dir, "b.json")
	writeOld(t, a, b)
	boom := errors.New("boom")
	for name, set := range map[string]func(s *Set){
		"render fails": func(s *Set) {
			s.Add(a, text("new"))
			s.Add("-", text("new"))
			s.Add(b, func(w io.Writer) error { return boom })
		},
		"no such directory": func(s *Set) {
			s.Add(a, text("new"))
			s.Add("-", text("new"))
			s.Add(filepath.Join(dir, "missing", "c.json"), text("new"))
		},
		"one file twice": func(s *Set) {
			s.Add(a, text("new"))
			s.Add(filepath.Join(dir, ".", "a.html"), text("new"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			s := &Set{Stdout: &out}
			set(s)
			if err := s.Write(); err == nil {
				t.Fatal("no error")
			}
			for _, p := range []string{a, b} {
				if got := readFile(t, p); got != "old" {
					t.Errorf("%s = %q, want it unchanged", filepath.Base(p), got)
				}
			}
			if out.Len() > 0 {
				t.Errorf("stdout got %q", out.String())
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 2 {
				t.Errorf("%d files in the directory, want 2: temporary files left", len(ents))
			}
		})
	}
}

// TestStream writes an output larger than a pipe holds as it is made: to
// a FIFO while a reader reads, and over a regular file through a temporary
// file, which a failure leaves unchanged.
func TestStream(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<14) // 256 KiB
	fill := func(w io.Writer) error { _, err := w.Write(big); return err }
	t.Run("fifo", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "pipe")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		got := make(chan []byte, 1)
		go func() {
			f, err := os.Open(fifo)
			if err != nil {
				got <- nil
				return
			}
			defer f.Close()
			b, _ := io.ReadAll(f)
			got <- b
		}()
		if err := Stream(fifo, nil, fill); err != nil {
			t.Fatal(err)
		}
		if b := <-got; !bytes.Equal(b, big) {
			t.Errorf("the reader got %d bytes, want %d", len(b), len(big))
		}
		if fi, _ := os.Lstat(fifo); fi.Mode()&fs.ModeNamedPipe == 0 {
			t.Errorf("the FIFO was replaced: mode %v", fi.Mode())
		}
	})
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "big.ndjson")
		writeOld(t, path)
		boom := errors.New("boom")
		if err := Stream(path, nil, func(w io.Writer) error { w.Write(big); return boom }); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		if got := readFile(t, path); got != "old" {
			t.Errorf("a failed stream left %d bytes, want the old file", len(got))
		}
		if err := Stream(path, nil, fill); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, path); got != string(big) {
			t.Errorf("%d bytes, want %d", len(got), len(big))
		}
	})
	t.Run("stdout", func(t *testing.T) {
		var out bytes.Buffer
		if err := Stream("-", &out, fill); err != nil || !bytes.Equal(out.Bytes(), big) {
			t.Errorf("%v, %d bytes", err, out.Len())
		}
	})
}
