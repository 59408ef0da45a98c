package collect

import (
	"strings"
	"testing"

	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
)

// Values that would break an output are refused at input, each with a
// warning naming the file and line, for NDJSON lines (fast path and
// general path alike) and array elements: timestamps out of range, HTTP
// statuses that are none, negative sizes, an httpRequest that is null or
// absent.
func TestReadLogsRefusesOutOfRange(t *testing.T) {
	const good = `{"logName":"projects/p/logs/run.googleapis.com%2Frequests","resource":{"type":"cloud_run_revision","labels":{"location":"europe-west1","revision_name":"s-00001-abc","service_name":"s"}},` +
		`"timestamp":"2024-03-14T10:00:00.022070Z","insertId":"ID","httpRequest":{"requestMethod":"GET","requestUrl":"https://s.run.app/","requestSize":"243","status":200,"responseSize":"229","latency":"0.5s","protocol":"HTTP/1.1"},"labels":{"instanceId":"00aa"}}`
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"year 9999", "2024-03-14T10:00:00.022070Z", "9999-12-31T23:59:59.999999999Z", `timestamp "9999-12-31T23:59:59.999999999Z": out of range`},
		{"year 1", "2024-03-14T10:00:00.022070Z", "0001-01-01T00:00:00Z", `timestamp "0001-01-01T00:00:00Z": out of range`},
		{"status -1", `"status":200`, `"status":-1`, "status -1: not an HTTP status"},
		{"status huge", `"status":200`, `"status":99999999999`, "status 99999999999: not an HTTP status"},
		{"negative size", `"responseSize":"229"`, `"responseSize":"-229"`, "responseSize -229: negative"},
		{"null httpRequest", `"httpRequest":{"requestMethod":"GET","requestUrl":"https://s.run.app/","requestSize":"243","status":200,"responseSize":"229","latency":"0.5s","protocol":"HTTP/1.1"}`, `"httpRequest":null`, "no httpRequest"},
		{"absent httpRequest", `,"httpRequest":{"requestMethod":"GET","requestUrl":"https://s.run.app/","requestSize":"243","status":200,"responseSize":"229","latency":"0.5s","protocol":"HTTP/1.1"}`, ``, "no httpRequest"},
	} {
		bad := strings.Replace(good, tc.old, tc.new, 1)
		good2 := strings.Replace(good, `"insertId":"ID"`, `"insertId":"ID2"`, 1) // not a repeat of good
		// good again with a payload: read the general way, by a decoder
		// that reuses its entry, which must forget this request.
		good3 := strings.Replace(good, `"insertId":"ID"`, `"insertId":"ID3","jsonPayload":{"a":1}`, 1)
		for _, form := range []string{"ndjson", "array", "pretty"} {
			var in string
			switch form {
			case "ndjson":
				in = good3 + "\n" + bad + "\n" + good2 + "\n"
			case "array":
				in = "[" + good3 + ",\n" + bad + ",\n" + good2 + "]\n"
			case "pretty":
				in = string(logtest.Array(t, []byte(good3+"\n"+bad+"\n"+good2)))
			}
			ds := &model.Dataset{}
			if _, err := ReadLogs("x.json", strings.NewReader(in), ds); err != nil {
				t.Fatalf("%s, %s: %v", tc.name, form, err)
			}
			if len(ds.Requests) != 2 || len(ds.Warnings) != 1 || !strings.HasPrefix(ds.Warnings[0], "x.json:") ||
				!strings.Contains(ds.Warnings[0], tc.want) {
				t.Errorf("%s, %s: %d requests, warnings %q; want 2 and one saying %q", tc.name, form, len(ds.Requests), ds.Warnings, tc.want)
			}
			if form == "ndjson" && len(ds.Warnings) == 1 && !strings.HasPrefix(ds.Warnings[0], "x.json:2: ") {
				t.Errorf("%s: warning %q does not name line 2", tc.name, ds.Warnings[0])
			}
		}
	}
}

// Metric points out of range are dropped with a warning naming the file:
// a timestamp in year 9999, a negative count of a DELTA metric.
func TestReadTimeSeriesRefusesOutOfRange(t *testing.T) {
	const resp = `{"timeSeries":[{"metric":{"type":"run.googleapis.com/request_count"},"resource":{"type":"cloud_run_revision","labels":{"service_name":"s"}},` +
		`"metricKind":"DELTA","valueType":"INT64","points":[` +
		`{"interval":{"startTime":"2024-03-14T10:00:00Z","endTime":"2024-03-14T10:01:00Z"},"value":{"int64Value":"5"}},` +
		`{"interval":{"startTime":"2024-03-14T10:01:00Z","endTime":"9999-12-31T23:59:59Z"},"value":{"int64Value":"5"}},` +
		`{"interval":{"startTime":"2024-03-14T10:02:00Z","endTime":"2024-03-14T10:03:00Z"},"value":{"int64Value":"-7"}}]}]}`
	ds := &model.Dataset{}
	if _, err := ReadTimeSeries("m.json", strings.NewReader(resp), ds); err != nil {
		t.Fatal(err)
	}
	if len(ds.Metrics) != 1 || len(ds.Metrics[0].Points) != 1 {
		t.Fatalf("series %+v, want one point kept", ds.Metrics)
	}
	all := strings.Join(ds.Warnings, "\n")
	for _, want := range []string{"out of range", "negative count"} {
		if !strings.Contains(all, want) || !strings.Contains(all, "m.json") {
			t.Errorf("warnings %q, want one naming m.json and saying %q", ds.Warnings, want)
		}
	}
}
