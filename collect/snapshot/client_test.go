package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/model"
)

// loadtestData is a load-test result file of collect/loadtest's testdata.
func loadtestData(name string) string {
	return filepath.Join("..", "loadtest", "testdata", name)
}

// A snapshot's client/ files are sniffed: a k6 file is read, a file that is
// no load-test result is skipped with a warning.
func TestLoadClientFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "client"), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(loadtestData("k6_out.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	k6 := filepath.Join(dir, "client", "results.json")
	notes := filepath.Join(dir, "client", "notes.csv")
	os.WriteFile(k6, b, 0o644)
	os.WriteFile(notes, []byte("a,b\n1,2\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"schema": "runlens.snapshot/v1"}`), 0o644)
	ds, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Client == nil || ds.Client.Tool != "k6" || ds.Client.Total.Requests != 6 {
		t.Fatalf("client = %+v", ds.Client)
	}
	if d := cmp.Diff([]model.Source{{Path: k6, Format: "k6-json", Items: -1}}, ds.Sources); d != "" {
		t.Errorf("sources (-want +got):\n%s", d)
	}
	want := notes + ": not a load-test result runlens reads (Locust CSV, k6 JSON or summary, JMeter JTL, vegeta results or report); skipped"
	if len(ds.Warnings) != 1 || ds.Warnings[0] != want {
		t.Errorf("warnings = %q", ds.Warnings)
	}
}

func TestReadClientInputs(t *testing.T) {
	tests := []struct {
		name     string
		in       Inputs
		requests int64
		err      string
	}{
		{"sniffed", Inputs{Client: []string{loadtestData("vegeta_results.bin")}}, 6, ""},
		{"k6", Inputs{Tools: map[string][]string{"k6": {loadtestData("k6_out.ndjson"), loadtestData("k6_summary_export.json")}}}, 6, ""},
		{"jmeter with a time format", Inputs{Tools: map[string][]string{"jmeter": {loadtestData("jmeter_tab_dates.jtl")}}, JMeterTimeFormat: "dd/MM/yyyy HH:mm:ss"}, 3, ""},
		{"vegeta given a k6 file", Inputs{Tools: map[string][]string{"vegeta": {loadtestData("k6_out.ndjson")}}}, 0, "not a vegeta result: the content looks like k6-json"},
		{"two kinds", Inputs{Tools: map[string][]string{"k6": {loadtestData("k6_out.ndjson")}, "vegeta": {loadtestData("vegeta_results.bin")}}}, 0, "give one tool's results at a time"},
		{"given file that is no result", Inputs{Client: []string{"load.go"}}, 0, "not a load-test result runlens reads"},
		{"a tool runlens does not read", Inputs{Tools: map[string][]string{"gatling": {"x.log"}}}, 0, `load-test results of "gatling": not a tool runlens reads`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := Read(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ds.Client.Total.Requests != tt.requests {
				t.Errorf("requests = %d, want %d", ds.Client.Total.Requests, tt.requests)
			}
		})
	}
}
