package sim

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestAuditProjectUpToDate compares each service of fixtures/audit-project
// with what the simulator writes for the default seed (rewriting them
// first with -update). Files the simulator does not write (the README,
// other data of the project) are left alone.
func TestAuditProjectUpToDate(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", AuditProject)
	regenerate := "regenerate with: go run ./cmd/runlens simulate -scenario " + AuditProject + " -o fixtures/" + AuditProject
	if *update {
		if err := WriteAuditProject(dir, DefaultSeed); err != nil {
			t.Fatal(err)
		}
	}
	tmp := t.TempDir()
	if err := WriteAuditProject(tmp, DefaultSeed); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Errorf("the project's README: %v", err)
	}
	for _, svc := range AuditServices() {
		want, got := readTree(t, filepath.Join(tmp, svc)), readTree(t, filepath.Join(dir, svc))
		for name, b := range want {
			if !bytes.Equal(b, got[name]) {
				t.Errorf("%s/%s/%s is not what the simulator writes; %s", dir, svc, name, regenerate)
			}
		}
	}
}
