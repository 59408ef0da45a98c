package loadtest

import (
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/model"
)

func TestReadJMeterHeaderless(t *testing.T) {
	path := td("jmeter_headerless.csv")
	run, warns := readOK(t, Options{Tool: "jmeter"}, path)
	eq(t, "warnings", warns, []string{
		path + ":9: want 17 columns, got 3: the file ends in a half-written row; ignored",
		path + ":1: 1 Transaction Controller rows and 2 sub-samples (redirects, embedded resources: \"label-0\") are not requests; left out",
	})
	eq(t, "tool, version", []string{run.Tool, run.Version}, []string{"jmeter", "jmeter-csv"})
	eq(t, "requests, failures", []int64{run.Total.Requests, run.Total.Failures}, []int64{5, 2})
	eq(t, "endpoint names", names(run), "Checkout Home Login")
	home := findEndpoint(t, run, "", "Home")
	// Home: 120, 2 and 80 ms; the median is the value at rank 2.
	eq(t, "home", []any{home.Requests, home.Failures, home.Median, home.Min, home.Max, home.AvgContentSize},
		[]any{int64(3), int64(1), 80 * time.Millisecond, 2 * time.Millisecond, 120 * time.Millisecond, float64(1500+2110+1500) / 3})
	// All: 2, 80, 120, 250, 300 ms.
	eq(t, "total median, p95, avg", []time.Duration{run.Total.Median, quantile(t, run.Total, 0.95), run.Total.Avg},
		[]time.Duration{120 * time.Millisecond, 300 * time.Millisecond, 150400 * time.Microsecond})
	eq(t, "RPS over 3 s", run.Total.RPS, 5.0/3)
	eq(t, "failures", run.Failures, []model.ClientFailure{
		{Name: "Checkout", Error: "Test failed: code expected to equal /200/", Occurrences: 1},
		{Name: "Home", Error: "Non HTTP response code: org.apache.http.conn.HttpHostConnectException Non HTTP response message: Connect to 127.0.0.1:8080 [/127.0.0.1] failed: Connection refused", Occurrences: 1},
	})
	// Seconds 0, 1 and 2 hold requests; the last one ends at 3.079 s, so
	// the timeline runs to 4 s.
	eq(t, "history rows", len(run.History), 5)
	h := run.History
	eq(t, "first second", []any{h[0].Time, h[0].RPS, h[0].Users, h[0].TotalRequests}, []any{time.Unix(1700000000, 0).UTC(), 2.0, 2, int64(2)})
	eq(t, "second second", []any{h[1].RPS, h[1].FailuresPerSec, h[1].Median, h[1].TotalFailures}, []any{2.0, 2.0, 2 * time.Millisecond, int64(2)}) // of 2 and 250 ms, rank 1
	eq(t, "third second users", h[2].Users, 1)
	eq(t, "last row", []any{h[4].RPS, h[4].Users, h[4].TotalRequests, h[4].Percentiles}, []any{0.0, 1, int64(5), []model.Percentile(nil)})
}

func names(run *model.ClientRun) string {
	var out []string
	for _, e := range run.Endpoints {
		out = append(out, strings.TrimSpace(e.Method+" "+e.Name))
	}
	return strings.Join(out, " ")
}

func TestReadJMeterDates(t *testing.T) {
	path := td("jmeter_tab_dates.jtl")
	noZone := path + ":1: timeStamp dates carry no time zone (JMeter writes local time); read as UTC: give -clock-offset if the client's zone was another"
	for _, format := range []string{"", "dd/MM/yyyy HH:mm:ss.SSS"} {
		t.Run("format "+format, func(t *testing.T) {
			run, warns := readOK(t, Options{JMeterTimeFormat: format}, path)
			eq(t, "warnings", warns, []string{noZone})
			eq(t, "requests, failures", []int64{run.Total.Requests, run.Total.Failures}, []int64{3, 1})
			eq(t, "names", names(run), "GET /a GET /b")
			eq(t, "start", run.History[0].Time, time.Date(2023, 12, 25, 9, 0, 1, 0, time.UTC))
			eq(t, "rows (1 s to 4 s)", len(run.History), 4)
			eq(t, "users", run.History[0].Users, 3)
			eq(t, "GET /a median", findEndpoint(t, run, "", "GET /a").Median, 50*time.Millisecond)
		})
	}
	t.Run("wrong format", func(t *testing.T) {
		_, warns, err := ReadWith([]string{path}, Options{JMeterTimeFormat: "yyyy-MM-dd HH:mm:ss"})
		if err == nil || !strings.Contains(err.Error(), "no sample with a readable time") {
			t.Errorf("error = %v", err)
		}
		if len(warns) != 4 || !strings.Contains(warns[1], `timeStamp "25/12/2023 09:00:01.250" is neither epoch milliseconds nor a date like "yyyy-MM-dd HH:mm:ss"; row skipped`) {
			t.Errorf("warnings = %q", warns)
		}
	})
	t.Run("ambiguous day and month", func(t *testing.T) {
		p := tmpFile(t, "x.jtl", []byte("timeStamp,elapsed,label,success\n03/04/2023 10:00:00,5,a,true\n"))
		run, warns := readOK(t, Options{}, p)
		eq(t, "read as MM/dd", run.History[0].Time, time.Date(2023, 3, 4, 10, 0, 0, 0, time.UTC))
		if len(warns) != 2 || !strings.Contains(warns[0], `timeStamp read with the pattern "MM/dd/yyyy HH:mm:ss", guessed; another pattern reads the dates as well`) {
			t.Errorf("warnings = %q", warns)
		}
	})
	t.Run("no success column", func(t *testing.T) {
		p := tmpFile(t, "x.jtl", []byte("timeStamp,elapsed,label,responseCode\n1700000000000,5,a,200\n1700000000000,5,a,302\n1700000000000,5,a,503\n1700000000000,5,a,Non HTTP response code: java.net.ConnectException\n"))
		run, warns := readOK(t, Options{}, p)
		eq(t, "failures by code", []int64{run.Total.Requests, run.Total.Failures}, []int64{4, 2})
		eq(t, "warnings", warns, []string(nil))
	})
	t.Run("zone in the pattern", func(t *testing.T) {
		p := tmpFile(t, "x.jtl", []byte("timeStamp,elapsed,label,success\n2023-04-03T10:00:00.500+02:00,5,a,true\n"))
		run, warns := readOK(t, Options{}, p)
		eq(t, "UTC", run.History[0].Time, time.Date(2023, 4, 3, 8, 0, 0, 0, time.UTC))
		eq(t, "warnings", warns, []string(nil))
	})
}

func TestReadJMeterXML(t *testing.T) {
	path := td("jmeter_nested.xml")
	run, warns := readOK(t, Options{}, path)
	eq(t, "warnings", warns, []string{path + ":1: 1 Transaction Controller rows and 2 sub-samples (redirects, embedded resources: \"label-0\") are not requests; left out"})
	eq(t, "version", run.Version, "jmeter-xml")
	eq(t, "requests, failures", []int64{run.Total.Requests, run.Total.Failures}, []int64{4, 1})
	eq(t, "names (the transaction's children are requests)", names(run), "Cart Home & more Login Pay")
	eq(t, "login latency", findEndpoint(t, run, "", "Login").Max, 310*time.Millisecond)
	eq(t, "failures", run.Failures, []model.ClientFailure{{Name: "Pay", Error: "Test failed: code expected to equal /200/", Occurrences: 1}})
	eq(t, "history (0 s to 3 s)", len(run.History), 4)
	eq(t, "users", run.History[0].Users, 2)
}

func TestReadJMeterXMLDamaged(t *testing.T) {
	text := `<?xml version="1.0" encoding="ISO-8859-1"?>
<testResults version="1.2">
<sample t="10" ts="1700000000000" s="true" lb="caf` + "\xe9" + `" rc="200" dt="text"/>
<sample t="20" ts="1700000000500" s="false" lb="b" rc="503" rm="Service Unavailable" dt="text"/>
<sample t="30" ts="17000`
	p := tmpFile(t, "cut.jtl", []byte(text))
	run, warns := readOK(t, Options{}, p)
	eq(t, "requests, failures", []int64{run.Total.Requests, run.Total.Failures}, []int64{2, 1})
	eq(t, "latin-1 label", run.Endpoints[1].Name, "café")
	eq(t, "failure", run.Failures[0].Error, "503 Service Unavailable")
	if len(warns) != 1 || !strings.Contains(warns[0], "cut.jtl:5: XML syntax error on line 5: unexpected EOF: the file ends in a half-written sample or is damaged; the rest is ignored") {
		t.Errorf("warnings = %q", warns)
	}
	_, _, err := ReadWith([]string{tmpFile(t, "empty.jtl", []byte("<testResults version=\"1.2\">\n</testResults>\n"))}, Options{})
	if err == nil || !strings.Contains(err.Error(), "no <httpSample> or <sample> in the XML JTL") {
		t.Errorf("error = %v", err)
	}
}

func TestJavaTimeLayout(t *testing.T) {
	tests := []struct{ java, goLayout, err string }{
		{"yyyy/MM/dd HH:mm:ss", "2006/01/02 15:04:05", ""},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2006-01-02T15:04:05.000Z07:00", ""},
		{"dd.MM.yy HH:mm:ss,SSS Z", "02.01.06 15:04:05,000 -0700", ""},
		{"EEE, d MMM yyyy h:mm a z", "Mon, 2 Jan 2006 3:04 PM MST", ""},
		{"EEEE dd MMMM yyyy 'at' HH:mm", "Monday 02 January 2006 at 15:04", ""},
		{"yyyy''MM", "2006'01", ""},
		{"HHmmssSSS", "", "fractional seconds (S) must follow '.' or ','"},
		{"yyyy-MM-dd G", "", "pattern letter \"G\" is not supported"},
		{"'unterminated", "", "unterminated quote at 1"},
		{"", "", "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.java, func(t *testing.T) {
			got, err := JavaTimeLayout(tt.java)
			switch {
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("error = %v, want %q", err, tt.err)
			case tt.err == "" && (err != nil || got != tt.goLayout):
				t.Errorf("JavaTimeLayout = %q, %v; want %q", got, err, tt.goLayout)
			}
		})
	}
}
