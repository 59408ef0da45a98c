package sim

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// twelveCalls logs one response a second, at k+0.5 s, taking (k+1)*100 ms.
func twelveCalls() *locustStats {
	s := newLocustStats(t0, []float64{0.5, 0.95, 1})
	for k := range 12 {
		d := time.Duration(k+1) * 100 * time.Millisecond
		s.log(Call{Task: Task{Method: "GET", Name: "/", Latency: d}, Sent: at(k*1000 + 500).Add(-d)})
	}
	return s
}

// With --csv-full-history the percentiles are "current": those of the
// requests since the cached copy of 10 s before. At 12.002 s that is the
// copy of second 2, made when the response at 3.5 s was logged and
// holding the first three: the last nine are 400 to 1200 ms, their median
// 800 (the cumulative one is 700). At 1.002 s no copy is old enough:
// Python's None, written 0.
func TestCurrentPercentiles(t *testing.T) {
	s := twelveCalls()
	rows := func(now time.Time) [][]string {
		r, err := csv.NewReader(strings.NewReader(s.historyRows(now, 3, true))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	got := rows(at(12_002))
	want := [][]string{
		{"1710410412", "3", "GET", "/", "1.000000", "0.000000", "800", "1200", "1200", "12", "0", "600.0", "650.0", "100.0", "1200.0", "0.0"},
		{"1710410412", "3", "", "Aggregated", "1.000000", "0.000000", "800", "1200", "1200", "12", "0", "600.0", "650.0", "100.0", "1200.0", "0.0"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("full-history rows at 12.002 s (-want +got):\n%s", diff)
	}
	if p := s.total.percentile(0.5); p != 700 {
		t.Errorf("cumulative 50%% = %d, want 700", p)
	}
	early := newLocustStats(t0, []float64{0.5})
	early.log(Call{Task: Task{Method: "GET", Name: "/", Latency: 100 * time.Millisecond}, Sent: at(400)})
	r, err := csv.NewReader(strings.NewReader(early.historyRows(at(1002), 1, true))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if r[1][6] != "0" {
		t.Errorf("current 50%% with no cached copy = %s, want 0", r[1][6])
	}
}

// The cache keeps 20 seconds: a key logged again keeps its place, the
// oldest go first.
func TestResponseTimesCache(t *testing.T) {
	s := twelveCalls()
	e := s.total
	if diff := cmp.Diff([]int64{1710410400, 1710410401, 1710410402, 1710410403, 1710410404, 1710410405, 1710410406, 1710410407, 1710410408, 1710410409, 1710410410}, e.cache.keys); diff != "" {
		t.Errorf("cached seconds (-want +got):\n%s", diff)
	}
	if c := e.cache.entries[1710410400]; c.num != 1 {
		t.Errorf("the start's copy, updated when the response at 1.5 s was logged, holds %d requests, want 1", c.num)
	}
	for k := range 30 {
		e.cacheResponseTimes(int64(1710410500 + k))
	}
	if len(e.cache.keys) != 20 || e.cache.keys[0] != 1710410510 {
		t.Errorf("cache keys %v, want the 20 latest", e.cache.keys)
	}
}

// The files are on the client's clock; a stop that kills leaves the
// calls in flight out and ends the history at the stop.
func TestLocustFilesClientClock(t *testing.T) {
	cr := &ClientRun{
		Test:    LoadTest{Start: t0, Users: 1, RunTime: 3 * time.Second, KillAtStop: true, Offset: 2500 * time.Millisecond},
		Spawned: []time.Time{t0}, Stopped: []time.Time{at(3000)},
		Calls: []Call{
			{Task: Task{Method: "GET", Name: "/", Latency: 200 * time.Millisecond}, Sent: at(100)},
			{Task: Task{Method: "GET", Name: "/", Latency: 200 * time.Millisecond}, Sent: at(2900), Abandoned: true},
		},
	}
	stats, history, _, _ := locustFiles(cr, locustOptions{percentiles: []float64{0.5}, fullHistory: true})
	if !strings.Contains(string(stats), "GET,/,1,0,") {
		t.Errorf("stats:\n%s\nwant 1 GET / request", stats)
	}
	rows, err := csv.NewReader(strings.NewReader(string(history))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var stamps []string
	for _, r := range rows[1:] {
		stamps = append(stamps, r[0]+" "+r[3])
	}
	// Ticks at client time 2.502, 3.502, 4.502 and 5.502 s; the stop is at 5.5 s.
	want := []string{"1710410402 Aggregated", "1710410403 /", "1710410403 Aggregated", "1710410404 /", "1710410404 Aggregated"}
	if diff := cmp.Diff(want, stamps); diff != "" {
		t.Errorf("history rows (-want +got):\n%s", diff)
	}
}
