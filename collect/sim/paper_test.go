package sim

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
)

var update = flag.Bool("update", false, "rewrite the scenario fixtures in ../../fixtures")

// fixtureDir is where a scenario's fixture lives.
func fixtureDir(scenario string) string { return "../../fixtures/" + scenario }

// published is the benchmark's table of client statistics (ms).
var published = []struct {
	typ, name                             string
	requests                              int
	avg, min, max, median, p95, p99, p100 float64
}{
	{"GET", "/", 90, 770, 104, 18287, 580, 1100, 18000, 18000},
	{"POST", "/predict", 335, 1198, 132, 21187, 700, 1300, 18000, 21000},
	{"", "Aggregated", 425, 1107, 104, 21187, 680, 1300, 18000, 21000},
}

// locustBucket rounds a response time the way Locust stores it.
func locustBucket(ms float64) float64 {
	switch {
	case ms < 100:
		return math.RoundToEven(ms)
	case ms < 1000:
		return math.RoundToEven(ms/10) * 10
	case ms < 10000:
		return math.RoundToEven(ms/100) * 100
	}
	return math.RoundToEven(ms/1000) * 1000
}

func TestPaperClientStatsMatchPublished(t *testing.T) {
	for _, seed := range []uint64{DefaultSeed, 2, 17} {
		t.Run("requests/seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			p, err := buildPaper(seed)
			if err != nil {
				t.Fatal(err)
			}
			checkCalls(t, p.client)
		})
	}
	t.Run("csv", func(t *testing.T) {
		dir := t.TempDir()
		if err := Write(dir, PaperMobileNet, DefaultSeed); err != nil {
			t.Fatal(err)
		}
		checkStatsCSV(t, filepath.Join(dir, "client", "mobilenet_stats.csv"))
		checkHistoryCSV(t, filepath.Join(dir, "client", "mobilenet_stats_history.csv"))
		for name, want := range map[string]string{
			"mobilenet_failures.csv":   "Method,Name,Error,Occurrences\r\n",
			"mobilenet_exceptions.csv": "Count,Message,Traceback,Nodes\r\n",
		} {
			if got := readFile(t, filepath.Join(dir, "client", name)); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
	})
}

// checkCalls recomputes Locust's numbers from the per-request latencies.
func checkCalls(t *testing.T, cr *ClientRun) {
	t.Helper()
	for _, want := range published {
		var ms []float64
		for _, c := range cr.Calls {
			if want.typ == "" || c.Method == want.typ && c.Name == want.name {
				ms = append(ms, float64(c.Latency)/float64(time.Millisecond))
			}
		}
		if len(ms) != want.requests {
			t.Fatalf("%s %s: %d requests, want %d", want.typ, want.name, len(ms), want.requests)
		}
		var sum float64
		buckets := make([]float64, len(ms))
		for i, v := range ms {
			sum += v
			buckets[i] = locustBucket(v)
		}
		slices.Sort(buckets)
		n := len(buckets)
		pct := func(p float64) float64 { // calculate_response_time_percentile, as a rank
			k := max(n-int(float64(n)*p), 1)
			return buckets[n-k]
		}
		got := []float64{math.Round(sum / float64(n)), math.Round(slices.Min(ms)), math.Round(slices.Max(ms)),
			buckets[(n-1)/2], pct(0.5), pct(0.95), pct(0.99), pct(1)}
		wantRow := []float64{want.avg, want.min, want.max, want.median, want.median, want.p95, want.p99, want.p100}
		if diff := cmp.Diff(wantRow, got); diff != "" {
			t.Errorf("%s %s: avg, min, max, median, 50%%, 95%%, 99%%, 100%% (-want +got):\n%s", want.typ, want.name, diff)
		}
	}
	var cold []Call
	for _, c := range cr.Calls {
		if c.Latency >= 17500*time.Millisecond {
			cold = append(cold, c)
			if c.Latency > 21200*time.Millisecond {
				t.Errorf("a request took %v, more than 21.2 s", c.Latency)
			}
		}
	}
	if len(cold) != 5 || !slices.Equal(cold, cr.Calls[:5]) {
		t.Errorf("%d requests took 17.5 s or more, want the 5 first ones (one per user, waiting for the cold start)", len(cold))
	}
	rps := float64(len(cr.Calls)) / cr.LastDone().Sub(cr.Test.Start).Seconds()
	if math.Round(rps*10) != 44 {
		t.Errorf("%.4f requests/s, want 4.4", rps)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readCSV checks Python's CRLF line ends, parses the file and checks its
// header.
func readCSV(t *testing.T, path, header string) [][]string {
	t.Helper()
	text := readFile(t, path)
	if !strings.HasSuffix(text, "\r\n") || strings.Count(text, "\n") != strings.Count(text, "\r\n") {
		t.Errorf("%s: lines do not all end in CRLF", path)
	}
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got := strings.Join(rows[0], ","); got != header {
		t.Fatalf("%s: header\n%s\nwant\n%s", path, got, header)
	}
	return rows
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

func checkStatsCSV(t *testing.T, path string) {
	t.Helper()
	rows := readCSV(t, path, "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,60%,70%,80%,90%,95%,99%,100%")
	if len(rows) != 4 {
		t.Fatalf("%d rows, want a header and 3", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, want := range published {
		row := rows[i+1]
		f := func(h string) float64 { return num(t, row[col[h]]) }
		if row[0] != want.typ || row[1] != want.name {
			t.Errorf("row %d is %s %s, want %s %s", i+1, row[0], row[1], want.typ, want.name)
		}
		got := []float64{f("Request Count"), f("Failure Count"), math.Round(f("Average Response Time")),
			math.Round(f("Min Response Time")), math.Round(f("Max Response Time")), f("Median Response Time"),
			f("50%"), f("95%"), f("99%"), f("100%"), f("Failures/s")}
		wantRow := []float64{float64(want.requests), 0, want.avg, want.min, want.max, want.median,
			want.median, want.p95, want.p99, want.p100, 0}
		if diff := cmp.Diff(wantRow, got); diff != "" {
			t.Errorf("%s %s: count, failures, avg, min, max, median, 50%%, 95%%, 99%%, 100%%, failures/s (-want +got):\n%s", want.typ, want.name, diff)
		}
		// Locust prints min and max as floats, medians of 100 ms and more as floats too.
		for _, h := range []string{"Min Response Time", "Max Response Time", "Median Response Time"} {
			if !strings.Contains(row[col[h]], ".") {
				t.Errorf("%s %s: %s = %q, want Python's float form", want.typ, want.name, h, row[col[h]])
			}
		}
	}
	if rps := num(t, rows[3][col["Requests/s"]]); math.Round(rps*10) != 44 {
		t.Errorf("aggregated Requests/s = %v, want 4.4", rps)
	}
}

func checkHistoryCSV(t *testing.T, path string) {
	t.Helper()
	rows := readCSV(t, path, "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,60%,70%,80%,90%,95%,99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size")
	first := strings.Join(rows[1], ",")
	if want := "1710410400,0,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,0,0,0,0.0,0,0,0"; first != want {
		t.Errorf("first history row\n%s\nwant\n%s", first, want)
	}
	last := rows[len(rows)-1]
	if last[14] != "425" || last[6] != "680" || last[12] != "18000" {
		t.Errorf("last history row %v: want 425 requests, 50%% 680, 99%% 18000", last)
	}
	users := 0
	for i, r := range rows[1:] {
		if ts := int64(num(t, r[0])); ts != 1710410400+int64(i) {
			t.Fatalf("row %d: timestamp %d, want one row a second from 1710410400", i+2, ts)
		}
		users = max(users, int(num(t, r[1])))
	}
	if users != 5 || len(rows) < 97 || len(rows) > 100 {
		t.Errorf("%d rows, at most %d users; want about 98 rows and 5 users", len(rows)-1, users)
	}
}

// TestDeterministic: every scenario writes byte-identical files for the
// same seed, and other requests for another seed.
func TestDeterministic(t *testing.T) {
	for _, name := range Scenarios() {
		t.Run(name, func(t *testing.T) {
			a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
			for _, d := range []struct {
				dir  string
				seed uint64
			}{{a, DefaultSeed}, {b, DefaultSeed}, {c, DefaultSeed + 1}} {
				if err := Write(d.dir, name, d.seed); err != nil {
					t.Fatal(err)
				}
			}
			fa, fb := readTree(t, a), readTree(t, b)
			want := 16 // the manifest, two logs, the service, 8 metrics, 4 Locust files
			if name == GPUInference {
				want += 2 // the GPU metrics
			}
			if len(fa) != want {
				t.Errorf("%d files written, want %d: %v", len(fa), want, keys(fa))
			}
			if diff := cmp.Diff(keys(fa), keys(fb)); diff != "" {
				t.Fatalf("file sets differ (-first +second):\n%s", diff)
			}
			for name := range fa {
				if !bytes.Equal(fa[name], fb[name]) {
					t.Errorf("%s differs between two writes with the same seed", name)
				}
			}
			if fc := readTree(t, c); bytes.Equal(fa["requests.ndjson.gz"], fc["requests.ndjson.gz"]) {
				t.Errorf("seeds %d and %d wrote the same requests.ndjson.gz", DefaultSeed, DefaultSeed+1)
			}
		})
	}
}

func TestUnknownScenario(t *testing.T) {
	err := Write(t.TempDir(), "no-such", 1)
	if err == nil || !strings.Contains(err.Error(), `unknown scenario "no-such"`) || !strings.Contains(err.Error(), PaperMobileNet) {
		t.Errorf("Write of an unknown scenario: %v", err)
	}
}

// readTree reads every regular file under dir, keyed by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestPaperFixtureUpToDate(t *testing.T) { checkFixtureUpToDate(t, PaperMobileNet) }

// checkFixtureUpToDate compares fixtures/NAME with what the simulator
// writes for the default seed (rewriting it first with -update); the
// fixture's README.md is the only file of its own.
func checkFixtureUpToDate(t *testing.T, scenario string) {
	t.Helper()
	dir := fixtureDir(scenario)
	regenerate := "regenerate with: go run ./cmd/runlens simulate -scenario " + scenario + " -o fixtures/" + scenario
	if *update {
		if err := Write(dir, scenario, DefaultSeed); err != nil {
			t.Fatal(err)
		}
	}
	tmp := t.TempDir()
	if err := Write(tmp, scenario, DefaultSeed); err != nil {
		t.Fatal(err)
	}
	want, got := readTree(t, tmp), readTree(t, dir)
	if _, ok := got["README.md"]; !ok {
		t.Errorf("%s/README.md is missing", dir)
	}
	delete(got, "README.md")
	if diff := cmp.Diff(keys(want), keys(got)); diff != "" {
		t.Fatalf("fixture files differ from the simulator's (-simulated +fixture):\n%s\n%s", diff, regenerate)
	}
	for name := range want {
		if !bytes.Equal(want[name], got[name]) {
			t.Errorf("%s/%s is not what the simulator writes; %s", dir, name, regenerate)
		}
	}
}

func readEntries(t *testing.T, path string) []collect.LogEntry {
	t.Helper()
	var out []collect.LogEntry
	for i, line := range bytes.Split(bytes.TrimSpace(logtest.Gunzip(t, path)), []byte("\n")) {
		var e collect.LogEntry
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		out = append(out, e)
	}
	return out
}

func readMetric(t *testing.T, dir, name string) []collect.WirePoint {
	t.Helper()
	var r collect.ListTimeSeriesResponse
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "metrics", name))), &r); err != nil {
		t.Fatal(err)
	}
	var out []collect.WirePoint
	for _, s := range r.TimeSeries {
		out = append(out, s.Points...)
	}
	if len(out) == 0 {
		t.Fatalf("metrics/%s has no points", name)
	}
	return out
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func parseLatency(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// instanceLife is what the system log says of one instance.
type instanceLife struct {
	start, ready, shutdown time.Time
	reason                 string
}

func readLives(t *testing.T, path string) map[string]*instanceLife {
	t.Helper()
	lives := map[string]*instanceLife{}
	for _, e := range readEntries(t, path) {
		id := e.Labels["instanceId"]
		if lives[id] == nil {
			lives[id] = &instanceLife{}
		}
		l, ts := lives[id], parseTime(t, e.Timestamp)
		switch {
		case strings.HasPrefix(e.TextPayload, "Starting new instance. Reason: AUTOSCALING - "):
			l.start, l.reason = ts, e.Labels["scaling_reason"]
		case e.TextPayload == `Default STARTUP TCP probe succeeded after 1 attempt for container "mobilenet-1" on port 5000.`:
			l.ready = ts
		case e.TextPayload == "Shutting down instance due to idleness.":
			l.shutdown = ts
		default:
			t.Errorf("unexpected system entry %q", e.TextPayload)
		}
	}
	return lives
}

func TestServerAgreesWithClient(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, PaperMobileNet, DefaultSeed); err != nil {
		t.Fatal(err)
	}
	lives := readLives(t, filepath.Join(dir, "system.ndjson.gz"))
	if len(lives) != 3 {
		t.Fatalf("%d instances in the system log, want 3", len(lives))
	}
	entries := readEntries(t, filepath.Join(dir, "requests.ndjson.gz"))
	if len(entries) != 425 {
		t.Fatalf("%d request entries, want 425", len(entries))
	}
	first, lastEnd := checkRequestEntries(t, entries, lives)
	checkInstances(t, lives, first)
	checkMetrics(t, dir, lives)
	checkWindow(t, dir, lives, lastEnd)
}

var clientStart = time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC)

// checkRequestEntries checks every request entry against the client's
// statistics and the instance that served it, and returns each instance's
// first entry and the last response.
func checkRequestEntries(t *testing.T, entries []collect.LogEntry, lives map[string]*instanceLife) (map[string]collect.LogEntry, time.Time) {
	t.Helper()
	perEndpoint := map[string]int{}
	inserts := map[string]bool{}
	first := map[string]collect.LogEntry{}
	var lastEnd time.Time
	for _, e := range entries {
		h := e.HTTPRequest
		perEndpoint[h.RequestMethod+" "+strings.TrimPrefix(h.RequestURL, "https://mobilenet-6ypcyxkpwq-ew.a.run.app")]++
		if h.Status != 200 || h.UserAgent != "python-requests/2.31.0" || h.Protocol != "HTTP/1.1" || e.Resource.Type != "cloud_run_revision" {
			t.Errorf("entry %s: status %d, user agent %q, protocol %q, resource %q", e.InsertID, h.Status, h.UserAgent, h.Protocol, e.Resource.Type)
		}
		if e.TextPayload != "" || e.JSONPayload != nil {
			t.Errorf("entry %s carries a payload (%q): real request entries have none, not even the cold-start marker", e.InsertID, e.TextPayload)
		}
		if inserts[e.InsertID] {
			t.Errorf("insertId %s is not unique", e.InsertID)
		}
		inserts[e.InsertID] = true
		id := e.Labels["instanceId"]
		l := lives[id]
		ts := parseTime(t, e.Timestamp)
		end := ts.Add(parseLatency(t, h.Latency))
		if l == nil || ts.Before(l.start) || !end.Before(l.shutdown) {
			t.Errorf("entry %s at %v on instance %.12s, which lived %+v", e.InsertID, ts, id, l)
		}
		if f, ok := first[id]; !ok || e.Timestamp < f.Timestamp {
			first[id] = e
		}
		lastEnd = maxTime(lastEnd, end)
	}
	// The client's statistics count the same requests.
	if diff := cmp.Diff(map[string]int{"GET /": 90, "POST /predict": 335}, perEndpoint); diff != "" {
		t.Errorf("server requests per endpoint (-client +server):\n%s", diff)
	}
	return first, lastEnd
}

// checkInstances: the first instance started with the run and took about
// 17 s, and its first request waited 17.5 s or more; the autoscaler's two
// instances started 20 to 40 s into the run and served their first request
// without waiting.
func checkInstances(t *testing.T, lives map[string]*instanceLife, first map[string]collect.LogEntry) {
	t.Helper()
	autoscaled := 0
	for id, l := range lives {
		if l.start.IsZero() || !l.start.Before(l.ready) || !l.ready.Before(l.shutdown) || l.reason != "AUTOSCALING" {
			t.Errorf("instance %.12s: start %v, ready %v, shutdown %v, reason %q", id, l.start, l.ready, l.shutdown, l.reason)
		}
		startup, sinceClient := l.ready.Sub(l.start), l.start.Sub(clientStart)
		firstLatency := parseLatency(t, first[id].HTTPRequest.Latency)
		if sinceClient < time.Second {
			if startup < 16500*time.Millisecond || startup > 18500*time.Millisecond || firstLatency < 17500*time.Millisecond {
				t.Errorf("first instance: startup %v, first request %v; want about 17 s and 17.5 s or more", startup, firstLatency)
			}
			continue
		}
		autoscaled++
		if sinceClient < 19*time.Second || sinceClient > 40*time.Second || startup < 8*time.Second || startup > 12*time.Second ||
			parseTime(t, first[id].Timestamp).Before(l.ready) {
			t.Errorf("instance %.12s: started %v into the run, startup %v, first request at %s", id, sinceClient, startup, first[id].Timestamp)
		}
	}
	if autoscaled != 2 {
		t.Errorf("%d instances started after the first, want 2", autoscaled)
	}
}

// checkMetrics: the request metrics count the 425 requests, billable time
// is positive and no more than the instances lived, memory stays high.
func checkMetrics(t *testing.T, dir string, lives map[string]*instanceLife) {
	t.Helper()
	var count, latencies int64
	for _, p := range readMetric(t, dir, "request_count.json") {
		count += int64(*p.Value.Int64Value)
	}
	for _, p := range readMetric(t, dir, "request_latencies.json") {
		latencies += int64(p.Value.DistributionValue.Count)
	}
	if count != 425 || latencies != 425 {
		t.Errorf("request_count sums to %d, request_latencies counts %d; want 425", count, latencies)
	}
	var billable, lifetime float64
	for _, p := range readMetric(t, dir, "billable_instance_time.json") {
		billable += *p.Value.DoubleValue
	}
	for _, l := range lives {
		lifetime += l.shutdown.Sub(l.start).Seconds()
	}
	if billable <= 0 || billable > lifetime {
		t.Errorf("billable instance time %.1f s, want more than 0 and at most the instances' lifetime %.1f s", billable, lifetime)
	}
	for _, p := range readMetric(t, dir, "memory_utilizations.json") {
		if m := p.Value.DistributionValue.Mean; m < 0.85 || m > 0.93 {
			t.Errorf("memory utilization mean %.3f at %s, want 0.85 to 0.93 all the time", m, p.Interval.EndTime)
		}
	}
}

// checkWindow: from 30 s before the client start to about 5 min after its
// last response, with every retirement inside.
func checkWindow(t *testing.T, dir string, lives map[string]*instanceLife, lastEnd time.Time) {
	t.Helper()
	var m model.Manifest
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "manifest.json"))), &m); err != nil {
		t.Fatal(err)
	}
	if !m.Window.Start.Equal(clientStart.Add(-30*time.Second)) || m.Window.End.Sub(lastEnd) < 295*time.Second {
		t.Errorf("window %v to %v, want from 30 s before the client start to about 5 min after its last response at %v", m.Window.Start, m.Window.End, lastEnd)
	}
	for id, l := range lives {
		if !l.shutdown.Before(m.Window.End) {
			t.Errorf("instance %.12s retired at %v, after the window", id, l.shutdown)
		}
	}
}
