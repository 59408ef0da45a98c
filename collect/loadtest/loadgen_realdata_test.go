package loadtest

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/internal/realdata"
	"github.com/runlens/runlens/model"
)

// genWant is what a real k6, JMeter or vegeta file must give. Totals match
// the file's own summary where it has one; the rest were counted with
// Python (json, csv, xml.etree; nearest-rank percentiles) and, for the gob
// files, with vegeta v12.13.0's own decoder.
type genWant struct {
	refused    string // part of the error; empty when the file is read
	format     Format
	requests   int64
	failures   int64
	endpoints  int
	history    int // seconds from the first request's to the one after the last request ended
	totalsOnly bool
	warnings   int
	check      func(t *testing.T, r *model.ClientRun, warns []string)
}

var realGenerators = map[string]genWant{
	// k6 summaries: the totals as k6 printed them (its percentiles are interpolated).
	"k6/andreposman-qrcode_legacy-summary-export.json": {format: FormatK6Summary, requests: 493168, totalsOnly: true, warnings: 1, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "avg", r.Total.Avg, 19407248*time.Nanosecond) // 19.40724789726824 ms
		eq(t, "p(99.9)", quantile(t, r.Total, 0.999), 787112989*time.Nanosecond)
		eq(t, "rate", r.Total.RPS, 4288.100370179589)
	}},
	"k6/grafana-k6-circleci-orb_handlesummary.json": {format: FormatK6Summary, requests: 20, totalsOnly: true, warnings: 1, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "med", r.Total.Median, 255028500*time.Nanosecond)
		eq(t, "p(95) (float noise)", quantile(t, r.Total, 0.95), 260642050*time.Nanosecond)
	}},
	"k6/itzaddddd-ticket-reserve_legacy-summary-export.json": {format: FormatK6Summary, requests: 100, failures: 1, totalsOnly: true, warnings: 1, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "avg", r.Total.Avg, 3264992537*time.Nanosecond)
		eq(t, "p(95)", quantile(t, r.Total, 0.95), 4101811365*time.Nanosecond)
	}},
	"k6/itzaddddd-ticket-reserve_out-json.ndjson": {format: FormatK6JSON, requests: 100, failures: 1, endpoints: 1, history: 6, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		// The summary export of the same run says avg 3264.992537, min 464.4323, max 4180.7135.
		eq(t, "avg, min, max", []time.Duration{r.Total.Avg, r.Total.Min, r.Total.Max}, []time.Duration{3264992537, 464432300, 4180713500})
		eq(t, "median (nearest rank)", r.Total.Median, 3382214200*time.Nanosecond)
		eq(t, "p95 (nearest rank)", quantile(t, r.Total, 0.95), 4100843100*time.Nanosecond)
		eq(t, "failure", r.Failures, []model.ClientFailure{{Method: "POST", Name: "http://localhost:8080/event/reserve", Error: "HTTP 500", Occurrences: 1}})
		eq(t, "start (+07:00)", r.History[0].Time, time.Date(2024, 8, 5, 8, 24, 38, 0, time.UTC))
	}},
	// Cut at 2 MB: 586 requests; 116 http_req_failed points are 1, and the
	// last request (a 400) lost its point, so it fails by its status.
	"k6/rodolfodpk-desafio-votacao_out-json.ndjson": {format: FormatK6JSON, requests: 586, failures: 117, endpoints: 5, history: 48, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		vote := findEndpoint(t, r, "POST", "submit_vote")
		eq(t, "submit_vote", []int64{vote.Requests, vote.Failures}, []int64{234, 117})
		eq(t, "setup request named by URL", findEndpoint(t, r, "GET", "http://localhost:8080/actuator/health").Max, 221561*time.Microsecond)
		eq(t, "median, p99", []time.Duration{r.Total.Median, quantile(t, r.Total, 0.99)}, []time.Duration{8933 * time.Microsecond, 127468 * time.Microsecond})
		eq(t, "start (-03:00, 5 fractional digits)", r.History[0].Time, time.Date(2025, 10, 15, 3, 33, 8, 0, time.UTC))
	}},
	"k6/vafast-benchmarks_handlesummary-utf8.json": {format: FormatK6Summary, requests: 384236, totalsOnly: true, warnings: 1, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "max", r.Total.Max, 3261*time.Microsecond)
	}},
	// 1,126 rows: 568 Transaction Controller rows, a half-written last row.
	"jmeter/defra-rod-catch-returns_result-custom-dateformat.jtl": {format: FormatJMeterCSV, requests: 557, failures: 192, endpoints: 11, history: 860, warnings: 3, check: func(t *testing.T, r *model.ClientRun, w []string) {
		eq(t, "median, p95, max", []time.Duration{r.Total.Median, quantile(t, r.Total, 0.95), r.Total.Max}, []time.Duration{1993 * time.Millisecond, 8188 * time.Millisecond, 27736 * time.Millisecond})
		eq(t, "POST /licence-auth", findEndpoint(t, r, "", "POST /licence-auth").Failures, int64(192))
		eq(t, "start (yyyy/MM/dd HH:mm:ss, read as UTC)", r.History[0].Time, time.Date(2019, 12, 5, 12, 37, 24, 0, time.UTC))
		wantWarning(t, w, ":1127: want 17 columns, got 14: the file ends in a half-written row; ignored")
		wantWarning(t, w, ":1: 568 Transaction Controller rows and 0 sub-samples")
	}},
	// 300 rows: "HTTP Request" and its redirect sub-samples -0 and -1.
	"jmeter/gwayaboy-mslearn-tailspin-azure-appservice_results.jtl": {format: FormatJMeterCSV, requests: 100, endpoints: 1, history: 13, warnings: 1, check: func(t *testing.T, r *model.ClientRun, w []string) {
		eq(t, "median, p99", []time.Duration{r.Total.Median, quantile(t, r.Total, 0.99)}, []time.Duration{69 * time.Millisecond, 512 * time.Millisecond})
		eq(t, "avg", r.Total.Avg, 110640*time.Microsecond)
		wantWarning(t, w, ":1: 0 Transaction Controller rows and 200 sub-samples")
	}},
	"jmeter/qainsights-perfaction_CSVSample-actually-xml.jtl": {format: FormatJMeterXML, requests: 12, endpoints: 9, history: 5, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "median, max", []time.Duration{r.Total.Median, r.Total.Max}, []time.Duration{227 * time.Millisecond, 310 * time.Millisecond})
		eq(t, "escaped label", findEndpoint(t, r, "", "Action = <EOF>").Requests, int64(2))
	}},
	"vegeta/aissata03-test-vegeta_results-bin_utf16-corrupted.bin": {refused: "vegeta binary results mangled into UTF-16 text (Windows PowerShell's '>' re-encodes a program's output): the gob stream cannot be recovered"},
	// vegeta's own decoder: 10 results, codes 0 (2) and 400 (8), mean 86.25121 ms.
	"vegeta/nathanaevitas-vegetest_results-2018.gob.bin": {format: FormatVegetaGob, requests: 10, failures: 10, endpoints: 1, history: 11, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "mean", r.Total.Avg, 86251210*time.Nanosecond)
		eq(t, "no URL in the old Result", r.Endpoints[0].Name, "(no URL recorded)")
		eq(t, "400s", r.Failures[0], model.ClientFailure{Name: "(no URL recorded)", Error: "400 Bad Request", Occurrences: 8})
	}},
	"vegeta/nglmq-avito-shop_report.json": {format: FormatVegetaReport, requests: 30000, totalsOnly: true, warnings: 1, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "mean, p99, max", []time.Duration{r.Total.Avg, quantile(t, r.Total, 0.99), r.Total.Max}, []time.Duration{1224741, 2218421, 27766300})
		eq(t, "rate", r.Total.RPS, 1000.0500058337917)
	}},
	// vegeta's own decoder: 15 results, all 200, mean 875.043658 ms.
	"vegeta/tomelia1999-vegeta-fork_results-2025.gob.bin": {format: FormatVegetaGob, requests: 15, endpoints: 3, history: 6, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "mean", r.Total.Avg, 875043658*time.Nanosecond)
		eq(t, "names", names(r), "GET http://httpbin.org/delay/1 GET http://httpbin.org/get GET http://httpbin.org/status/200")
	}},
}

func TestRealdataLoadGenerators(t *testing.T) {
	seen := map[string]bool{}
	for _, sub := range []string{"k6", "jmeter", "vegeta"} {
		for _, f := range realdata.Files(t, sub) {
			key := sub + "/" + filepath.Base(f)
			seen[key] = true
			want, ok := realGenerators[key]
			if !ok {
				t.Errorf("%s: not in the table of expected results; add it", key)
				continue
			}
			t.Run(key, func(t *testing.T) { checkGenerator(t, f, want) })
		}
	}
	for key := range realGenerators {
		if !seen[key] {
			t.Errorf("%s: in the table but not in realdata", key)
		}
	}
}

func checkGenerator(t *testing.T, path string, want genWant) {
	t.Helper()
	format, sniffErr := SniffFile(path)
	run, warns, err := Read([]string{path})
	if want.refused != "" {
		if err == nil || !strings.Contains(err.Error(), want.refused) || !strings.Contains(err.Error(), path) {
			t.Errorf("error = %v, want one naming the file and saying %q", err, want.refused)
		}
		if sniffErr == nil || format != FormatUnknown {
			t.Errorf("Sniff = %q, %v; want a refusal", format, sniffErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	got := genWant{
		format: format, requests: run.Total.Requests, failures: run.Total.Failures, endpoints: len(run.Endpoints),
		history: len(run.History), totalsOnly: run.TotalsOnly, warnings: len(warns),
	}
	check := want.check
	want.check = nil
	if d := cmp.Diff(want, got, cmp.AllowUnexported(genWant{})); d != "" {
		t.Errorf("read (-want +got):\n%s\nwarnings: %q", d, warns)
	}
	eq(t, "tool, version", []string{run.Tool, run.Version}, []string{format.Tool(), string(format)})
	if check != nil && !t.Failed() {
		check(t, run, warns)
	}
}

func wantWarning(t *testing.T, warns []string, part string) {
	t.Helper()
	for _, w := range warns {
		if strings.Contains(w, part) {
			return
		}
	}
	t.Errorf("no warning with %q in %q", part, warns)
}

// The --out json file and the summary export of one run give the same
// request total, read alone or together (then the summary cross-checks).
func TestRealdataK6SameRun(t *testing.T) {
	dir := filepath.Join(realdata.Dir(t), "k6")
	out := filepath.Join(dir, "itzaddddd-ticket-reserve_out-json.ndjson")
	sum := filepath.Join(dir, "itzaddddd-ticket-reserve_legacy-summary-export.json")
	a, _ := readOK(t, Options{}, out)
	b, _ := readOK(t, Options{}, sum)
	both, warns := readOK(t, Options{Tool: "k6"}, out, sum)
	eq(t, "requests: out json, summary, both", []int64{a.Total.Requests, b.Total.Requests, both.Total.Requests}, []int64{100, 100, 100})
	eq(t, "failures", []int64{a.Total.Failures, b.Total.Failures}, []int64{1, 1})
	eq(t, "avg", a.Total.Avg, b.Total.Avg)
	eq(t, "no mismatch warning", warns, []string(nil))
}
