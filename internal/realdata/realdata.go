// Package realdata locates the shared folder of real exports that tests read
// (../shared/realdata beside the repository). Its files are never copied into
// the repository.
package realdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the realdata folder, or skips the test with a message when
// it is absent; with RUNLENS_REQUIRE_REALDATA=1 (as in CI) an absent folder
// fails the test instead. RUNLENS_REALDATA overrides the location.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("RUNLENS_REALDATA"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			rd := filepath.Join(d, "..", "shared", "realdata")
			if _, err := os.Stat(rd); err != nil {
				if os.Getenv("RUNLENS_REQUIRE_REALDATA") == "1" {
					t.Fatalf("real exports not found at %s and RUNLENS_REQUIRE_REALDATA=1: put ../shared beside the repository or set RUNLENS_REALDATA", rd)
				}
				t.Skipf("real exports not found at %s: skipping (set RUNLENS_REALDATA to run)", rd)
			}
			return rd
		}
		if filepath.Dir(d) == d {
			if os.Getenv("RUNLENS_REQUIRE_REALDATA") == "1" {
				t.Fatal("go.mod not found above the working directory and RUNLENS_REQUIRE_REALDATA=1")
			}
			t.Skip("go.mod not found above the working directory: skipping real exports")
		}
	}
}

// Files lists the regular files of realdata/sub, sorted, failing the test
// when the folder exists but is empty.
func Files(t testing.TB, sub string) []string {
	t.Helper()
	dir := filepath.Join(Dir(t), sub)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no files", dir)
	}
	return out
}
