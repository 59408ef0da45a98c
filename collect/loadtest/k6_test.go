package loadtest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/model"
)

// The fixtures come from one k6 v1.8.1 run (1 VU, 2 iterations of GET /ok,
// GET /fail named "fail", GET on a closed port) with --out json,
// --summary-export and handleSummary.
const (
	k6OK   = "http://127.0.0.1:40467/ok"
	k6Gone = "http://127.0.0.1:34711/gone"
)

func TestReadK6OutJSON(t *testing.T) {
	run, warns := readOK(t, Options{Tool: "k6"}, td("k6_out.ndjson"))
	eq(t, "warnings", warns, []string(nil))
	eq(t, "tool, version, totals only", []any{run.Tool, run.Version, run.TotalsOnly, run.ApproximatePercentiles}, []any{"k6", "k6-json", false, false})
	eq(t, "requests, failures", []int64{run.Total.Requests, run.Total.Failures}, []int64{6, 4})
	eq(t, "endpoints", len(run.Endpoints), 3)
	eq(t, "fail", findEndpoint(t, run, "GET", "fail").Failures, int64(2))
	eq(t, "gone", findEndpoint(t, run, "GET", k6Gone).Failures, int64(2))
	ok := findEndpoint(t, run, "GET", k6OK)
	eq(t, "ok", []int64{ok.Requests, ok.Failures}, []int64{2, 0})
	// Durations 0, 0, 20.544517, 20.608952, 20.634891, 20.68794 ms.
	eq(t, "median (rank 3)", run.Total.Median, 20544517*time.Nanosecond)
	eq(t, "p95 (rank 6)", quantile(t, run.Total, 0.95), 20687940*time.Nanosecond)
	eq(t, "p60 (rank 4)", quantile(t, run.Total, 0.6), 20608952*time.Nanosecond)
	eq(t, "avg", run.Total.Avg, 13746050*time.Nanosecond)
	eq(t, "max", run.Total.Max, 20687940*time.Nanosecond)
	eq(t, "failures", run.Failures, []model.ClientFailure{
		{Method: "GET", Name: "fail", Error: "HTTP 500", Occurrences: 2},
		{Method: "GET", Name: k6Gone, Error: "dial: connection refused", Occurrences: 2},
	})
	eq(t, "history rows", len(run.History), 2)
	eq(t, "history start", run.History[0].Time, time.Date(2026, 11, 23, 10, 3, 20, 0, time.UTC))
	eq(t, "cumulative total", run.History[0].TotalRequests, int64(6))
	eq(t, "idle last row", []any{run.History[1].RPS, run.History[1].Percentiles, run.History[1].TotalRequests}, []any{0.0, []model.Percentile(nil), int64(6)})
}

func TestReadK6Summaries(t *testing.T) {
	for _, name := range []string{"k6_summary_export.json", "k6_handle_summary.json"} {
		t.Run(name, func(t *testing.T) {
			run, warns := readOK(t, Options{}, td(name))
			want := model.ClientEndpoint{
				Name: "Aggregated", Requests: 6, Failures: 4, RPS: 70.4317037327007, FailuresPerSec: 4 * 70.4317037327007 / 6,
				Avg: 13746050 * time.Nanosecond, Min: 0, Median: 20576735 * time.Nanosecond, Max: 20687940 * time.Nanosecond,
				Percentiles: []model.Percentile{{Q: 0.9, Value: 20661416 * time.Nanosecond}, {Q: 0.95, Value: 20674678 * time.Nanosecond}},
			}
			eq(t, "total", run.Total, want)
			eq(t, "totals only", []any{run.TotalsOnly, len(run.Endpoints), len(run.History), run.Version}, []any{true, 0, 0, "k6-summary"})
			if len(warns) != 1 || !strings.Contains(warns[0], "a k6 summary holds the run's totals only") {
				t.Errorf("warnings = %q", warns)
			}
		})
	}
}

// The --out json file and the summary of the same run agree: no warning.
func TestReadK6OutJSONWithSummary(t *testing.T) {
	run, warns := readOK(t, Options{}, td("k6_out.ndjson"), td("k6_summary_export.json"))
	eq(t, "requests", run.Total.Requests, int64(6))
	eq(t, "warnings", warns, []string(nil))
	eq(t, "version", run.Version, "k6-json+k6-summary")
	eq(t, "totals only", run.TotalsOnly, false)

	other := tmpFile(t, "summary.json", []byte(`{"metrics":{"http_reqs":{"count":7,"rate":1},"http_req_failed":{"passes":0,"fails":7},"http_req_duration":{"avg":1,"min":1,"med":1,"max":1}},"root_group":{}}`))
	_, warns = readOK(t, Options{}, td("k6_out.ndjson"), other)
	eq(t, "mismatch", warns, []string{other + ":1: the summary counts 7 requests, the per-request results 6; the statistics come from the per-request results"})
}

// k6Point makes an --out json Point line, "type" first as older k6 wrote it.
func k6Point(metric, at string, value float64, tags string) string {
	return `{"type":"Point","data":{"time":"` + at + `","value":` + strconv.FormatFloat(value, 'f', -1, 64) +
		`,"tags":{` + tags + `}},"metric":"` + metric + `"}` + "\n"
}

func TestReadK6Lines(t *testing.T) {
	const ok = `"method":"GET","name":"/a","status":"200","expected_response":"true"`
	const bad = `"method":"GET","name":"/a","status":"503","expected_response":"false"`
	const gone = `"method":"GET","url":"http://h/b","status":"0","error":"dial: i/o timeout"`
	tests := []struct {
		name               string
		text               string
		requests, failures int64
		failMsgs           []string
		warnings           int
	}{
		{"old layout, with http_req_failed",
			k6Point("http_reqs", "2024-01-01T10:00:00.5+02:00", 1, ok) + k6Point("http_req_duration", "2024-01-01T10:00:00.5+02:00", 12.5, ok) + k6Point("http_req_failed", "2024-01-01T10:00:00.5+02:00", 0, ok) +
				k6Point("http_reqs", "2024-01-01T10:00:01.25+02:00", 1, bad) + k6Point("http_req_failed", "2024-01-01T10:00:01.25+02:00", 1, bad),
			2, 1, []string{"HTTP 503"}, 0},
		{"no http_req_failed (k6 before v0.31): failures by status",
			k6Point("http_reqs", "2024-01-01T08:00:00Z", 1, ok) + k6Point("http_reqs", "2024-01-01T08:00:00Z", 1, bad) + k6Point("http_reqs", "2024-01-01T08:00:01Z", 1, gone),
			3, 2, []string{"HTTP 503", "dial: i/o timeout"}, 0},
		{"cut short: the last request's http_req_failed is missing",
			k6Point("http_reqs", "2024-01-01T08:00:00Z", 1, ok) + k6Point("http_req_failed", "2024-01-01T08:00:00Z", 0, ok) +
				k6Point("http_reqs", "2024-01-01T08:00:01Z", 1, bad) + `{"type":"Point","data":{"time":"2024-01-01T08:00:01Z","val`,
			2, 1, []string{"HTTP 503"}, 1},
		{"bad lines",
			k6Point("http_reqs", "2024-01-01T08:00:00Z", 1, ok) + "not json at all http_reqs\n" + k6Point("http_reqs", "yesterday", 1, ok) + k6Point("http_reqs", "2024-01-01T08:00:00Z", 1.5, ok) +
				k6Point("http_req_duration", "2024-01-01T08:00:00Z", -3, ok) + k6Point("vus", "2024-01-01T08:00:00Z", 4, ""),
			1, 0, nil, 4},
		{"lines that are not JSON, of no metric read",
			k6Point("http_reqs", "2024-01-01T08:00:00Z", 1, ok) + "garbage\n" + `{"type":"Point","metric":"iterations","da` + "\n" + k6Point("iterations", "2024-01-01T08:00:00Z", 1, ""),
			1, 0, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, warns := readOK(t, Options{}, tmpFile(t, "out.json", []byte(tt.text)))
			eq(t, "requests, failures", []int64{run.Total.Requests, run.Total.Failures}, []int64{tt.requests, tt.failures})
			var msgs []string
			for _, f := range run.Failures {
				msgs = append(msgs, f.Error)
			}
			eq(t, "failure messages", msgs, tt.failMsgs)
			if len(warns) != tt.warnings {
				t.Errorf("warnings = %q, want %d", warns, tt.warnings)
			}
		})
	}
}

// Distinct client endpoints are bounded as the server side's are: a k6
// run with a distinct URL per request keeps 2,000 endpoints and counts
// the rest as "(other)", with a warning; the totals stay whole.
func TestReadK6BoundsEndpoints(t *testing.T) {
	const n = 5000
	var b strings.Builder
	for i := range n {
		tags := fmt.Sprintf(`"method":"GET","name":"/item/%d","status":"503","expected_response":"false","error":"GET /item/%d: 503"`, i, i)
		at := fmt.Sprintf("2024-01-01T08:%02d:%02dZ", i/60%60, i%60)
		b.WriteString(k6Point("http_reqs", at, 1, tags) + k6Point("http_req_duration", at, 12.5, tags) + k6Point("http_req_failed", at, 1, tags))
	}
	run, warns := readOK(t, Options{}, tmpFile(t, "out.json", []byte(b.String())))
	if run.Total.Requests != n || len(run.Endpoints) != 2001 || len(run.Failures) > 2001 {
		t.Errorf("%d requests, %d endpoints, %d failure rows; want %d, 2,001 (2,000 and \"(other)\"), at most 2,001",
			run.Total.Requests, len(run.Endpoints), len(run.Failures), n)
	}
	var other int64
	for _, e := range run.Endpoints {
		if e.Name == "(other)" {
			other = e.Requests
		}
	}
	if other != n-2000 || len(warns) != 1 || !strings.Contains(warns[0], "(other)") || !strings.Contains(warns[0], "3000") {
		t.Errorf("(other) has %d requests, warnings %q; want %d and one warning giving the count", other, warns, n-2000)
	}
}

// A line that is not JSON is a warning naming the file and the line,
// even when it names no metric runlens reads.
func TestReadK6NotJSONLineWarned(t *testing.T) {
	const ok = `"method":"GET","name":"/a","status":"200"`
	f := tmpFile(t, "out.json", []byte(k6Point("http_reqs", "2024-01-01T08:00:00Z", 1, ok)+"garbage\n"))
	_, warns := readOK(t, Options{}, f)
	eq(t, "warnings", warns, []string{f + ":2: not a k6 JSON line (want one JSON object per line); ignored"})
}
