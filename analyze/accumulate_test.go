package analyze

import (
	"bytes"
	"fmt"
	"math"
	"testing"
	"time"

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

// BenchmarkAccumulate adds requests to a shard, as a parse worker does:
// enough of them (200,000, about 3 minutes of a busy service) that the
// shard's setup and merge are a small part of the time.
func BenchmarkAccumulate(b *testing.B) {
	reqs := largeDataset(b, 200000, false).Requests
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

// TestRecentCaches adds requests of more instances, agents and endpoints
// than the caches have slots, in an order that mixes them, and checks each
// one's count against a plain count: a cache slot that two keys share
// must never give one the other's counter.
func TestRecentCaches(t *testing.T) {
	a := newAccState()
	instances, agents, endpoints := map[string]int64{}, map[string]int64{}, map[endpointKey]int64{}
	base := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	x := uint64(1)
	for i := range 20000 {
		x = x*6364136223846793005 + 1442695040888963407
		r := collect.Request{
			Time:       base.Add(time.Duration(i) * time.Millisecond),
			Latency:    time.Millisecond,
			Status:     200,
			InstanceID: fmt.Sprintf("%096x", x>>56%200),    // 200 of one length
			UserAgent:  fmt.Sprintf("agent/%d", x>>40%150), // 150, lengths vary
			Method:     []string{"GET", "POST"}[x>>20%2],   // the same paths by two methods
			Path:       fmt.Sprintf("/p%d", x>>30%90),
		}
		if i%7 == 0 { // runs of one key, which the last-key checks take
			r.InstanceID, r.UserAgent, r.Method, r.Path = "0", "agent/0", "GET", "/p0"
		}
		a.Add(&r)
		instances[r.InstanceID]++
		agents[r.UserAgent]++
		endpoints[endpointKey{r.Method, r.Path}]++
	}
	for id, n := range instances {
		if in := a.instances[id]; in == nil || in.n != n {
			t.Fatalf("instance %s: got %v, want %d requests", id, in, n)
		}
	}
	for ua, n := range agents {
		if c := a.agents[ua]; c == nil || c.n != n {
			t.Fatalf("agent %s: got %v, want %d requests", ua, c, n)
		}
	}
	for k, n := range endpoints {
		if e := a.endpoints[k]; e == nil || e.n != n {
			t.Fatalf("endpoint %v: got %v, want %d requests", k, e, n)
		}
	}
	if len(a.instances) != len(instances) || len(a.agents) != len(agents) || len(a.endpoints) != len(endpoints) {
		t.Fatalf("%d instances, %d agents, %d endpoints; want %d, %d, %d",
			len(a.instances), len(a.agents), len(a.endpoints), len(instances), len(agents), len(endpoints))
	}
}
