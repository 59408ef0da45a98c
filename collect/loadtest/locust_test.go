package loadtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

// Percentile sets of the fixtures.
var (
	qCustom = []float64{0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1}                                 // our own --csv run
	qLocust = []float64{0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 1}                         // 0.x distribution
	q1x     = []float64{0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 0.99999, 1} // 1.1 and 0.13
)

// pcts pairs quantiles with values in milliseconds.
func pcts(qs []float64, vals ...int64) []model.Percentile {
	if len(qs) != len(vals) {
		panic("pcts: want one value per quantile")
	}
	out := make([]model.Percentile, len(qs))
	for i, q := range qs {
		out[i] = model.Percentile{Q: q, Value: ms(vals[i])}
	}
	return out
}

func locustRun(version string, files ...string) *model.ClientRun {
	return &model.ClientRun{Tool: "locust", Version: version, ApproximatePercentiles: true, Files: files}
}

func td(name string) string { return filepath.Join("testdata", name) }

var v2Endpoints = []model.ClientEndpoint{
	{Method: "GET", Name: "/", Requests: 90, Median: ms(580), Avg: 770250 * time.Microsecond,
		Min: 104500 * time.Microsecond, Max: 18287123456, AvgContentSize: 612, RPS: 0.93,
		Percentiles: pcts(qCustom, 580, 600, 650, 700, 900, 1100, 18000, 18000)},
	{Method: "POST", Name: "/predict", Requests: 335, Failures: 2, Median: ms(700), Avg: ms(1198),
		Min: ms(132), Max: ms(21187), AvgContentSize: 48.5, RPS: 3.45, FailuresPerSec: 0.02,
		Percentiles: pcts(qCustom, 700, 750, 800, 900, 1000, 1300, 18000, 21000)},
	{Method: "GET", Name: "/never"},
}

var v2Total = model.ClientEndpoint{Name: "Aggregated", Requests: 425, Failures: 2, Median: ms(650),
	Avg: 1104100 * time.Microsecond, Min: 104500 * time.Microsecond, Max: ms(21187), AvgContentSize: 167.9,
	RPS: 4.38, FailuresPerSec: 0.02, Percentiles: pcts(qCustom, 650, 700, 760, 850, 1000, 1300, 18000, 21000)}

var v013Endpoints = []model.ClientEndpoint{
	{Method: "GET", Name: "/questionnaire", Requests: 15, Failures: 1, Median: ms(77), Avg: ms(86), Min: ms(61),
		Max: ms(135), AvgContentSize: 289, RPS: 0.25, FailuresPerSec: 0.02,
		Percentiles: pcts(q1x, 77, 80, 120, 120, 130, 140, 140, 140, 140, 140, 140, 140)},
	{Method: "POST", Name: "/questionnaire/", Requests: 62, Median: ms(75), Avg: ms(101), Min: ms(64),
		Max: ms(270), AvgContentSize: 295, RPS: 1.02,
		Percentiles: pcts(q1x, 75, 80, 92, 100, 220, 240, 250, 270, 270, 270, 270, 270)},
}

var v013Total = model.ClientEndpoint{Name: "Aggregated", Requests: 77, Failures: 1, Median: ms(75), Avg: ms(98),
	Min: ms(61), Max: ms(270), AvgContentSize: 293, RPS: 1.27, FailuresPerSec: 0.02,
	Percentiles: pcts(q1x, 75, 80, 92, 100, 210, 240, 250, 270, 270, 270, 270, 270)}

var v013History = []model.ClientSample{
	{Time: time.Date(2020, 4, 6, 10, 56, 33, 0, time.UTC), Name: "Aggregated",
		Percentiles:   pcts(q1x, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
		TotalRequests: 12, Median: ms(140), Avg: ms(204), Min: ms(76), Max: 444290 * time.Microsecond},
	{Time: time.Date(2020, 4, 6, 10, 56, 35, 0, time.UTC), Name: "Aggregated", RPS: 1,
		Percentiles:   pcts(q1x, 75, 80, 92, 100, 210, 240, 250, 270, 270, 270, 270, 270),
		TotalRequests: 77, TotalFailures: 1, Median: ms(75), Avg: ms(98), Min: ms(61), Max: ms(270)},
}

var v2History = []model.ClientSample{
	{Time: time.Unix(1711395150, 0).UTC(), Name: "Aggregated"},
	{Time: time.Unix(1711395151, 0).UTC(), Users: 10, Name: "Aggregated", RPS: 2.5,
		Percentiles:   pcts(qCustom, 450, 480, 490, 530, 550, 570, 580, 580),
		TotalRequests: 105, Median: ms(450), Avg: 423381346, Min: 50588292, Max: 575172542},
	{Time: time.Unix(1711395152, 0).UTC(), Users: 10, Method: "POST", Name: "/predict", RPS: 3, FailuresPerSec: 0.5,
		Percentiles:   pcts(qCustom, 94, 320, 440, 450, 500, 550, 560, 560),
		TotalRequests: 140, TotalFailures: 1, Median: ms(94), Avg: 300500 * time.Microsecond,
		Min: 40100 * time.Microsecond, Max: 575172542},
	{Time: time.Unix(1711395152, 0).UTC(), Users: 10, Name: "Aggregated", RPS: 3, FailuresPerSec: 0.5,
		Percentiles:   pcts(qCustom, 94, 320, 440, 450, 500, 550, 560, 580),
		TotalRequests: 210, TotalFailures: 1, Median: ms(94), Avg: 310250 * time.Microsecond,
		Min: 40100 * time.Microsecond, Max: 575172542},
}

var v0Endpoints = []model.ClientEndpoint{
	{Method: "GET", Name: "/first-task", Requests: 108, Median: ms(4), Avg: ms(4), Min: ms(2), Max: ms(18),
		AvgContentSize: 26, RPS: 1.8, Percentiles: pcts(qLocust, 4, 4, 4, 5, 6, 7, 8, 9, 18)},
	{Method: "GET", Name: "/down", Requests: 5, Failures: 5, RPS: 0.08},
}

var v0Total = model.ClientEndpoint{Name: "Total", Requests: 113, Failures: 5, Median: ms(4), Avg: ms(4),
	Min: ms(2), Max: ms(18), AvgContentSize: 25, RPS: 1.88, Percentiles: pcts(qLocust, 4, 4, 4, 5, 6, 7, 8, 9, 18)}

func TestReadLocustFixtures(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  func(*model.ClientRun)
		warns []string
	}{
		{"2.x stats, custom percentiles, CRLF", []string{"v2_stats.csv"}, func(r *model.ClientRun) {
			r.Version, r.Endpoints, r.Total = "2.x", v2Endpoints, v2Total
		}, nil},
		{"1.1 stats, GBK name, CR CR LF", []string{"v1_gbk_stats.csv"}, func(r *model.ClientRun) {
			r.Version = "1.x"
			e := model.ClientEndpoint{Method: "GET", Name: "get接口", Requests: 15, Median: ms(50),
				Avg: 39658100, Min: 9970 * time.Microsecond, Max: 88270 * time.Microsecond, AvgContentSize: 7382, RPS: 6.08,
				Percentiles: pcts(q1x, 50, 51, 51, 52, 54, 88, 88, 88, 88, 88, 88, 88)}
			r.Endpoints = []model.ClientEndpoint{e}
			e.Method, e.Name = "", "Aggregated"
			r.Total = e
		}, []string{td("v1_gbk_stats.csv") + ":2: not UTF-8; decoded as GBK (CP936)"}},
		{"0.13 stats and history", []string{"v013_stats.csv", "v013_stats_history.csv"}, func(r *model.ClientRun) {
			r.Version, r.Endpoints, r.Total, r.History = "0.13", v013Endpoints, v013Total, v013History
		}, nil},
		{"0.13 history alone: total from its last row", []string{"v013_stats_history.csv"}, func(r *model.ClientRun) {
			r.Version, r.History = "0.13", v013History
			r.Total = model.ClientEndpoint{Name: "Aggregated", Requests: 77, Failures: 1, Median: ms(75),
				Avg: ms(98), Min: ms(61), Max: ms(270), AvgContentSize: 293}
		}, nil},
		{"0.x requests and distribution", []string{"v0_requests.csv", "v0_distribution.csv"}, func(r *model.ClientRun) {
			r.Version, r.Endpoints, r.Total = "0.x", v0Endpoints, v0Total
		}, nil},
		{"0.x distribution first", []string{"v0_distribution.csv", "v0_requests.csv"}, func(r *model.ClientRun) {
			r.Version, r.Endpoints, r.Total = "0.x", v0Endpoints, v0Total
		}, nil},
		{"0.x distribution alone", []string{"v0_distribution.csv"}, func(r *model.ClientRun) {
			r.Version = "0.x"
			r.Endpoints = []model.ClientEndpoint{
				{Method: "GET", Name: "/first-task", Requests: 108, Percentiles: pcts(qLocust, 4, 4, 4, 5, 6, 7, 8, 9, 18)},
				{Method: "GET", Name: "/down", Requests: 5},
			}
			r.Total = model.ClientEndpoint{Name: "Total", Requests: 113, Percentiles: pcts(qLocust, 4, 4, 4, 5, 6, 7, 8, 9, 18)}
		}, nil},
		{"2.x history alone, with an endpoint row", []string{"v2_stats_history.csv"}, func(r *model.ClientRun) {
			r.Version, r.History = "2.x", v2History
			r.Total = model.ClientEndpoint{Name: "Aggregated", Requests: 210, Failures: 1, Median: ms(94),
				Avg: 310250 * time.Microsecond, Min: 40100 * time.Microsecond, Max: 575172542, AvgContentSize: 350.5}
		}, nil},
		{"2.x stats, history, failures, exceptions", []string{"v2_stats.csv", "v2_stats_history.csv", "v2_failures.csv", "v2_exceptions.csv"}, func(r *model.ClientRun) {
			r.Version, r.Endpoints, r.Total, r.History = "2.x", v2Endpoints, v2Total, v2History
			r.Failures, r.Exceptions = v2Failures, v2Exceptions
		}, nil},
		{"failures alone: multi-line and triple-quoted", []string{"v2_failures.csv"}, func(r *model.ClientRun) {
			r.Failures = v2Failures
		}, nil},
		{"exceptions alone", []string{"v2_exceptions.csv"}, func(r *model.ClientRun) {
			r.Exceptions = v2Exceptions
		}, nil},
		{"malformed rows are warnings", []string{"malformed_stats.csv"}, func(r *model.ClientRun) {
			r.Version = "2.x"
			r.Endpoints = []model.ClientEndpoint{
				{Method: "GET", Name: "/a", Requests: 10, Failures: 1, Median: ms(5), Avg: 5500 * time.Microsecond,
					Min: ms(1), Max: ms(9), AvgContentSize: 100, RPS: 1, FailuresPerSec: 0.1, Percentiles: pcts([]float64{0.5, 1}, 5, 9)},
				{Method: "GET", Name: "/bad", Avg: ms(5), Min: ms(1), Max: ms(9), AvgContentSize: 100, RPS: 1,
					FailuresPerSec: 0.1, Percentiles: pcts([]float64{0.5}, 5)},
				{Method: "GET", Name: "/b", Requests: 20, Median: ms(6), Avg: 6500 * time.Microsecond, Min: ms(2),
					Max: ms(12), AvgContentSize: 100, RPS: 2, Percentiles: pcts([]float64{0.5, 1}, 6, 12)},
			}
			r.Total = model.ClientEndpoint{Name: "Aggregated", Requests: 30, Failures: 1}
		}, []string{
			td("malformed_stats.csv") + ":3: want 13 columns, got 3",
			td("malformed_stats.csv") + `:4: column "Request Count": want a count, got "abc"`,
			td("malformed_stats.csv") + `:4: column "Failure Count": want a count, got "-2"`,
			td("malformed_stats.csv") + `:4: column "Median Response Time": want a number, got "x"`,
			td("malformed_stats.csv") + `:4: column "100%": response time "1e30" ms out of range`,
			td("malformed_stats.csv") + ":1: no Aggregated or Total row; total requests and failures summed from the endpoints",
		}},
		{"a second stats file is ignored", []string{"v2_stats.csv", "v013_stats.csv"}, func(r *model.ClientRun) {
			r.Version, r.Endpoints, r.Total = "2.x", v2Endpoints, v2Total
		}, []string{td("v013_stats.csv") + ":1: a second stats file in one run (the first is " + td("v2_stats.csv") + "); ignored"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var files []string
			for _, f := range tt.files {
				files = append(files, td(f))
			}
			got, warns, err := ReadLocust(files)
			if err != nil {
				t.Fatal(err)
			}
			want := locustRun("", files...)
			tt.want(want)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("run (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.warns, warns); d != "" {
				t.Errorf("warnings (-want +got):\n%s", d)
			}
		})
	}
}

var v2Failures = []model.ClientFailure{
	{Method: "POST", Name: "/predict", Error: "ConnectionRefusedError(111, 'Connection refused')", Occurrences: 3},
	{Method: "GET", Name: "/", Error: "CatchResponseError('Expected a (200) but got a (0) back\nwhen getting page: /, with data: {\"a\": \"b\"}')", Occurrences: 1},
	{Method: "POST", Name: "[Searcher] Search+Sort", Error: "CatchResponseError('HTTP 0')", Occurrences: 100},
}

var v2Exceptions = []model.ClientException{
	{Count: 134, Message: "'details'", Traceback: "  File \"locustfile.py\", line 53, in create\n    list_id = data['details']['id']\n", Nodes: "local"},
	{Count: 2, Message: "ZeroDivisionError('division by zero')", Traceback: "  File \"a.py\", line 1\n", Nodes: "local"},
}

// TestReadLocustEncodings reads the 2.x fixture re-encoded and with other
// line ends: every form must give the same run and no warning.
func TestReadLocustEncodings(t *testing.T) {
	base, err := os.ReadFile(td("v2_stats.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lf := strings.ReplaceAll(string(base), "\r\n", "\n")
	forms := map[string][]byte{
		"LF":                  []byte(lf),
		"CR CR LF":            []byte(strings.ReplaceAll(lf, "\n", "\r\r\n")),
		"CR only":             []byte(strings.ReplaceAll(lf, "\n", "\r")),
		"no final newline":    []byte(strings.TrimSuffix(lf, "\n")),
		"trailing empty line": []byte(lf + "\n"),
		"UTF-8 BOM":           append([]byte("\xEF\xBB\xBF"), base...),
		"UTF-16LE BOM":        encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), base),
		"UTF-16BE BOM":        encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), base),
		"UTF-16LE no BOM":     encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), base),
		"gzip":                logtest.Gzip(t, base),
	}
	for name, b := range forms {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run_stats.csv")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			got, warns, err := ReadLocust([]string{path})
			if err != nil {
				t.Fatal(err)
			}
			want := locustRun("2.x", path)
			want.Endpoints, want.Total = v2Endpoints, v2Total
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("run (-want +got):\n%s", d)
			}
			if len(warns) != 0 {
				t.Errorf("warnings: %q", warns)
			}
			if !IsLocust(b) {
				t.Error("IsLocust = false")
			}
		})
	}
}

func encode(t *testing.T, enc encoding.Encoding, b []byte) []byte {
	t.Helper()
	out, err := enc.NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadLocustErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	other := write("other.csv", "foo,bar,baz\n1,2,3\n")
	yaml := write("summary.yaml", "---\nPercentile Averages:\n50th: 116ms\n")
	json := write("metadata.json", "{\n  \"host\": \"https://x\"\n}")
	empty := write("empty_stats.csv", "\r\n\r\n")
	missing := filepath.Join(dir, "missing_stats.csv")
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"no files", nil, "reading locust: no files given"},
		{"other CSV", []string{other}, other + `:1: not a Locust CSV (header starts "foo,bar,baz")`},
		{"YAML summary", []string{yaml}, yaml + ":1: YAML, not a Locust CSV (a summary made from Locust's results? give only Locust's --csv files)"},
		{"JSON metadata", []string{json}, json + ":1: JSON, not a Locust CSV (run metadata or a summary? give only Locust's --csv files)"},
		{"empty", []string{empty}, empty + ":1: empty file, not a Locust CSV"},
		{"missing", []string{missing}, missing + ": no such file or directory"},
		{"good then bad", []string{td("v2_stats.csv"), json}, json + ":1: JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, _, err := ReadLocust(tt.files)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if run != nil {
				t.Errorf("run = %+v, want nil", run)
			}
		})
	}
}

// TestReadLocustHeaderOnly: a run that produced nothing reads as zeros.
func TestReadLocustHeaderOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run_stats.csv")
	os.WriteFile(path, []byte("Type,Name,Request Count,Failure Count,Median Response Time,50%\r\n"), 0o644)
	got, warns, err := ReadLocust([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	want := locustRun("2.x", path)
	want.Total.Name = "Aggregated"
	if d := cmp.Diff(want, got); d != "" || len(warns) != 0 {
		t.Errorf("run (-want +got):\n%s\nwarnings %q", d, warns)
	}
}

func TestLocustFiles(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "run")
	for _, s := range []string{"_distribution.csv", "_failures.csv", "_stats.csv", "_other.csv"} {
		os.WriteFile(prefix+s, []byte("x"), 0o644)
	}
	os.Mkdir(prefix+"_stats_history.csv", 0o755) // a folder is not a result file
	got, err := LocustFiles(prefix)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{prefix + "_stats.csv", prefix + "_failures.csv", prefix + "_distribution.csv"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("files (-want +got):\n%s", d)
	}
	got, err = LocustFiles(prefix + "_failures.csv") // a file of the run stands for its prefix
	if d := cmp.Diff(want, got); err != nil || d != "" {
		t.Errorf("files from a file name (-want +got):\n%s%v", d, err)
	}
	_, err = LocustFiles(filepath.Join(dir, "nothing"))
	if err == nil || !strings.Contains(err.Error(), `prefix "`+filepath.Join(dir, "nothing")+`"`) {
		t.Errorf("error = %v, want one naming the prefix", err)
	}
}

func TestIsLocust(t *testing.T) {
	tests := []struct {
		head string
		want bool
	}{
		{"Type,Name,Request Count,Failure Count,Median Response Time", true},
		{"\xEF\xBB\xBFType,Name,Request Count,Failure Count", true},
		{`"Type","Name","# requests","# failures","Median response time"`, true},
		{`"Method","Name","# requests","# failures"`, true},
		{`"Name","# requests","50%","66%"`, true},
		{"Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%", true},
		{`"Type","Name","Timestamp","# requests"`, true},
		{"Method,Name,Error,Occurrences\r\r\n", true},
		{"Count,Message,Traceback,Nodes\r\n", true},
		{"", false},
		{"foo,bar\n1,2\n", false},
		{"Name,# requests\n", false}, // no percentile column: not a distribution
		{"---\nPercentile Averages:\n", false},
		{"{\n  \"host\": \"x\"\n}", false},
		{"timestamp,elapsed,label,responseCode", false}, // JMeter
	}
	for _, tt := range tests {
		if got := IsLocust([]byte(tt.head)); got != tt.want {
			t.Errorf("IsLocust(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
}

func TestPercentileQ(t *testing.T) {
	tests := map[string]float64{"50%": 0.5, "5%": 0.05, "99.9%": 0.999, "99.999": 0.99999, "100%": 1, "66%": 0.66}
	for h, want := range tests {
		if got, ok := percentileQ(h); !ok || got != want {
			t.Errorf("percentileQ(%q) = %v, %v; want %v", h, got, ok, want)
		}
	}
	for _, h := range []string{"Name", "0%", "101%", "%", "1e2%", "-5%", "Requests/s"} {
		if q, ok := percentileQ(h); ok {
			t.Errorf("percentileQ(%q) = %v, want not a percentile", h, q)
		}
	}
}

// TestReadLocustWarningCap: a file full of bad rows adds 20 warnings and a count.
func TestReadLocustWarningCap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run_stats.csv")
	text := "Type,Name,Request Count,Failure Count\n" + strings.Repeat("GET,/\n", 30) + ",Aggregated,5,0\n"
	os.WriteFile(path, []byte(text), 0o644)
	run, warns, err := ReadLocust([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 21 || warns[0] != path+":2: want 4 columns, got 2" || warns[20] != path+":1: 10 more warnings not shown" {
		t.Errorf("warnings (%d): first %q, last %q", len(warns), warns[0], warns[len(warns)-1])
	}
	if run.Total.Requests != 5 || len(run.Endpoints) != 0 {
		t.Errorf("total %d requests, %d endpoints; want 5, 0", run.Total.Requests, len(run.Endpoints))
	}
}

// TestReadLocustOddText: bad quoting is read leniently and Latin-1 names
// (not GBK either) are decoded as Windows-1252, each with a warning.
func TestReadLocustOddText(t *testing.T) {
	tests := []struct {
		name, text, wantName, warn string
	}{
		{"bare quote", "Type,Name,Request Count,Failure Count\nGET,/a\"b,3,0\n", "/a\"b",
			`:2: bare " in non-quoted-field; read with lenient quoting`},
		{"Windows-1252", "Type,Name,Request Count,Failure Count\nGET,/caf\xe9,3,0\n", "/café",
			":2: neither UTF-8 nor GBK; decoded as Windows-1252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run_stats.csv")
			os.WriteFile(path, []byte(tt.text), 0o644)
			run, warns, err := ReadLocust([]string{path})
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Endpoints) != 1 || run.Endpoints[0].Name != tt.wantName || run.Endpoints[0].Requests != 3 {
				t.Errorf("endpoints = %+v, want one %q with 3 requests", run.Endpoints, tt.wantName)
			}
			if d := cmp.Diff([]string{path + tt.warn, path + ":1: no Aggregated or Total row; total requests and failures summed from the endpoints"}, warns); d != "" {
				t.Errorf("warnings (-want +got):\n%s", d)
			}
		})
	}
}
