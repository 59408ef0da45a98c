package loadtest

import (
	"bytes"
	"encoding/gob"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
)

// The fixtures come from one vegeta v12.13.0 attack (6/s for 1 s over GET
// /ok, GET /fail and a closed port), encoded to JSON and CSV and reported.
const (
	vegetaOK   = "http://127.0.0.1:40467/ok"
	vegetaFail = "http://127.0.0.1:40467/fail"
	vegetaGone = "http://127.0.0.1:34711/gone"
	vegetaConn = `Get "http://127.0.0.1:34711/gone": dial tcp 0.0.0.0:0->127.0.0.1:34711: connect: connection refused`
)

func TestReadVegetaResults(t *testing.T) {
	var first *model.ClientRun
	for _, name := range []string{"vegeta_results.bin", "vegeta_results.json", "vegeta_results.csv"} {
		t.Run(name, func(t *testing.T) {
			run, warns := readOK(t, Options{Tool: "vegeta"}, td(name))
			eq(t, "warnings", warns, []string(nil))
			eq(t, "requests, failures", []int64{run.Total.Requests, run.Total.Failures}, []int64{6, 4})
			eq(t, "names", names(run), "GET "+vegetaGone+" GET "+vegetaFail+" GET "+vegetaOK)
			// Latencies (ns) 462748, 525281, 20963730, 21184669, 21202500, 21832141.
			eq(t, "median (rank 3)", run.Total.Median, 20963730*time.Nanosecond)
			eq(t, "p95 (rank 6)", quantile(t, run.Total, 0.95), 21832141*time.Nanosecond)
			eq(t, "avg", run.Total.Avg, 14361845*time.Nanosecond)
			eq(t, "content size", run.Total.AvgContentSize, 50.0/6)
			eq(t, "failures", run.Failures, []model.ClientFailure{
				{Method: "GET", Name: vegetaGone, Error: vegetaConn, Occurrences: 2},
				{Method: "GET", Name: vegetaFail, Error: "500 Internal Server Error", Occurrences: 2},
			})
			eq(t, "history (19 s to 21 s: the last request ends at 20.523 s)", len(run.History), 3)
			eq(t, "start", run.History[0].Time, time.Date(2026, 11, 23, 10, 3, 19, 0, time.UTC))
			// The three encodings of one attack read the same.
			if first == nil {
				first = run
				return
			}
			got, want := *run, *first
			got.Files, got.Version, want.Files, want.Version = nil, "", nil, ""
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("run differs from the gob's (-gob +this):\n%s", d)
			}
		})
	}
}

// TestReadVegetaReportMinAboveMax reads a report whose latency min is
// above its max (FuzzReadVegeta found it): the two are left out, with a
// warning, rather than giving an endpoint whose max is below its min.
func TestReadVegetaReportMinAboveMax(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(p, []byte(`{"latencies":{"min":5000,"max":1000},"requests":3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	run, warns := readOK(t, Options{Tool: "vegeta"}, p)
	if run.Total.Min != 0 || run.Total.Max != 0 || !slices.ContainsFunc(warns, func(w string) bool {
		return strings.Contains(w, "reported latency min 5µs is above max 1µs; min and max left out")
	}) {
		t.Errorf("min %v, max %v, warnings %q; want both left out with a warning", run.Total.Min, run.Total.Max, warns)
	}
}

func TestReadVegetaReport(t *testing.T) {
	path := td("vegeta_report.json")
	run, warns := readOK(t, Options{}, path)
	eq(t, "warnings", warns, []string{path + ":1: a vegeta report holds the run's totals only: no endpoints and no timeline, so the client charts stay empty; give the per-request results for those"})
	eq(t, "total", run.Total, model.ClientEndpoint{
		Name: "Aggregated", Requests: 6, Failures: 4, RPS: 7.20483585989175, FailuresPerSec: 4 * 7.20483585989175 / 6, AvgContentSize: 50.0 / 6,
		Avg: 14361844, Median: 21074199, Min: 462748, Max: 21832141,
		Percentiles: []model.Percentile{{Q: 0.5, Value: 21074199}, {Q: 0.9, Value: 21769176}, {Q: 0.95, Value: 21832141}, {Q: 0.99, Value: 21832141}, {Q: 1, Value: 21832141}},
	})
	eq(t, "failures (the 500's text is left out of code 0's)", run.Failures, []model.ClientFailure{
		{Error: vegetaConn, Occurrences: 2},
		{Error: "HTTP 500", Occurrences: 2},
	})
	eq(t, "totals only", run.TotalsOnly, true)
}

func TestReadVegetaGobForms(t *testing.T) {
	gobBytes, err := os.ReadFile(td("vegeta_results.bin"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("gzip", func(t *testing.T) {
		run, _ := readOK(t, Options{}, tmpFile(t, "r.bin.gz", logtest.Gzip(t, gobBytes)))
		eq(t, "requests", run.Total.Requests, int64(6))
	})
	t.Run("cut mid-result", func(t *testing.T) {
		p := tmpFile(t, "cut.bin", gobBytes[:len(gobBytes)-40])
		run, warns := readOK(t, Options{}, p)
		eq(t, "requests", run.Total.Requests, int64(5))
		if len(warns) != 1 || !strings.HasPrefix(warns[0], p+":1: result 6: unexpected EOF: the file ends in a half-written result or is damaged; 5 results read") {
			t.Errorf("warnings = %q", warns)
		}
	})
	t.Run("old Result struct", func(t *testing.T) {
		run, _ := readOK(t, Options{}, tmpFile(t, "old.bin", oldVegetaGob(t)))
		eq(t, "requests, failures", []int64{run.Total.Requests, run.Total.Failures}, []int64{2, 1})
		eq(t, "named by attack", names(run), "smoke")
		eq(t, "error", run.Failures[0].Error, "HTTP 404")
	})
	t.Run("UTF-16 mangled by PowerShell", func(t *testing.T) {
		mangled := []byte{0xFF, 0xFE}
		for _, c := range gobBytes {
			mangled = append(mangled, c, 0)
		}
		p := tmpFile(t, "ps.bin", mangled)
		_, _, err := ReadWith([]string{p}, Options{})
		if err == nil || !strings.Contains(err.Error(), "vegeta binary results mangled into UTF-16 text (Windows PowerShell's '>' re-encodes a program's output)") {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("not a vegeta gob", func(t *testing.T) {
		var buf bytes.Buffer
		type Result struct{ Code, Timestamp, Latency string }
		if err := gob.NewEncoder(&buf).Encode(Result{"a", "b", "c"}); err != nil {
			t.Fatal(err)
		}
		_, _, err := ReadWith([]string{tmpFile(t, "x.bin", buf.Bytes())}, Options{})
		if err == nil || !strings.Contains(err.Error(), "not a vegeta gob (binary results) file: gob: wrong type (uint16) for received field Result.Code") {
			t.Errorf("error = %v", err)
		}
	})
}

// oldVegetaGob encodes two results as vegeta before v12 did: a Result
// without Method, URL and Headers.
func oldVegetaGob(t *testing.T) []byte {
	type Result struct {
		Attack    string
		Seq       uint64
		Code      uint16
		Timestamp time.Time
		Latency   time.Duration
		BytesOut  uint64
		BytesIn   uint64
		Error     string
		Body      []byte
	}
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	at := time.Date(2018, 11, 27, 5, 43, 28, 0, time.UTC)
	for i, code := range []uint16{200, 404} {
		r := Result{Attack: "smoke", Seq: uint64(i), Code: code, Timestamp: at.Add(time.Duration(i) * time.Second), Latency: 90 * time.Millisecond, Body: []byte("x")}
		if err := enc.Encode(&r); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestReadVegetaLines(t *testing.T) {
	text := `{"attack":"a","seq":0,"code":200,"timestamp":"2024-01-01T00:00:00.5Z","latency":1000000,"bytes_out":0,"bytes_in":5,"error":"","method":"GET","url":"http://h/x"}
{"attack":"a","seq":1,"code":"oops"}
{"attack":"a","seq":2,"code":200,"timestamp":"0001-01-01T00:00:00Z","latency":2000000,"method":"GET","url":"http://h/x"}
{"attack":"a","seq":3,"code":200,"timest`
	p := tmpFile(t, "r.json", []byte(text))
	run, warns := readOK(t, Options{}, p)
	eq(t, "requests", run.Total.Requests, int64(2))
	eq(t, "history (a zero time is left out)", run.History[0].TotalRequests, int64(1))
	eq(t, "warnings", len(warns), 3)
	if !strings.Contains(warns[2], "r.json:4: the file ends in a half-written line; ignored") {
		t.Errorf("warnings = %q", warns)
	}
	csvText := "1704067200000000000,200,1000000,0,5,,,a,0,GET,http://h/x,\nbad,row,here,0,0,\n1704067200\n"
	run, warns = readOK(t, Options{Tool: "vegeta"}, tmpFile(t, "r.csv", []byte(csvText)))
	eq(t, "csv requests", run.Total.Requests, int64(1))
	eq(t, "csv warnings", len(warns), 2)
}
