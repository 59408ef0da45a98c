package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestInterruptedWrite sends SIGINT while a set's HTML is being written:
// Write returns ErrInterrupted at once, the old outputs stay as they were
// and no temporary file is left, not even once the render goes on and
// ends.
func TestInterruptedWrite(t *testing.T) {
	dir := t.TempDir()
	html, json := filepath.Join(dir, "page.html"), filepath.Join(dir, "report.json")
	writeOld(t, html, json)
	started, release, ended := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var s Set
	s.Add(html, func(w io.Writer) error {
		defer close(ended)
		io.WriteString(w, "<html>half")
		close(started)
		<-release
		_, err := io.WriteString(w, "the rest</html>")
		return err
	})
	s.Add(json, text("{}"))
	errc := make(chan error, 1)
	go func() { errc <- s.Write() }()
	<-started
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("Write = %v, want ErrInterrupted", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Write did not stop on SIGINT")
	}
	check := func(when string) {
		t.Helper()
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != 2 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("%s: files %q, want page.html and report.json only", when, names)
		}
		for _, p := range []string{html, json} {
			if got := readFile(t, p); got != "old" {
				t.Errorf("%s: %s = %q, want old", when, filepath.Base(p), got)
			}
		}
	}
	check("on return")
	close(release)
	<-ended
	time.Sleep(50 * time.Millisecond) // the render's Sync, Chmod and Close
	check("once the render ended")
}
