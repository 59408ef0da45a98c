package analyze

import (
	"bytes"
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/sim/large"
)

// largeRequests reads n generated requests, kept in the Dataset.
func largeRequests(t testing.TB, n int) []collect.Request {
	t.Helper()
	var b bytes.Buffer
	if err := large.Write(&b, large.Options{Requests: n, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	ds := &collect.Dataset{}
	if _, err := collect.ReadLogs("big.ndjson", &b, ds); err != nil {
		t.Fatal(err)
	}
	return ds.Requests
}

// TestSketchedPercentilesWithinOnePercent summarizes 60,000 requests, past
// the exact limits, and checks each endpoint's percentiles against the
// nearest rank of its latencies, computed here from the requests.
func TestSketchedPercentilesWithinOnePercent(t *testing.T) {
	reqs := largeRequests(t, 60000)
	rpt := Run(&collect.Dataset{Requests: reqs}, Options{})
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
		if e.Sketched != (len(lat) > exactPerEndpoint) {
			t.Errorf("%s: sketched %v with %d requests", key, e.Sketched, len(lat))
		}
		if e.Sketched {
			sketched++
		}
		for _, q := range e.Percentiles {
			want := ms(nearestRank(lat, q.P))
			if math.Abs(q.MS-want) > sketchAccuracy*want+1e-9 || !e.Sketched && q.MS != want {
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

// TestBusyMatchesSweep checks billing and concurrency against a sweep
// over every request of each instance, with requests added in a shuffled
// order and in pieces merged in every way a reader merges them.
func TestBusyMatchesSweep(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	base := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	var reqs []collect.Request
	for i := range 30000 {
		at := time.Duration(rng.Int64N(int64(3 * time.Hour)))
		lat := time.Duration(1+rng.IntN(3000)) * time.Millisecond
		if i%500 == 0 {
			lat = time.Duration(rng.IntN(9)) * time.Minute // long ones, shorter than busyGuard
		}
		reqs = append(reqs, collect.Request{Time: base.Add(at), Latency: lat, Status: 200, Method: "GET", Path: "/",
			InstanceID: fmt.Sprint(rng.IntN(5))})
	}
	slices.SortFunc(reqs, func(a, b collect.Request) int { return a.Time.Compare(b.Time) })
	// A log written as requests complete is out of order by their latency.
	for i := 0; i+1 < len(reqs); i += 3 {
		reqs[i], reqs[i+1] = reqs[i+1], reqs[i]
	}

	var wantBilled, wantInFlight int64
	wantConc := 0
	byInstance := map[string][]span{}
	for _, r := range reqs {
		byInstance[r.InstanceID] = append(byInstance[r.InstanceID], span{r.Time.UnixNano(), r.Time.Add(r.Latency).UnixNano()})
	}
	for _, ivs := range byInstance {
		slices.SortFunc(ivs, span.compare)
		var ends endHeap
		for i := 0; i < len(ivs); {
			s, e, j := ivs[i].s, ivs[i].e, i
			for ; j < len(ivs) && ivs[j].s <= e; j++ {
				e = max(e, ivs[j].e)
			}
			wantBilled += int64(roundUp(time.Duration(e-s), billingQuantum))
			wantInFlight += e - s
			i = j
		}
		for _, iv := range ivs {
			for len(ends) > 0 && ends[0] <= iv.s {
				ends.pop()
			}
			ends.push(iv.e)
			wantConc = max(wantConc, len(ends))
		}
	}

	check := func(name string, s *Summary) {
		t.Helper()
		var got busyTotals
		for _, in := range s.instances {
			got.add(in.busy.totals())
		}
		if got.billed != wantBilled || got.inFlight != wantInFlight || got.maxConc != wantConc || got.conflicts != 0 {
			t.Errorf("%s: billed %v, in flight %v, concurrency %d, %d conflicts; want %v, %v, %d, none", name,
				time.Duration(got.billed), time.Duration(got.inFlight), got.maxConc, got.conflicts,
				time.Duration(wantBilled), time.Duration(wantInFlight), wantConc)
		}
	}
	whole := NewSummary()
	for i := range reqs {
		whole.Add(&reqs[i])
	}
	check("one run", whole)
	for _, chunk := range []int{7, 1000} {
		for _, files := range []int{1, 3} {
			sink := NewSummary()
			per := len(reqs) / files
			for _, f := range rng.Perm(files) {
				part := reqs[f*per : min(len(reqs), (f+1)*per)]
				if f == files-1 {
					part = reqs[f*per:]
				}
				sh := sink.NewShard()
				for i := range part {
					sh.Add(&part[i])
					if (i+1)%chunk == 0 {
						sink.MergeChunk(sh.EndChunk())
					}
				}
				sink.MergeChunk(sh.EndChunk())
				sink.Merge(sh)
			}
			check(fmt.Sprintf("%d files in shuffled order, chunks of %d", files, chunk), sink)
		}
	}
}

// TestBusyConflictCounted gives a request that reaches, from another file,
// into spans already closed: it is counted as a conflict.
func TestBusyConflictCounted(t *testing.T) {
	base := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	file := func(from time.Duration, n int, lat time.Duration) *Summary {
		s := NewSummary()
		for i := range n {
			r := collect.Request{Time: base.Add(from + time.Duration(i)*time.Second), Latency: lat, Status: 200, InstanceID: "a"}
			s.Add(&r)
		}
		return s
	}
	sink := NewSummary()
	sink.Combine(file(time.Hour, 3600, 100*time.Millisecond))
	sink.Combine(file(0, 1, 90*time.Minute)) // in flight across the other file's closed spans
	rpt := RunSummary(&collect.Dataset{}, sink, Options{})
	if len(rpt.Warnings) != 1 || !bytes.Contains([]byte(rpt.Warnings[0]), []byte("1 requests reached into busy spans")) {
		t.Errorf("warnings %q, want one counting the request", rpt.Warnings)
	}
}

// TestRecentCaches adds requests of more instances, agents and endpoints
// than the caches have slots, in an order that mixes them, and checks each
// one's count against a plain count: a cache slot that two keys share
// must never give one the other's counter.
func TestRecentCaches(t *testing.T) {
	a := NewSummary()
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

// TestSampleHeap checks the bottom-k sample against a sort.
func TestSampleHeap(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	var h sampleHeap
	var all []uint64
	for range 20000 {
		p := reqPoint{hash: rng.Uint64()}
		all = append(all, p.hash)
		h.offer(p, 100)
	}
	slices.Sort(all)
	var got []uint64
	for h.Len() > 0 {
		got = append(got, heap.Pop(&h).(reqPoint).hash)
	}
	slices.Sort(got)
	if !slices.Equal(got, all[:100]) {
		t.Error("the sample is not the 100 smallest hashes")
	}
}

// BenchmarkSummaryAdd adds requests as a parsing worker does, a summary
// per chunk of about 1,000 that the sink merges: 200,000 requests, about
// 3 minutes of a busy service, so that setup is a small part of the time.
func BenchmarkSummaryAdd(b *testing.B) {
	reqs := largeRequests(b, 200000)
	b.ReportAllocs()
	for b.Loop() {
		sink := NewSummary()
		sh := sink.NewShard()
		for i := range reqs {
			sh.Add(&reqs[i])
			if i%1000 == 999 {
				sink.MergeChunk(sh.EndChunk())
			}
		}
		sink.MergeChunk(sh.EndChunk())
		sink.Merge(sh)
	}
	b.ReportMetric(float64(b.N*len(reqs))/b.Elapsed().Seconds(), "requests/s")
}
