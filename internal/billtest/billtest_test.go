package billtest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/internal/bqemu"
)

var update = flag.Bool("update", false, "rewrite fixtures/audit-project's billing table")

// The audit project's billing table is what AuditProjectRows makes of the
// simulator's seed 1; -update rewrites it.
func TestAuditProjectBillUpToDate(t *testing.T) {
	rows, err := AuditProjectRows(sim.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "fixtures", sim.AuditProject, AuditProjectFile)
	if *update {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf) // no name, no time: the same rows give the same bytes
		enc := json.NewEncoder(gz)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := gz.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := bqemu.ReadBillingRows(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(rows, got); d != "" {
		t.Errorf("%s is not what AuditProjectRows makes (go test ./internal/billtest -update; -want +file):\n%s", path, d)
	}
}
