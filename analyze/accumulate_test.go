package analyze

import (
	"bytes"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/sim/large"
)

// largeDataset reads n generated requests, kept (sink false) or spilled
// into an Accumulator past 500.
func largeDataset(t testing.TB, n int, sink bool) *collect.Dataset {
	t.Helper()
	var b bytes.Buffer
	if err := large.Write(&b, large.Options{Requests: n, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	ds := &collect.Dataset{}
	if sink {
		ds.Sink, ds.SpillAt = NewAccumulator(), 500
	}
	if _, err := collect.ReadLogs("big.ndjson", &b, ds); err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestAccumulatorMatchesExact analyzes the same requests kept and
// accumulated: counts are equal, percentiles within DDSketch's 1 %.
func TestAccumulatorMatchesExact(t *testing.T) {
	exact, acc := largeDataset(t, 20000, false), largeDataset(t, 20000, true)
	if !acc.Spilled || len(exact.Requests) != 20000 {
		t.Fatalf("spilled %v, kept %d: the two paths were not taken", acc.Spilled, len(exact.Requests))
	}
	want, got := Run(exact, Options{}), Run(acc, Options{})

	within := func(what string, g, w float64) {
		t.Helper()
		if math.Abs(g-w) > 0.01*math.Abs(w)+1e-9 {
			t.Errorf("%s = %v, want %v within 1 %%", what, g, w)
		}
	}
	if len(got.Server.Endpoints) != 5 || len(want.Server.Endpoints) != 5 {
		t.Fatalf("%d and %d endpoints, want 5", len(got.Server.Endpoints), len(want.Server.Endpoints))
	}
	for i, w := range append(want.Server.Endpoints, want.Server.Total) {
		g := append(got.Server.Endpoints, got.Server.Total)[i]
		counts := func(e ServerEndpoint) []float64 {
			return []float64{float64(e.Requests), float64(e.Status2xx), float64(e.Status4xx), float64(e.Status5xx), e.MinMS, e.MaxMS, e.AvgMS, e.AvgResponseBytes}
		}
		if diff := cmp.Diff(counts(w), counts(g)); diff != "" || g.Path != w.Path {
			t.Errorf("%s %s counts (-exact +accumulated):\n%s", w.Method, w.Path, diff)
		}
		for j, q := range w.Percentiles {
			within(w.Path+" percentile", g.Percentiles[j].MS, q.MS)
		}
	}
	if diff := cmp.Diff(want.Server.UserAgents, got.Server.UserAgents); diff != "" {
		t.Errorf("user agents (-exact +accumulated):\n%s", diff)
	}
	if want.Window != got.Window || want.Instances != got.Instances {
		t.Errorf("window %v, instances %+v; want %v, %+v", got.Window, got.Instances, want.Window, want.Instances)
	}
	if got.ColdStarts.Count != 40 || want.ColdStarts.Count != 40 || got.ColdStarts.Churn != want.ColdStarts.Churn ||
		got.ColdStarts.ShareOfRequests != want.ColdStarts.ShareOfRequests {
		t.Errorf("cold starts %d (churn %d, share %v), want %d (churn %d, share %v)", got.ColdStarts.Count, got.ColdStarts.Churn,
			got.ColdStarts.ShareOfRequests, want.ColdStarts.Count, want.ColdStarts.Churn, want.ColdStarts.ShareOfRequests)
	}
	within("penalty p50", got.ColdStarts.PenaltyP50MS, want.ColdStarts.PenaltyP50MS)
	within("billable seconds", got.Cost.BillableInstanceSeconds, want.Cost.BillableInstanceSeconds)
	if diff := cmp.Diff(want.Reconciliation, got.Reconciliation); diff != "" {
		t.Errorf("reconciliation (-exact +accumulated):\n%s", diff)
	}
	if diff := cmp.Diff(want.Series.StatusClasses, got.Series.StatusClasses); diff != "" {
		t.Errorf("status series (-exact +accumulated):\n%s", diff)
	}
	if diff := cmp.Diff(want.Series.Lanes, got.Series.Lanes); diff != "" {
		t.Errorf("lanes (-exact +accumulated):\n%s", diff)
	}
	perSecond := func(ps []ServerPoint) map[int64][2]int64 {
		m := map[int64][2]int64{}
		for _, p := range ps {
			m[p.Time.Unix()] = [2]int64{p.Requests, p.Errors}
		}
		return m
	}
	if diff := cmp.Diff(perSecond(want.Series.Server), perSecond(got.Series.Server)); diff != "" {
		t.Errorf("per-second counts (-exact +accumulated):\n%s", diff)
	}
	cold := 0
	for _, p := range got.Series.Latency {
		if p.ColdStart {
			cold++
		}
	}
	if n := len(got.Series.Latency); n < sampleSize || n > sampleSize+40 || cold != 40 {
		t.Errorf("latency scatter: %d points, %d cold; want the %d sampled and the 40 cold starts", n, cold, sampleSize)
	}
}

// BenchmarkAccumulate adds requests to a shard, as a parse worker does.
func BenchmarkAccumulate(b *testing.B) {
	reqs := largeDataset(b, 20000, false).Requests
	b.ReportAllocs()
	for b.Loop() {
		acc := NewAccumulator()
		sh := acc.NewShard()
		for i := range reqs {
			sh.Add(&reqs[i])
		}
		acc.Merge(sh)
	}
	b.ReportMetric(float64(b.N*len(reqs))/b.Elapsed().Seconds(), "requests/s")
}
