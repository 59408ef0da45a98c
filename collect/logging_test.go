package collect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/unicode"

	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/internal/realdata"
	"github.com/runlens/runlens/model"
)

// at is a time on the fixtures' day, 2026-03-02, in UTC.
func at(clock string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.999999999Z", "2026-03-02T"+clock+"Z")
	if err != nil {
		panic(err)
	}
	return t
}

const (
	fixtureRevision = "mobilenet-00003-xiv"
	fixtureStart    = "Starting new instance. Reason: AUTOSCALING - Instance started due to configured scaling factors (e.g. CPU utilization, request throughput, etc.) or no existing capacity for current traffic."
)

// fixtureRequests are the requests of testdata/logging/requests-system.*.
var fixtureRequests = []model.Request{
	{
		Time: at("10:00:00.05"), Method: "GET", URL: "https://mobilenet-abc123-uc.a.run.app/", Path: "/",
		Status: 200, Latency: 18287123456, RequestSize: 312, ResponseSize: 28,
		UserAgent: "python-requests/2.31.0", RemoteIP: "2001:db8:85a3::8a2e:370:7334", Protocol: "HTTP/1.1",
		InstanceID: "00aa11", Revision: fixtureRevision, Service: "mobilenet", Location: "us-central1",
		Trace: "projects/demo-proj/traces/4bf92f3577b34da6a3ce929d0e0e4736", InsertID: "req-cold", Severity: "INFO",
		ColdStart: true,
	},
	{
		Time: at("10:00:18.400000001"), Method: "POST", URL: "https://mobilenet-abc123-uc.a.run.app/predict?model=v2&debug=1#top",
		Path: "/predict", Status: 200, Latency: 700123 * time.Microsecond, RequestSize: 20480, ResponseSize: 95,
		UserAgent: "python-requests/2.31.0", RemoteIP: "203.0.113.7", Protocol: "HTTP/1.1",
		InstanceID: "00aa11", Revision: fixtureRevision, Service: "mobilenet", Location: "us-central1",
		Trace: "projects/demo-proj/traces/0af7651916cd43dd8448eb211c80319c", InsertID: "req-query", Severity: "INFO",
	},
	{
		Time: at("10:00:19"), Method: "POST", URL: "/predict", Path: "/predict", Status: 0,
		Latency: 59999999999, RequestSize: 20480,
		UserAgent: "python-requests/2.31.0", RemoteIP: "203.0.113.7", Protocol: "HTTP/1.1",
		InstanceID: "00aa11", Revision: fixtureRevision, Service: "mobilenet", Location: "us-central1",
		InsertID: "req-gone", Severity: "ERROR",
	},
	{
		Time: at("10:00:31.000321"), Method: "GET", URL: "https://mobilenet-abc123-uc.a.run.app/items/a%20b",
		Path: "/items/a b", Status: 429, Latency: 321 * time.Microsecond,
		UserAgent: "curl/8.5.0", RemoteIP: "198.51.100.23", Protocol: "HTTP/2",
		Revision: fixtureRevision, Service: "mobilenet", Location: "us-central1",
		InsertID: "req-429", Severity: "WARNING",
	},
}

var fixtureEvents = []model.InstanceEvent{
	{Time: at("10:00:00.101"), Kind: model.EventStart, InstanceID: "00aa11", Revision: fixtureRevision, Reason: "AUTOSCALING", Text: fixtureStart},
	{Time: at("10:00:09"), Kind: model.EventProbeSucceeded, InstanceID: "00aa11", Revision: fixtureRevision,
		Text: `Default STARTUP TCP probe succeeded after 1 attempt for container "mobilenet-1" on port 5000.`},
	{Time: at("10:00:25.5"), Kind: model.EventMemoryLimitExceeded, InstanceID: "00aa11", Revision: fixtureRevision,
		Text: "Memory limit of 2048 MiB exceeded with 2051 MiB used. Consider increasing the memory limit, see https://cloud.google.com/run/docs/configuring/memory-limits"},
	{Time: at("10:16:00"), Kind: model.EventShutdown, InstanceID: "00aa11", Revision: fixtureRevision,
		Text: "Instance shutting down: no traffic for 15 minutes."},
}

var fixtureSkipped = map[string]int{
	"cloud_run_revision/stdout":                             1,
	"cloud_run_revision/cloudaudit.googleapis.com/activity": 1,
	"cloud_scheduler_job":                                   1,
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "logging", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReadLogsFixture reads the same eleven entries in every layout and
// encoding an export comes in.
func TestReadLogsFixture(t *testing.T) {
	ndjson := readFixture(t, "requests-system.ndjson")
	array := readFixture(t, "requests-system.json")
	tests := []struct {
		name   string
		data   []byte
		format string
	}{
		{"ndjson", ndjson, "logging-ndjson"},
		{"array", array, "logging-array"},
		{"gzip ndjson", logtest.Gzip(t, ndjson), "logging-ndjson"},
		{"utf16le bom crlf array", utf16LE(t, crlf(array)), "logging-array"},
		{"utf8 bom crlf ndjson", append([]byte("\xEF\xBB\xBF"), crlf(ndjson)...), "logging-ndjson"},
		{"pretty objects (jq .[])", prettyStream(t, ndjson), "logging-stream"},
		{"array on one line", compact(t, array), "logging-array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ds model.Dataset
			n, err := ReadLogs("x", bytes.NewReader(tt.data), &ds)
			if err != nil {
				t.Fatal(err)
			}
			if n != 11 {
				t.Errorf("read %d entries, want 11", n)
			}
			if diff := cmp.Diff(fixtureRequests, ds.Requests); diff != "" {
				t.Errorf("Requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(fixtureEvents, ds.Events); diff != "" {
				t.Errorf("Events (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(fixtureSkipped, ds.Skipped); diff != "" {
				t.Errorf("Skipped (-want +got):\n%s", diff)
			}
			if len(ds.Warnings) != 0 {
				t.Errorf("warnings: %q", ds.Warnings)
			}
			want := []model.Source{{Path: "x", Format: tt.format, Items: 11}}
			if diff := cmp.Diff(want, ds.Sources); diff != "" {
				t.Errorf("Sources (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadLogsAppends checks that a second file adds to what the first
// read. The two files hold the same entries: the second's request and
// system entries are repeats, counted once (repeats.go); entries of other
// logs are only counted, both times.
func TestReadLogsAppends(t *testing.T) {
	var ds model.Dataset
	for _, name := range []string{"requests-system.ndjson", "requests-system.json"} {
		if _, err := ReadLogs(name, bytes.NewReader(readFixture(t, name)), &ds); err != nil {
			t.Fatal(err)
		}
	}
	if len(ds.Requests) != 4 || len(ds.Events) != 4 || ds.Repeats != 8 || ds.Skipped["cloud_scheduler_job"] != 2 || len(ds.Sources) != 2 {
		t.Errorf("got %d requests, %d events, %d repeats, skipped %v, %d sources; want 4, 4, 8, 2 scheduler entries, 2",
			len(ds.Requests), len(ds.Events), ds.Repeats, ds.Skipped, len(ds.Sources))
	}
}

// readBadFixture reads a fixture log file with bad entries and checks the
// number of entries read and the warnings.
func readBadFixture(t *testing.T, name string, entries int, warnings []string) *model.Dataset {
	t.Helper()
	var ds model.Dataset
	n, err := ReadLogs(name, bytes.NewReader(readFixture(t, name)), &ds)
	if err != nil {
		t.Fatal(err)
	}
	if n != entries {
		t.Errorf("read %d entries, want %d", n, entries)
	}
	if diff := cmp.Diff(warnings, ds.Warnings); diff != "" {
		t.Errorf("Warnings (-want +got):\n%s", diff)
	}
	return &ds
}

func TestReadLogsBadLines(t *testing.T) {
	// Entries read: lines 1, 3, 4, 5, 8, 9 and 10.
	ds := readBadFixture(t, "bad-lines.ndjson", 7, []string{
		"bad-lines.ndjson:2: unexpected end of JSON input",
		`bad-lines.ndjson:4: timestamp "2026-13-02T10:00:03Z": date or time out of range`,
		`bad-lines.ndjson:5: latency: duration "104ms": want decimal seconds like "0.25s"`,
		"bad-lines.ndjson:7: not a LogEntry: no logName",
		`bad-lines.ndjson:8: int64 "12kB": strconv.ParseInt: parsing "12kB": invalid syntax`,
		`bad-lines.ndjson:9: no timestamp`,
	})
	var ids []string
	for _, r := range ds.Requests {
		ids = append(ids, r.InsertID)
	}
	if diff := cmp.Diff([]string{"ok-1", "ok-2"}, ids); diff != "" {
		t.Errorf("requests read (-want +got):\n%s", diff)
	}
	wantEvents := []model.InstanceEvent{{Time: at("10:00:06"), Kind: model.EventCrash, InstanceID: "00bb22",
		Revision: fixtureRevision, Text: "Container called exit(1)."}}
	if diff := cmp.Diff(wantEvents, ds.Events); diff != "" {
		t.Errorf("Events (-want +got):\n%s", diff)
	}
}

func TestReadLogsBadArray(t *testing.T) {
	ds := readBadFixture(t, "bad-array.json", 4, []string{
		"bad-array.json:9: want a string at timestamp, got a number",
		`bad-array.json:17: latency "-0.5s": negative`,
		`bad-array.json:30: skipped a malformed element: invalid character '\n' in string literal`,
		"bad-array.json:34: stopped reading after 4 entries: array not closed: unexpected EOF",
	})
	if len(ds.Requests) != 2 || ds.Requests[0].InsertID != "ok-1" || ds.Requests[1].InsertID != "ok-3" ||
		ds.Requests[1].Latency != 300*time.Millisecond {
		t.Errorf("requests = %+v, want ok-1 and ok-3 (0.3 s)", ds.Requests)
	}
}

// TestReadLogsArrayLines checks the line reported for array elements laid
// out in different ways.
func TestReadLogsArrayLines(t *testing.T) {
	bad := `{"logName": "projects/p/logs/x", "timestamp": 5}`
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"one per line", "[\n" + bad + ",\n" + bad + "\n]", []string{"x:2: ", "x:3: "}},
		{"comma first", "[\n  " + bad + "\n  ,\n\n  " + bad + "]\n", []string{"x:2: ", "x:5: "}},
		{"same line", "\n\n[" + bad + ", " + bad + "]", []string{"x:3: ", "x:3: "}},
		{"crlf", "[\r\n" + bad + ",\r\n\r\n" + bad + "\r\n]\r\n", []string{"x:2: ", "x:4: "}},
		{"long gap", "[" + bad + "," + strings.Repeat("\n", 10000) + bad + "]", []string{"x:1: ", "x:10001: "}},
		{"long entries", "[\n" + longEntry(3000) + ",\n" + bad + ",\n" + longEntry(70000) + ",\n" + bad + "]",
			[]string{"x:3: ", "x:5: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ds model.Dataset
			if _, err := ReadLogs("x", strings.NewReader(tt.in), &ds); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range ds.Warnings {
				got = append(got, w[:strings.Index(w, " ")+1])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("warning lines (-want +got):\n%s\nall: %q", diff, ds.Warnings)
			}
		})
	}
}

// TestReadLogsFixtureLines breaks every entry of the pretty-printed fixture
// and checks that each warning names the line of the entry's "{", found
// here by looking for the lines that hold only "  {".
func TestReadLogsFixtureLines(t *testing.T) {
	array := readFixture(t, "requests-system.json")
	broken := bytes.ReplaceAll(array, []byte(`"timestamp": "`), []byte(`"timestamp": 0, "t": "`))
	var want []int
	for i, line := range strings.Split(string(array), "\n") {
		if line == "  {" {
			want = append(want, i+1)
		}
	}
	if len(want) != 11 {
		t.Fatalf("found %d entries in the fixture, want 11", len(want))
	}
	for _, in := range [][]byte{broken, utf16LE(t, crlf(broken))} {
		var ds model.Dataset
		if _, err := ReadLogs("x", bytes.NewReader(in), &ds); err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, w := range ds.Warnings {
			var line int
			fmt.Sscanf(w, "x:%d:", &line)
			got = append(got, line)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("warning lines (-want +got):\n%s", diff)
		}
	}
}

// longEntry is a valid skipped entry of about size bytes, on one line.
func longEntry(size int) string {
	return `{"logName": "projects/p/logs/x", "resource": {"type": "gae_app"}, "textPayload": "` +
		strings.Repeat("a", size) + `"}`
}

func TestReadLogsWarningCap(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "{broken %d\n", i)
	}
	b.WriteString(`{"logName": "projects/p/logs/x", "resource": {"type": "gae_app"}}` + "\n")
	var ds model.Dataset
	n, err := ReadLogs("many.ndjson", strings.NewReader(b.String()), &ds)
	if err != nil || n != 1 {
		t.Fatalf("ReadLogs = %d, %v; want 1 entry", n, err)
	}
	if len(ds.Warnings) != 21 {
		t.Fatalf("%d warnings, want 20 and a summary: %q", len(ds.Warnings), ds.Warnings)
	}
	if got, want := ds.Warnings[19], "many.ndjson:20: invalid character 'b' looking for beginning of object key string"; got != want {
		t.Errorf("warning 20 = %q, want %q", got, want)
	}
	if got, want := ds.Warnings[20], "many.ndjson: 30 warnings in all, 10 not shown"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if diff := cmp.Diff(map[string]int{"gae_app": 1}, ds.Skipped); diff != "" {
		t.Errorf("Skipped (-want +got):\n%s", diff)
	}
}

func TestReadLogsEmptyArray(t *testing.T) {
	for _, in := range []string{"[]", "\n  [ ]  \n", "\xEF\xBB\xBF[\r\n]\r\n"} {
		var ds model.Dataset
		n, err := ReadLogs("empty.json", strings.NewReader(in), &ds)
		if err != nil || n != 0 {
			t.Errorf("ReadLogs(%q) = %d, %v; want 0, nil", in, n, err)
		}
		if diff := cmp.Diff([]string{"empty.json: empty array: no log entries"}, ds.Warnings); diff != "" {
			t.Errorf("%q: Warnings (-want +got):\n%s", in, diff)
		}
		if diff := cmp.Diff([]model.Source{{Path: "empty.json", Format: "logging-array"}}, ds.Sources); diff != "" {
			t.Errorf("%q: Sources (-want +got):\n%s", in, diff)
		}
	}
}

func TestReadLogsErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"yaml", string(readFixture(t, "gcloud-default.yaml")),
			"x: this is YAML (gcloud's default output); export with --format=json"},
		{"yaml document", "---\nhttpRequest:\n", "x: this is YAML"},
		{"empty", "", "x: empty file"},
		{"blank lines", "\n \r\n\t\n", "x: empty file"},
		{"text", "hello, world\n", `x: not a JSON array or one JSON object per line: starts with "hello, world"`},
		{"csv", "Type,Name,Request Count\n", "x: not a JSON array"},
		{"numbers", "[1, 2]", "x:1: no log entries: want an object, got a number"},
		{"objects without logName", "[{\"points\": []},\n {\"a\": 1}]", "x:1: no log entries: not a LogEntry: no logName"},
		{"ndjson without logName", "{\"a\": 1}\n{\"b\": 2}\n", "x:1: no log entries: not a LogEntry: no logName"},
		{"bad ndjson", "{\"a\": \n", "x:1: no log entries: unexpected end of JSON input"},
		{"cut array", "[\n {\"logName\": ", "x:2: array not closed: unexpected EOF"},
		{"broken array", "[\n {\"logName\": x}]", "x:2: no log entries: skipped a malformed element: invalid character 'x' looking for beginning of value"},
		{"array not closed", "[\n", "x:2: array not closed: unexpected EOF"},
		{"bad gzip", "\x1f\x8b\x00\x00", "x: gzip: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := model.Dataset{Warnings: []string{"earlier"}}
			n, err := ReadLogs("x", strings.NewReader(tt.in), &ds)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("ReadLogs = %d, %v; want an error starting %q", n, err, tt.want)
			}
			if n != 0 || len(ds.Sources) != 0 || len(ds.Warnings) != 1 || len(ds.Requests) != 0 {
				t.Errorf("a failed read changed the Dataset: %d, %+v", n, ds)
			}
		})
	}
}

// TestReadLogsTruncatedGzip reads a log-sink file whose gzip stream was cut:
// the complete lines are kept and a warning says where reading stopped.
func TestReadLogsTruncatedGzip(t *testing.T) {
	z := logtest.Gzip(t, bytes.Repeat(readFixture(t, "requests-system.ndjson"), 50))
	var ds model.Dataset
	n, err := ReadLogs("cut.ndjson.gz", bytes.NewReader(z[:len(z)*2/3]), &ds)
	if err != nil {
		t.Fatal(err)
	}
	if n < 11 || n >= 550 || len(ds.Requests) < 4 {
		t.Errorf("read %d entries, %d requests; want part of 550", n, len(ds.Requests))
	}
	last := ds.Warnings[len(ds.Warnings)-1]
	if !strings.Contains(last, "stopped reading after") || !strings.Contains(last, "unexpected EOF") {
		t.Errorf("last warning %q, want it to say reading stopped at an unexpected EOF", last)
	}
}

func TestReadLogsGzipFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "requests.ndjson.gz")
	if err := os.WriteFile(path, logtest.Gzip(t, readFixture(t, "requests-system.ndjson")), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ds model.Dataset
	if n, err := ReadLogs(path, f, &ds); err != nil || n != 11 || len(ds.Requests) != 4 {
		t.Errorf("ReadLogs = %d, %v with %d requests; want 11, nil, 4", n, err, len(ds.Requests))
	}
}

func TestURLPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://svc-abc-uc.a.run.app/predict?x=1", "/predict"},
		{"https://svc-abc-uc.a.run.app", "/"},
		{"https://svc-abc-uc.a.run.app?x=1", "/"},
		{"http://[2001:db8::1]:8080/a/b#frag", "/a/b"},
		{"/items/a%20b?q=%zz", "/items/a b"},
		{"/bad%zzescape", "/bad%zzescape"},
		{"/redirect?to=https://example.com/x", "/redirect"},
		{"https://h/%2Fencoded", "//encoded"},
		{"*", "*"},
		{"", ""},
		{"not a url at all", "not a url at all"},
		{"https://h/</script><script>alert(1)</script>", "/</script><script>alert(1)</script>"},
	}
	for _, tt := range tests {
		if got := urlPath(tt.in); got != tt.want {
			t.Errorf("urlPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzPathCache checks that a pathCache, whatever URLs taught it its
// origin, gives each URL the path urlPath gives.
func FuzzPathCache(f *testing.F) {
	for _, s := range []string{"https://svc-abc-uc.a.run.app/predict?x=1", "https://svc-abc-uc.a.run.app",
		"http://[2001:db8::1]:8080/a/b#frag", "/items/a%20b?q=%zz", "https://h/%2Fencoded", "*", "",
		"https://h?x=/a", "https://h#/a", "a/b://h/c", "https://h/a?b#c", "https://h//x", "https://h/a%zz"} {
		f.Add("https://svc-abc-uc.a.run.app/x", s)
		f.Add(s, s+"/more?q")
	}
	f.Fuzz(func(t *testing.T, train, raw string) {
		var c pathCache
		c.path(train)
		for range 2 { // taught by train, then by raw itself
			if got, want := c.path(raw), urlPath(raw); got != want {
				t.Fatalf("taught %q (origin %q), pathCache gives %q for %q; urlPath %q", train, c.origin, got, raw, want)
			}
		}
	})
}

func TestEventKind(t *testing.T) {
	tests := []struct {
		text string
		want model.EventKind
	}{
		{fixtureStart, model.EventStart},
		{"Starting new instance. Reason: MIN_INSTANCE - Instance started because of customer-configured min-instances or min-instances.", model.EventStart},
		{`Default STARTUP TCP probe succeeded after 1 attempt for container "toxic-1" on port 8000.`, model.EventProbeSucceeded},
		{"Default STARTUP TCP probe failed 1 time consecutively for container \"x-1\" on port 8080. The instance was not started.\nConnection failed with status CANCELLED.", model.EventProbeFailed},
		{"Memory limit of 512 MiB exceeded with 530 MiB used. Consider increasing the memory limit.", model.EventMemoryLimitExceeded},
		{"Container called exit(1).", model.EventCrash},
		{"terminated: Application failed to start: failed to load /docker-entrypoint.sh: no such file or directory", model.EventCrash},
		{"Container terminated on signal 15.", model.EventShutdown},
		{"Shutting down instance.", model.EventShutdown},
		{"Instance shutting down: no traffic for 15 minutes.", model.EventShutdown},
		{"Application exec likely failed", model.EventOther},
		{"", model.EventOther},
	}
	for _, tt := range tests {
		if got := eventKind(tt.text); got != tt.want {
			t.Errorf("eventKind(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestStartReason(t *testing.T) {
	tests := []struct{ label, text, want string }{
		{"AUTOSCALING", "Starting new instance. Reason: DEPLOYMENT_ROLLOUT - x", "AUTOSCALING"},
		{"", "Starting new instance. Reason: DEPLOYMENT_ROLLOUT - Instance started due to traffic shifting.", "DEPLOYMENT_ROLLOUT"},
		{"", "Starting new instance. Reason: MIN_INSTANCE.", "MIN_INSTANCE"},
		{"", "Starting new instance.", ""},
	}
	for _, tt := range tests {
		if got := startReason(tt.label, tt.text); got != tt.want {
			t.Errorf("startReason(%q, %q) = %q, want %q", tt.label, tt.text, got, tt.want)
		}
	}
}

// realLogs is what each real export in realdata/cloudlogging holds, counted
// with python's json module independently of this reader.
var realLogs = map[string]struct {
	entries    int
	requests   int
	latencySum time.Duration // of all requests, exact
	instances  int           // distinct labels.instanceId among requests
	services   []string      // distinct service names among requests
	events     map[model.EventKind]int
	skipped    map[string]int
	err        string // the start of the error, for files that must be refused
}{
	"arsi100-telegram-signals_requests-and-scheduler.json": {
		entries: 24, requests: 12, latencySum: 53736042, instances: 1, services: []string{"run-signal-generation"},
		skipped: map[string]int{"cloud_scheduler_job": 12},
	},
	"arsi100-telegram-signals_stdout-stderr-500.json": {
		entries: 500,
		skipped: map[string]int{"cloud_run_revision/stderr": 202, "cloud_run_revision/stdout": 298},
	},
	"mramansayyad-pee_system-audit_utf16.json": {
		entries: 50,
		events:  map[model.EventKind]int{model.EventStart: 4, model.EventProbeFailed: 5, model.EventCrash: 5},
		skipped: map[string]int{
			"cloud_run_revision/cloudaudit.googleapis.com/system_event": 10,
			"cloud_run_revision/cloudaudit.googleapis.com/activity":     8,
			"cloud_run_revision/stderr":                                 18,
		},
	},
	"mukoyakuya-toxic_gcloud-mixed-system.json": {
		entries: 50, requests: 9, latencySum: 12959283851, instances: 1, services: []string{"toxic"},
		events: map[model.EventKind]int{model.EventStart: 2, model.EventProbeSucceeded: 1, model.EventProbeFailed: 1, model.EventCrash: 1, model.EventOther: 1},
		skipped: map[string]int{
			"cloud_run_revision/cloudaudit.googleapis.com/system_event": 4,
			"cloud_run_revision/cloudaudit.googleapis.com/activity":     2,
			"cloud_run_revision/stderr":                                 25,
			"cloud_run_revision/stdout":                                 4,
		},
	},
	"prefabkalkulator-vialflow_requests_utf16.json": {
		entries: 20, requests: 20, latencySum: 4199858704, instances: 1, services: []string{"vialflow-backend"},
	},
	"semework-pmomax_requests.json": {
		entries: 50, requests: 28, latencySum: 612256750, instances: 1, services: []string{"pmo-architect"},
		skipped: map[string]int{"cloud_run_revision/stderr": 12, "cloud_run_revision/stdout": 10},
	},
	"simonw-til_gcloud-alpha-tail-format-json_excerpt.json": {
		entries: 1, requests: 1, latencySum: 112114537, instances: 1, services: []string{"datasette-io"},
	},
	"simonw-til_gcloud-default-yaml_excerpt.yaml": {
		err: "simonw-til_gcloud-default-yaml_excerpt.yaml: this is YAML (gcloud's default output); export with --format=json",
	},
	"spark2star-synapseai_system-startup-failure.json": {
		entries: 17,
		events:  map[model.EventKind]int{model.EventStart: 1, model.EventProbeFailed: 1, model.EventCrash: 1},
		skipped: map[string]int{"cloud_run_revision/cloudaudit.googleapis.com/system_event": 1, "cloud_run_revision/stderr": 13},
	},
	"tgdscott-donecast_requests_utf16.json": {
		entries: 50, requests: 42, latencySum: 1811762908, instances: 1, services: []string{"podcast-api"},
		skipped: map[string]int{"cloud_run_revision/stderr": 8},
	},
	"verityngn-oss_requests-stdout-stderr.json": {
		entries: 200, requests: 69, latencySum: 456134429, instances: 1, services: []string{"verityngn-api"},
		skipped: map[string]int{"cloud_run_revision/stdout": 77, "cloud_run_revision/stderr": 54},
	},
	"xiangteng007-senteng_requests-stdout_utf8bom.json": {
		entries: 100, requests: 51, latencySum: 1333872048, instances: 1, services: []string{"erp-api"},
		events:  map[model.EventKind]int{model.EventProbeSucceeded: 1},
		skipped: map[string]int{"cloud_run_revision/stdout": 48},
	},
}

func TestRealdataLogging(t *testing.T) {
	for _, path := range realdata.Files(t, "cloudlogging") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			want, ok := realLogs[name]
			if !ok {
				t.Fatalf("%s is not in the expected table: inspect it and add it", name)
			}
			t.Logf("covered: %s", name)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var ds model.Dataset
			n, err := ReadLogs(name, f, &ds)
			if want.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), want.err) {
					t.Fatalf("ReadLogs = %d, %v; want error %q", n, err, want.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkRealLogs(t, &ds, n, want.entries, want.requests, want.latencySum, want.instances, want.services)
			if diff := cmp.Diff(want.events, eventKinds(t, ds.Events)); diff != "" {
				t.Errorf("event kinds (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want.skipped, ds.Skipped); diff != "" {
				t.Errorf("Skipped (-want +got):\n%s", diff)
			}
		})
	}
}

func checkRealLogs(t *testing.T, ds *model.Dataset, n, entries, requests int, latencySum time.Duration, instances int, services []string) {
	t.Helper()
	if n != entries || len(ds.Requests) != requests {
		t.Errorf("read %d entries, %d requests; want %d, %d", n, len(ds.Requests), entries, requests)
	}
	if len(ds.Warnings) != 0 {
		t.Errorf("warnings: %q", ds.Warnings)
	}
	var sum time.Duration
	ids, svcs := map[string]bool{}, map[string]bool{}
	for _, r := range ds.Requests {
		sum += r.Latency
		ids[r.InstanceID] = true
		svcs[r.Service] = true
		if r.Time.IsZero() || r.Method == "" || !strings.HasPrefix(r.Path, "/") || r.Status == 0 || r.ColdStart {
			t.Errorf("request %s: zero time, no method, path %q, status %d or a cold-start marker", r.InsertID, r.Path, r.Status)
		}
	}
	var svcList []string
	for s := range svcs {
		svcList = append(svcList, s)
	}
	if sum != latencySum || len(ids) != instances || !cmp.Equal(services, svcList) {
		t.Errorf("latency sum %d, %d instances, services %q; want %d, %d, %q", sum, len(ids), svcList, latencySum, instances, services)
	}
	if len(ds.Sources) != 1 || ds.Sources[0].Format != "logging-array" || ds.Sources[0].Items != entries {
		t.Errorf("Sources = %+v, want one logging-array of %d", ds.Sources, entries)
	}
}

// eventKinds counts events by kind, checking that each has a time, an
// instance and a text, and that every start says why (all real starts are
// deployment rollouts).
func eventKinds(t *testing.T, evs []model.InstanceEvent) map[model.EventKind]int {
	t.Helper()
	var m map[model.EventKind]int
	for _, e := range evs {
		if m == nil {
			m = map[model.EventKind]int{}
		}
		m[e.Kind]++
		if e.Time.IsZero() || e.InstanceID == "" || e.Text == "" || e.Kind == model.EventStart && e.Reason != "DEPLOYMENT_ROLLOUT" {
			t.Errorf("event %+v: zero time, no instance, no text, or not a deployment start", e)
		}
	}
	return m
}

// utf16LE encodes b as Windows PowerShell's ">" does: UTF-16LE with a BOM.
func utf16LE(t testing.TB, b []byte) []byte {
	t.Helper()
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func crlf(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }

// prettyStream writes each NDJSON line as an indented object, as jq '.[]' does.
func prettyStream(t testing.TB, ndjson []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, line := range bytes.Split(ndjson, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := json.Indent(&out, line, "", "  "); err != nil {
			t.Fatal(err)
		}
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func compact(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
