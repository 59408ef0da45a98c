package loadtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
	"golang.org/x/text/encoding/unicode"
)

var utf16LE = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)

// tmpFile writes b to a file named name in a fresh temporary directory.
func tmpFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readOK reads files with opts and fails the test on an error.
func readOK(t *testing.T, opts Options, files ...string) (*model.ClientRun, []string) {
	t.Helper()
	run, warns, err := ReadWith(files, opts)
	if err != nil {
		t.Fatal(err)
	}
	return run, warns
}

// findEndpoint returns the run's endpoint with that method and name.
func findEndpoint(t *testing.T, run *model.ClientRun, method, name string) model.ClientEndpoint {
	t.Helper()
	for _, e := range run.Endpoints {
		if e.Method == method && e.Name == name {
			return e
		}
	}
	t.Fatalf("no endpoint %q %q among %d", method, name, len(run.Endpoints))
	return model.ClientEndpoint{}
}

// quantile returns the reported percentile q of e.
func quantile(t *testing.T, e model.ClientEndpoint, q float64) time.Duration {
	t.Helper()
	for _, p := range e.Percentiles {
		if p.Q == q {
			return p.Value
		}
	}
	t.Fatalf("%s: no percentile %v in %v", e.Name, q, e.Percentiles)
	return 0
}

func TestSniff(t *testing.T) {
	file := func(name string) []byte {
		b, err := os.ReadFile(td(name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		head []byte
		want Format
	}{
		{"k6 out json", file("k6_out.ndjson"), FormatK6JSON},
		{"k6 out json, type first", []byte(`{"type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1},"metric":"http_reqs"}` + "\n"), FormatK6JSON},
		{"k6 summary export", file("k6_summary_export.json"), FormatK6Summary},
		{"k6 handleSummary", file("k6_handle_summary.json"), FormatK6Summary},
		{"jmeter headerless", file("jmeter_headerless.csv"), FormatJMeterCSV},
		{"jmeter tab header", file("jmeter_tab_dates.jtl"), FormatJMeterCSV},
		{"jmeter semicolon header", []byte("timeStamp;elapsed;label;success\n1700000000000;5;a;true\n"), FormatJMeterCSV},
		{"jmeter xml", file("jmeter_nested.xml"), FormatJMeterXML},
		{"vegeta gob", file("vegeta_results.bin"), FormatVegetaGob},
		{"vegeta gob gzip", logtest.Gzip(t, file("vegeta_results.bin")), FormatVegetaGob},
		{"vegeta json", file("vegeta_results.json"), FormatVegetaJSON},
		{"vegeta csv", file("vegeta_results.csv"), FormatVegetaCSV},
		{"vegeta csv, 6 columns", []byte("1543297408132162700,200,94600400,0,12,\"\"\n"), FormatVegetaCSV},
		{"vegeta report", file("vegeta_report.json"), FormatVegetaReport},
		{"vegeta report UTF-16", encode(t, utf16LE, file("vegeta_report.json")), FormatVegetaReport},
		{"locust", file("v2_stats.csv"), FormatLocust},
		{"empty", nil, FormatUnknown},
		{"logs", []byte(`{"logName":"projects/p/logs/x","timestamp":"2024-01-01T00:00:00Z"}`), FormatUnknown},
		{"yaml", []byte("---\nkey: value\n"), FormatUnknown},
		{"other csv", []byte("a,b,c\n1,2,3\n"), FormatUnknown},
		{"other xml", []byte("<?xml version=\"1.0\"?><feed/>"), FormatUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sniff(tt.head)
			if err != nil || got != tt.want {
				t.Errorf("Sniff = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestFormatTool(t *testing.T) {
	for f, want := range map[Format]string{FormatLocust: "locust", FormatK6Summary: "k6", FormatJMeterXML: "jmeter", FormatVegetaGob: "vegeta", FormatUnknown: ""} {
		eq(t, string(f), f.Tool(), want)
	}
}

func TestReadErrors(t *testing.T) {
	other := tmpFile(t, "other.csv", []byte("a,b\n1,2\n"))
	tests := []struct {
		name  string
		files []string
		opts  Options
		want  string
	}{
		{"no files", nil, Options{}, "reading results: no files given"},
		{"no files, k6", nil, Options{Tool: "k6"}, "reading k6 results: no files given"},
		{"unknown", []string{other}, Options{}, other + ": not a load-test result runlens reads"},
		{"missing", []string{td("missing.json")}, Options{}, "testdata/missing.json: open testdata/missing.json: no such file"},
		{"forced tool", []string{td("vegeta_report.json")}, Options{Tool: "jmeter"}, "testdata/vegeta_report.json: not a jmeter result: the content looks like vegeta-report"},
		{"mixed tools", []string{td("k6_out.ndjson"), td("jmeter_nested.xml")}, Options{}, "testdata/jmeter_nested.xml: jmeter-xml, but testdata/k6_out.ndjson is k6-json: give one tool's results at a time"},
		{"bad time format", []string{td("jmeter_nested.xml")}, Options{JMeterTimeFormat: "yyyyMMddHHmmssSSS"}, "jmeter time format: pattern \"yyyyMMddHHmmssSSS\": fractional seconds (S) must follow '.' or ','"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadWith(tt.files, tt.opts)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to start %q", err, tt.want)
			}
		})
	}
}

// Read dispatches Locust files to ReadLocust.
func TestReadLocustThroughRead(t *testing.T) {
	run, _ := readOK(t, Options{}, td("v2_stats.csv"), td("v2_stats_history.csv"))
	want, _, err := ReadLocust([]string{td("v2_stats.csv"), td("v2_stats_history.csv")})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "run", run, want)
}

func TestVersionOf(t *testing.T) {
	eq(t, "one", versionOf([]Format{FormatK6JSON, FormatK6JSON}), "k6-json")
	eq(t, "two", versionOf([]Format{FormatK6Summary, FormatK6JSON}), "k6-json+k6-summary")
}

func TestReadWarningCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("1700000000000,1,a,200,OK,t,text,true\n")
	for range 30 {
		b.WriteString("1700000000000,x,a,200,OK,t,text,true\n")
	}
	_, warns := readOK(t, Options{}, tmpFile(t, "many.jtl", []byte(b.String())))
	eq(t, "warnings", len(warns), maxFileWarnings+1)
	if !strings.HasSuffix(warns[len(warns)-1], ":1: 11 more warnings not shown") {
		t.Errorf("last warning = %q", warns[len(warns)-1])
	}
}
