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
