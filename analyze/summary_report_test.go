package analyze

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/internal/requesttest"
	"github.com/runlens/runlens/model"
)

func reportOf(t testing.TB, s *summary.Summary) []byte {
	t.Helper()
	b, err := json.MarshalIndent(RunSummary(&model.Dataset{}, s, Options{}), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReportFromHalvesIsTheWholes summarizes the two halves of a log
// apart, merges them in both orders, and writes and reads the summaries
// on the way: the report is the whole log's.
func TestReportFromHalvesIsTheWholes(t *testing.T) {
	for _, n := range []int{3000, 60_000} {
		reqs := requesttest.Large(t, n)
		want := reportOf(t, summaryOf(reqs))
		a, b := summaryOf(reqs[:n/3]), summaryOf(reqs[n/3:])
		var ja, jb bytes.Buffer
		if err := a.WriteJSON(&ja); err != nil {
			t.Fatal(err)
		}
		if err := b.WriteJSON(&jb); err != nil {
			t.Fatal(err)
		}
		ra, err := summary.Read("a.json", &ja)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := summary.Read("b.json", &jb)
		if err != nil {
			t.Fatal(err)
		}
		for name, parts := range map[string][]*summary.Summary{"a+b": {a, b}, "b+a": {b, a}, "read back": {rb, ra}} {
			merged := summary.New()
			for _, p := range parts {
				merged.Combine(p)
			}
			if d := cmp.Diff(string(want), string(reportOf(t, merged))); d != "" {
				t.Errorf("%d requests, %s: report differs from the whole log's:\n%s", n, name, d)
			}
		}
	}
}

// TestSketchedPercentilesWithinOnePercent summarizes 60,000 requests, past
// the exact limits, and checks each endpoint's percentiles against the
// nearest rank of its latencies, computed here from the requests.
func TestSketchedPercentilesWithinOnePercent(t *testing.T) {
	reqs := requesttest.Large(t, 60000)
	rpt := Run(&model.Dataset{Requests: reqs}, Options{})
	byEndpoint := map[string][]time.Duration{}
	for _, r := range reqs {
		byEndpoint[r.Method+" "+r.Path] = append(byEndpoint[r.Method+" "+r.Path], r.Latency)
		byEndpoint["Aggregated"] = append(byEndpoint["Aggregated"], r.Latency)
	}
	sketched := 0
	for _, e := range append(rpt.Server.Endpoints, rpt.Server.Total) {
		key := e.Method + " " + e.Path
		if e.Path == "Aggregated" {
			key = "Aggregated"
		}
		lat := byEndpoint[key]
		slices.Sort(lat)
		if int64(len(lat)) != e.Requests {
			t.Fatalf("%s: %d requests, want %d", key, e.Requests, len(lat))
		}
		if e.Sketched != (len(lat) > summary.ExactPerEndpoint) {
			t.Errorf("%s: sketched %v with %d requests", key, e.Sketched, len(lat))
		}
		if e.Sketched {
			sketched++
		}
		for _, q := range e.Percentiles {
			want := ms(summary.NearestRank(lat, q.P))
			if math.Abs(q.MS-want) > summary.SketchAccuracy*want+1e-9 || !e.Sketched && q.MS != want {
				t.Errorf("%s p%v = %v, want %v (within 1 %% when sketched)", key, q.P, q.MS, want)
			}
		}
		if e.MinMS != ms(lat[0]) || e.MaxMS != ms(lat[len(lat)-1]) {
			t.Errorf("%s: min %v max %v, want %v and %v", key, e.MinMS, e.MaxMS, ms(lat[0]), ms(lat[len(lat)-1]))
		}
	}
	if sketched == 0 {
		t.Fatal("no endpoint was sketched: the test does not cover the sketch")
	}
}

// TestBusyConflictCounted gives a request that reaches, from another file,
// into spans already closed: it is counted as a conflict.
func TestBusyConflictCounted(t *testing.T) {
	base := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	file := func(from time.Duration, n int, lat time.Duration) *summary.Summary {
		s := summary.New()
		for i := range n {
			r := model.Request{Time: base.Add(from + time.Duration(i)*time.Second), Latency: lat, Status: 200, InstanceID: "a"}
			s.Add(&r)
		}
		return s
	}
	sink := summary.New()
	sink.Combine(file(time.Hour, 3600, 100*time.Millisecond))
	sink.Combine(file(0, 1, 90*time.Minute)) // in flight across the other file's closed spans
	rpt := RunSummary(&model.Dataset{}, sink, Options{})
	if len(rpt.Warnings) != 1 || !bytes.Contains([]byte(rpt.Warnings[0]), []byte("1 requests reached into busy spans")) {
		t.Errorf("warnings %q, want one counting the request", rpt.Warnings)
	}
}

// TestOtherEndpointsWarned: past summary.MaxEndpoints distinct endpoints,
// the report says how many requests went to "(other)"; below it, nothing.
func TestOtherEndpointsWarned(t *testing.T) {
	for _, tc := range []struct {
		paths int
		want  string
	}{
		{summary.MaxEndpoints, ""},
		{summary.MaxEndpoints + 7, "7 requests of the later ones are counted together as (other)"},
	} {
		t.Run(fmt.Sprint(tc.paths), func(t *testing.T) {
			s := summary.New()
			for i := range tc.paths {
				r := req("1s", 10*time.Millisecond, "i1", "GET", fmt.Sprintf("/p/%05d", i))
				s.Add(&r)
			}
			rpt := RunSummary(&model.Dataset{}, s, Options{})
			var got string
			for _, w := range rpt.Warnings {
				if strings.Contains(w, "(other)") {
					got = w
				}
			}
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("warning %q, want one with %q", got, tc.want)
			}
		})
	}
}
