package bqemu

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/api/iterator"
)

func TestBinary(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "bigquery-emulator")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())

	t.Setenv("RUNLENS_BIGQUERY_EMULATOR", exe)
	if p, ok := Binary(); !ok || p != exe {
		t.Errorf("with $RUNLENS_BIGQUERY_EMULATOR: Binary() = %q, %v; want %q, true", p, ok, exe)
	}
	t.Setenv("RUNLENS_BIGQUERY_EMULATOR", filepath.Join(dir, "absent"))
	if p, ok := Binary(); ok {
		t.Errorf("with $RUNLENS_BIGQUERY_EMULATOR naming no file: Binary() = %q, true", p)
	}

	// Unset, the cache scripts/bigquery-emulator builds into.
	t.Setenv("RUNLENS_BIGQUERY_EMULATOR", "")
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	want := filepath.Join(cache, "runlens", "bigquery-emulator-"+Version+"-"+Build, "bigquery-emulator")
	if p, ok := Binary(); ok {
		t.Errorf("empty cache: Binary() = %q, true", p)
	}
	if err := os.MkdirAll(filepath.Dir(want), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(exe, want); err != nil {
		t.Fatal(err)
	}
	if p, ok := Binary(); !ok || p != want {
		t.Errorf("from the cache: Binary() = %q, %v; want %q, true", p, ok, want)
	}
}

func TestStart(t *testing.T) {
	e := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	other := e.CreateDataset(t, "other")
	var ids []string
	it := e.Client(t).Datasets(ctx)
	for {
		ds, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ds.DatasetID)
	}
	slices.Sort(ids)
	if want := []string{e.Dataset, other}; !slices.Equal(ids, want) {
		t.Errorf("datasets %v, want %v", ids, want)
	}
	if e.Project != Project {
		t.Errorf("project %q, want %q", e.Project, Project)
	}
}

// TestStartWithoutBinary runs TestStartHelper in a child process with no
// emulator: it skips, or with RUNLENS_REQUIRE_BIGQUERY=1 fails.
func TestStartWithoutBinary(t *testing.T) {
	for _, require := range []string{"", "1"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStartHelper$", "-test.v")
		cmd.Env = append(os.Environ(), "RUNLENS_BQEMU_HELPER=1",
			"RUNLENS_BIGQUERY_EMULATOR="+filepath.Join(t.TempDir(), "absent"),
			"RUNLENS_REQUIRE_BIGQUERY="+require)
		out, err := cmd.CombinedOutput()
		switch {
		case require == "" && (err != nil || !strings.Contains(string(out), "--- SKIP: TestStartHelper")):
			t.Errorf("no emulator: want a skip, got %v:\n%s", err, out)
		case require == "1" && (err == nil || !strings.Contains(string(out), "--- FAIL: TestStartHelper")):
			t.Errorf("no emulator, RUNLENS_REQUIRE_BIGQUERY=1: want a failure, got %v:\n%s", err, out)
		}
		if !strings.Contains(string(out), "BigQuery emulator not found") {
			t.Errorf("the message does not say what is missing:\n%s", out)
		}
	}
}

func TestStartHelper(t *testing.T) {
	if os.Getenv("RUNLENS_BQEMU_HELPER") != "1" {
		t.Skip("run by TestStartWithoutBinary")
	}
	Start(t)
	t.Error("Start returned without an emulator")
}
