package main

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReportOutputTargets writes a report's outputs over a FIFO, a
// symbolic link, a character device and stdout: the FIFO and the device
// are written through and stay what they were, the link stays a link and
// its target gets the report, and "-" is the command's stdout.
func TestReportOutputTargets(t *testing.T) {
	t.Run("fifo and symlink", func(t *testing.T) {
		dir := t.TempDir()
		fifo := filepath.Join(dir, "page.fifo")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		read := make(chan string, 1)
		go func() { // blocks in open until the report opens the FIFO
			f, err := os.Open(fifo)
			if err != nil {
				read <- err.Error()
				return
			}
			defer f.Close()
			b, _ := io.ReadAll(f)
			read <- string(b)
		}()
		target := filepath.Join(dir, "report-2024-03-14.json")
		if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "report.json")
		if err := os.Symlink(filepath.Base(target), link); err != nil {
			t.Fatal(err)
		}
		if _, stderr, err := runCLI(t, "report", paper, "-o", fifo, "-json", link, "-format", "none"); err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
			t.Fatalf("the FIFO was replaced (mode %v, %v)", fi.Mode(), err)
		}
		select {
		case page := <-read:
			if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "</html>") {
				t.Errorf("the FIFO's reader got %d bytes, not the page: %.80q", len(page), page)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("nothing was written to the FIFO")
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("the symbolic link was replaced (mode %v, %v)", fi.Mode(), err)
		}
		var doc map[string]any
		if b, err := os.ReadFile(target); err != nil || json.Unmarshal(b, &doc) != nil || doc["schema"] != "runlens.report/v1" {
			t.Errorf("the link's target holds no report: %v, %.80q", err, b)
		}
	})
	t.Run("character device", func(t *testing.T) {
		dev := filepath.Join(t.TempDir(), "null")
		// A null device of our own (major 1, minor 3), never the real
		// /dev/null: needs root and a file system that allows devices.
		if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
			t.Skipf("mknod: %v (needs root)", err)
		}
		if f, err := os.OpenFile(dev, os.O_WRONLY, 0); err != nil {
			t.Skipf("devices cannot be opened here: %v", err)
		} else {
			f.Close()
		}
		if _, stderr, err := runCLI(t, "report", paper, "-o", dev, "-json", dev+".json", "-format", "none"); err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if fi, err := os.Lstat(dev); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
			t.Errorf("the device was replaced (mode %v, %v)", fi.Mode(), err)
		}
	})
	t.Run("stdout", func(t *testing.T) {
		stdout, stderr, err := runCLI(t, "report", paper, "-json", "-")
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc["schema"] != "runlens.report/v1" {
			t.Errorf("stdout is not the JSON report alone (%v): %.200q", err, stdout)
		}
	})
	t.Run("help", func(t *testing.T) {
		for _, cmd := range []string{"report", "audit"} {
			out, _, _ := runCLI(t, "help", cmd)
			if !strings.Contains(out, "(- for stdout)") {
				t.Errorf("runlens help %s does not say that - is stdout", cmd)
			}
		}
	})
	t.Run("stdout twice", func(t *testing.T) {
		for _, args := range [][]string{{"-o", "-", "-json", "-"}, {"-json", "-", "-format", "table"}} {
			_, _, err := runCLI(t, append([]string{"report", paper}, args...)...)
			if err == nil || exitCode(err) != exitUsage || !strings.Contains(err.Error(), "stdout") {
				t.Errorf("%s: err = %v, want a usage error about stdout", strings.Join(args, " "), err)
			}
		}
	})
}

// TestReportOutputsAllOrNothing checks that when one output cannot be
// written, no other is replaced and nothing is printed.
func TestReportOutputsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte("yesterday's page"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runCLI(t, "report", paper, "-o", page, "-json", filepath.Join(dir, "missing", "report.json"))
	if err == nil || !strings.Contains(err.Error(), "missing/report.json") {
		t.Fatalf("err = %v, want one naming the JSON output", err)
	}
	if b, _ := os.ReadFile(page); string(b) != "yesterday's page" {
		t.Errorf("the page was replaced (%d bytes) although the JSON could not be written", len(b))
	}
	if stdout != "" {
		t.Errorf("stdout got %d bytes", len(stdout))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the directory, want 1: temporary files left", len(ents))
	}
}
