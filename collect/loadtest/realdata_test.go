package loadtest

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/internal/realdata"
	"github.com/runlens/runlens/model"
)

// realWant is what a real Locust file, or a run's files together, must give.
// The figures were taken from the files with Python's csv module.
type realWant struct {
	refused    string // start of the error after "FILE:"; empty when the file is read
	version    string
	requests   int64 // Total row
	failures   int64
	endpoints  int
	history    int
	failRows   int
	exceptions int
	warnings   int
	check      func(t *testing.T, run *model.ClientRun, warns []string)
}

var realFiles = map[string]realWant{
	"aether-frisko-run3_failures.csv": {failRows: 319, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		var n int64
		for _, f := range r.Failures {
			n += f.Occurrences
		}
		eq(t, "sum of occurrences", n, int64(4895))
		eq(t, "first error", r.Failures[0].Error, "ConnectTimeoutError(<HTTPConnection(host='192.168.0.22', port=18080) at 0x1f8985ef010>, 'Connection to 192.168.0.22 timed out. (connect timeout=None)')")
	}},
	"aether-frisko-run3_requests.csv": {version: "2.x", requests: 131655, failures: 4895, endpoints: 10,
		check: func(t *testing.T, r *model.ClientRun, _ []string) {
			eq(t, "methods", methods(r), "DELETE GET PATCH POST PUT")
			eq(t, "total median", r.Total.Median, 920*time.Millisecond)
			eq(t, "total min", r.Total.Min, 1097800*time.Nanosecond) // 1.0978000009345124 ms
		}},
	"berriai-litellm-proxy_stats.csv": {version: "2.x", requests: 16675, endpoints: 1, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "endpoint", r.Endpoints[0].Method+" "+r.Endpoints[0].Name, "POST /chat/completions")
		eq(t, "total avg", r.Total.Avg, 81563714*time.Nanosecond) // 81.56371442527579 ms
		eq(t, "total RPS", r.Total.RPS, 120.49632273544289)
		eq(t, "percentiles", len(r.Total.Percentiles), 11)
		eq(t, "100%", r.Total.Percentiles[10], model.Percentile{Q: 1, Value: 680 * time.Millisecond})
	}},
	"berriai-litellm-proxy_stats_history.csv": {version: "2.x", requests: 15719, history: 131, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "first row percentiles", len(r.History[0].Percentiles), 0)
		eq(t, "second row median (450.0)", r.History[1].Median, 450*time.Millisecond)
		eq(t, "third row median (94)", r.History[2].Median, 94*time.Millisecond)
		eq(t, "users", r.History[1].Users, 100)
		eq(t, "start", r.History[0].Time, time.Date(2024, 3, 25, 19, 32, 30, 0, time.UTC))
	}},
	"cary-locust0x-utf8_distribution.csv": {version: "0.x", requests: 25, endpoints: 1, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "endpoint", r.Endpoints[0].Method+" "+r.Endpoints[0].Name, "GET 测试")
		eq(t, "percentiles", len(r.Endpoints[0].Percentiles), 9)
	}},
	"cary-locust0x-utf8_requests.csv": {version: "0.x", requests: 25, failures: 3, endpoints: 1, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "name", r.Endpoints[0].Name, "测试")
		eq(t, "total name", r.Total.Name, "Total")
	}},
	"instarwxp-llm-inference-locust2_stats.csv": {version: "2.x", requests: 370, endpoints: 3, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "chat max", r.Endpoints[0].Max, 3436395739*time.Nanosecond) // 3436.3957390000905 ms
		eq(t, "chat 99%", r.Endpoints[0].Percentiles[7], model.Percentile{Q: 0.99, Value: 3400 * time.Millisecond})
	}},
	"jmath1-chatops-locust0x_distribution.csv":  {version: "0.x", requests: 635, endpoints: 3},
	"jmath1-chatops-locust0x_requests.csv":      {version: "0.x", requests: 635, failures: 1, endpoints: 3},
	"nogibjj-wine-ml-locust2_exceptions.csv":    {},
	"nogibjj-wine-ml-locust2_stats.csv":         {version: "2.x", check: noPercentiles},
	"nogibjj-wine-ml-locust2_stats_history.csv": {version: "2.x", history: 2031, check: idleHistory},
	"ons-eq-0001-locust0x_distribution.csv":     {version: "0.x", requests: 1800, endpoints: 8},
	"ons-eq-0001-locust0x_requests.csv": {version: "0.x", requests: 1800, endpoints: 8, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "total max", r.Total.Max, 429*time.Millisecond)
		eq(t, "total RPS", r.Total.RPS, 6.02)
	}},
	"ons-eq-0003-locust014_failures.csv": {},
	"ons-eq-0003-locust014_stats.csv": {version: "0.13", requests: 3046, endpoints: 146, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "percentiles", len(r.Total.Percentiles), 12)
		eq(t, "99.999", r.Total.Percentiles[10].Q, 0.99999)
	}},
	"ons-eq-0003-locust014_stats_history.csv": {version: "0.13", requests: 3046, history: 31, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "first row percentiles (all 0)", r.History[0].Percentiles, pcts(q1x, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
		eq(t, "first row max", r.History[0].Max, 444290*time.Microsecond)
		eq(t, "total content size", r.Total.AvgContentSize, 5131.32)
	}},
	"ons-eq-0012-gke-locust12_failures.csv": {failRows: 18, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		if !strings.HasPrefix(r.Failures[0].Error, "Expected a (302) but got a (0) back when posting page: ") {
			t.Errorf("first error = %q", r.Failures[0].Error)
		}
	}},
	"ons-eq-0012-gke-locust12_metadata.json": {refused: "1: JSON, not a Locust CSV"},
	"ons-eq-0012-gke-locust12_stats.csv": {version: "2.x", requests: 394487, failures: 18, endpoints: 145, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "first median (300.0)", r.Endpoints[0].Median, 300*time.Millisecond)
	}},
	"ons-eq-0017-locust14_exceptions.csv": {},
	"ons-eq-0017-locust14_stats_history.csv": {version: "2.x", requests: 16683, history: 1181, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "first row percentiles", len(r.History[0].Percentiles), 0)
		eq(t, "total median", r.Total.Median, 63*time.Millisecond)
		eq(t, "total max", r.Total.Max, 3250794083*time.Nanosecond) // 3250.7940830000734 ms
	}},
	"ons-eq-0022-cloudrun-gen2_Results_For_Latest_Benchmark.yaml": {refused: "1: YAML, not a Locust CSV"},
	"ons-eq-0022-cloudrun-gen2_failures.csv":                      {},
	"ons-eq-0022-cloudrun-gen2_metadata.json":                     {refused: "1: JSON, not a Locust CSV"},
	"ons-eq-0022-cloudrun-gen2_stats.csv":                         {version: "2.x", requests: 60861, endpoints: 26},
	"ons-eq-0022-cloudrun-gen2_stats_history.csv":                 {version: "2.x", requests: 60772, history: 1191},
	"ons-eq-0024-cloudrun-locust2_failures.csv":                   {failRows: 2},
	"ons-eq-0024-cloudrun-locust2_stats.csv": {version: "2.x", requests: 86370, failures: 2, endpoints: 93, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "median 45", r.Endpoints[0].Median, 45*time.Millisecond)
		eq(t, "median 200.0", r.Endpoints[2].Median, 200*time.Millisecond)
	}},
	"ons-eq-0024-cloudrun-locust2_stats_history.csv": {version: "2.x", requests: 85904, failures: 2, history: 1171},
	"ons-eq-0024-cloudrun-locust2_summary.yaml":      {refused: "1: YAML, not a Locust CSV"},
	"prescale-gke-100users_failures.csv": {failRows: 6, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "triple-quoted error", r.Failures[0].Error, "CatchResponseError('HTTP 0')")
		eq(t, "name", r.Failures[2].Name, "[Searcher] Search+Sort")
	}},
	"prescale-gke-100users_stats.csv": {version: "2.x", requests: 31967, failures: 552, endpoints: 9},
	"prescale-gke-locust2_requests.csv": {version: "2.x", requests: 5013588, failures: 4735714, endpoints: 9, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "first name (after the BOM)", r.Endpoints[0].Name, "[Admin] Categories")
		eq(t, "median (2500.0)", r.Endpoints[0].Median, 2500*time.Millisecond)
		eq(t, "max", r.Endpoints[0].Max, 973429208600*time.Nanosecond) // 973429.2085999623 ms
	}},
	"varunm-musicapi-locust2_exceptions.csv": {exceptions: 1, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		e := r.Exceptions[0]
		eq(t, "count", e.Count, int64(134))
		eq(t, "message", e.Message, "'details'")
		eq(t, "traceback lines", strings.Count(e.Traceback, "\n"), 8)
		eq(t, "nodes", e.Nodes, "local")
	}},
	"varunm-musicapi-locust2_stats.csv": {version: "2.x", requests: 1770, endpoints: 145, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		longest := 0
		for _, e := range r.Endpoints {
			longest = max(longest, len(e.Name))
		}
		eq(t, "longest name", longest, 535)
	}},
	"varunm-musicapi-locust2_stats_history.csv": {version: "2.x", requests: 1700, history: 159},
	"zhajiangmian-locust11_failures.csv":        {},
	"zhajiangmian-locust11_stats.csv": {version: "1.x", requests: 15, endpoints: 1, warnings: 1, check: func(t *testing.T, r *model.ClientRun, warns []string) {
		eq(t, "GBK name", r.Endpoints[0].Name, "get接口")
		eq(t, "last column (CR CR LF stripped)", r.Endpoints[0].Percentiles[11], model.Percentile{Q: 1, Value: 88 * time.Millisecond})
		if !strings.Contains(warns[0], "zhajiangmian-locust11_stats.csv:2: not UTF-8; decoded as GBK") {
			t.Errorf("warning = %q", warns[0])
		}
	}},
	"zhajiangmian-locust11_stats_history.csv": {version: "1.x", requests: 15, history: 3, check: func(t *testing.T, r *model.ClientRun, _ []string) {
		eq(t, "shared timestamp", r.History[1].Time, r.History[2].Time)
		eq(t, "file order kept: users", r.History[2].Users, 0)
		eq(t, "file order kept: requests", r.History[2].TotalRequests, int64(15))
	}},
}

// realRuns is every run, its files read together (JSON and YAML companions
// left out by IsLocust).
var realRuns = map[string]realWant{
	"aether-frisko-run3":              {version: "2.x", requests: 131655, failures: 4895, endpoints: 10, failRows: 319},
	"berriai-litellm-proxy":           {version: "2.x", requests: 16675, endpoints: 1, history: 131},
	"cary-locust0x-utf8":              {version: "0.x", requests: 25, failures: 3, endpoints: 1, check: allPercentiles(9)},
	"instarwxp-llm-inference-locust2": {version: "2.x", requests: 370, endpoints: 3},
	"jmath1-chatops-locust0x":         {version: "0.x", requests: 635, failures: 1, endpoints: 3, check: allPercentiles(9)},
	"nogibjj-wine-ml-locust2":         {version: "2.x", history: 2031, check: noPercentiles},
	"ons-eq-0001-locust0x": {version: "0.x", requests: 1800, endpoints: 8, check: func(t *testing.T, r *model.ClientRun, w []string) {
		allPercentiles(9)(t, r, w)
		eq(t, "GET /questionnaire/ 100%", r.Endpoints[0].Percentiles[8].Value, 430*time.Millisecond)
		eq(t, "total 50%", r.Total.Percentiles[0].Value, 34*time.Millisecond)
	}},
	"ons-eq-0003-locust014":        {version: "0.13", requests: 3046, endpoints: 146, history: 31},
	"ons-eq-0012-gke-locust12":     {version: "2.x", requests: 394487, failures: 18, endpoints: 145, failRows: 18},
	"ons-eq-0017-locust14":         {version: "2.x", requests: 16683, history: 1181},
	"ons-eq-0022-cloudrun-gen2":    {version: "2.x", requests: 60861, endpoints: 26, history: 1191},
	"ons-eq-0024-cloudrun-locust2": {version: "2.x", requests: 86370, failures: 2, endpoints: 93, history: 1171, failRows: 2},
	"prescale-gke-100users":        {version: "2.x", requests: 31967, failures: 552, endpoints: 9, failRows: 6},
	"prescale-gke-locust2":         {version: "2.x", requests: 5013588, failures: 4735714, endpoints: 9},
	"varunm-musicapi-locust2":      {version: "2.x", requests: 1770, endpoints: 145, history: 159, exceptions: 1},
	"zhajiangmian-locust11":        {version: "1.x", requests: 15, endpoints: 1, history: 3, warnings: 1},
}

func TestRealdataLocust(t *testing.T) {
	files := realdata.Files(t, "locust")
	groups := map[string][]string{}
	for _, f := range files {
		base := filepath.Base(f)
		want, ok := realFiles[base]
		if !ok {
			t.Errorf("%s: not in the table of expected results; add it", base)
			continue
		}
		t.Run(base, func(t *testing.T) {
			t.Logf("covered: %s", base)
			checkReal(t, []string{f}, want)
			if got := IsLocust(head(t, f)); got != (want.refused == "") {
				t.Errorf("IsLocust = %v", got)
			}
		})
		if want.refused == "" {
			groups[runPrefix(base)] = append(groups[runPrefix(base)], f)
		}
	}
	for base := range realFiles {
		if !hasBase(files, base) {
			t.Errorf("%s: in the table but not in realdata", base)
		}
	}
	prefixes := make([]string, 0, len(groups))
	for p := range groups {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, prefix := range prefixes {
		fs := groups[prefix]
		want, ok := realRuns[prefix]
		if !ok {
			t.Errorf("run %s: not in the table of expected runs; add it", prefix)
			continue
		}
		t.Run("run "+prefix, func(t *testing.T) {
			t.Logf("covered run: %s (%d files)", prefix, len(fs))
			checkReal(t, fs, want)
		})
	}
	if len(groups) != len(realRuns) {
		t.Errorf("%d runs in realdata, %d in the table", len(groups), len(realRuns))
	}
}

func checkReal(t *testing.T, files []string, want realWant) {
	t.Helper()
	run, warns, err := ReadLocust(files)
	if want.refused != "" {
		prefix := files[0] + ":" + want.refused
		if err == nil || !strings.HasPrefix(err.Error(), prefix) {
			t.Fatalf("error = %v, want it to start %q", err, prefix)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	got := realWant{
		version: run.Version, requests: run.Total.Requests, failures: run.Total.Failures,
		endpoints: len(run.Endpoints), history: len(run.History), failRows: len(run.Failures),
		exceptions: len(run.Exceptions), warnings: len(warns),
	}
	check := want.check
	want.check = nil
	if d := cmp.Diff(want, got, cmp.AllowUnexported(realWant{})); d != "" {
		t.Errorf("(-want +got):\n%s\nwarnings: %q", d, warns)
	}
	if !run.ApproximatePercentiles || run.Tool != "locust" || len(run.Files) != len(files) {
		t.Errorf("tool %q, approximate %v, files %q", run.Tool, run.ApproximatePercentiles, run.Files)
	}
	if check != nil && !t.Failed() {
		check(t, run, warns)
	}
}

// runPrefix is the --csv prefix of a realdata file name.
func runPrefix(base string) string {
	for _, s := range append([]string{"_stats_history.csv"}, locustSuffixes...) {
		if p, ok := strings.CutSuffix(base, s); ok {
			return p
		}
	}
	return base
}

func hasBase(files []string, base string) bool {
	for _, f := range files {
		if filepath.Base(f) == base {
			return true
		}
	}
	return false
}

func head(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b[:min(len(b), 4096)]
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

func methods(r *model.ClientRun) string {
	set := map[string]bool{}
	for _, e := range r.Endpoints {
		set[e.Method] = true
	}
	var out []string
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// noPercentiles: a run that never started has N/A everywhere.
func noPercentiles(t *testing.T, r *model.ClientRun, _ []string) {
	if r.Total.Percentiles != nil || r.Total.Median != 0 || r.Total.Name != "Aggregated" {
		t.Errorf("total = %+v, want zeros named Aggregated", r.Total)
	}
	idleHistory(t, r, nil)
}

func idleHistory(t *testing.T, r *model.ClientRun, _ []string) {
	for i, s := range r.History {
		if s.Users != 0 || s.Percentiles != nil || s.TotalRequests != 0 {
			t.Fatalf("history row %d = %+v, want no users, no percentiles, no requests", i, s)
		}
	}
}

// allPercentiles: every endpoint and the total got n percentiles from the
// 0.x distribution file.
func allPercentiles(n int) func(*testing.T, *model.ClientRun, []string) {
	return func(t *testing.T, r *model.ClientRun, _ []string) {
		for _, e := range append([]model.ClientEndpoint{r.Total}, r.Endpoints...) {
			if len(e.Percentiles) != n {
				t.Errorf("%s %s: %d percentiles, want %d", e.Method, e.Name, len(e.Percentiles), n)
			}
		}
	}
}

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
