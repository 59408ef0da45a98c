package summary

import (
	"bytes"
	"container/heap"
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	farm "github.com/dgryski/go-farm"

	"github.com/runlens/runlens/internal/requesttest"
	"github.com/runlens/runlens/model"
)

// TestBusyMatchesSweep checks billing and concurrency against a sweep
// over every request of each instance, with requests added in a shuffled
// order and in pieces merged in every way a reader merges them.
func TestBusyMatchesSweep(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	base := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	var reqs []model.Request
	for i := range 30000 {
		at := time.Duration(rng.Int64N(int64(3 * time.Hour)))
		lat := time.Duration(1+rng.IntN(3000)) * time.Millisecond
		if i%500 == 0 {
			lat = time.Duration(rng.IntN(9)) * time.Minute // long ones, shorter than BusyGuard
		}
		reqs = append(reqs, model.Request{Time: base.Add(at), Latency: lat, Status: 200, Method: "GET", Path: "/",
			InstanceID: fmt.Sprint(rng.IntN(5))})
	}
	slices.SortFunc(reqs, func(a, b model.Request) int { return a.Time.Compare(b.Time) })
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
	wantTens := map[string]map[int64]uint64{}
	for id, ivs := range byInstance {
		slices.SortFunc(ivs, span.Compare)
		var ends endHeap
		var tens BucketCounts
		for i := 0; i < len(ivs); {
			s, e, j := ivs[i].s, ivs[i].e, i
			for ; j < len(ivs) && ivs[j].s <= e; j++ {
				e = max(e, ivs[j].e)
			}
			addBusy(&tens, s, e)
			wantBilled += int64(RoundUp(time.Duration(e-s), BillingQuantum))
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
		wantTens[id] = map[int64]uint64{}
		tens.Each(func(b int64, n uint64) { wantTens[id][b] = n })
	}

	check := func(name string, s *Summary) {
		t.Helper()
		var got BusyTotals
		for _, in := range s.instances {
			got.Add(in.Busy.Totals())
		}
		for id, in := range s.instances {
			gotTens := map[int64]uint64{}
			in.Busy.BusyPer10s().Each(func(b int64, n uint64) { gotTens[b] = n })
			if !maps.Equal(gotTens, wantTens[id]) {
				t.Errorf("%s: instance %s: busy per 10 s differs from the sweep's", name, id)
			}
		}
		if got.Billed != wantBilled || got.InFlight != wantInFlight || got.MaxConc != wantConc || got.Conflicts != 0 {
			t.Errorf("%s: billed %v, in flight %v, concurrency %d, %d conflicts; want %v, %v, %d, none", name,
				time.Duration(got.Billed), time.Duration(got.InFlight), got.MaxConc, got.Conflicts,
				time.Duration(wantBilled), time.Duration(wantInFlight), wantConc)
		}
	}
	whole := New()
	for i := range reqs {
		whole.Add(&reqs[i])
	}
	check("one run", whole)
	for _, chunk := range []int{7, 1000} {
		for _, files := range []int{1, 3} {
			sink := New()
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

// TestRecentCaches adds requests of more instances, agents and endpoints
// than the caches have slots, in an order that mixes them, and checks each
// one's count against a plain count: a cache slot that two keys share
// must never give one the other's counter.
func TestRecentCaches(t *testing.T) {
	a := New()
	instances, agents, endpoints := map[string]int64{}, map[string]int64{}, map[Key]int64{}
	base := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	x := uint64(1)
	for i := range 20000 {
		x = x*6364136223846793005 + 1442695040888963407
		r := model.Request{
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
		endpoints[Key{r.Method, r.Path}]++
	}
	for id, n := range instances {
		if in := a.instances[id]; in == nil || in.N != n {
			t.Fatalf("instance %s: got %v, want %d requests", id, in, n)
		}
	}
	for ua, n := range agents {
		if c := a.agents[ua]; c == nil || c.N != n {
			t.Fatalf("agent %s: got %v, want %d requests", ua, c, n)
		}
	}
	for k, n := range endpoints {
		if e := a.endpoints[k]; e == nil || e.N != n {
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
		p := Point{Hash: rng.Uint64()}
		all = append(all, p.Hash)
		h.offer(p, 100)
	}
	slices.Sort(all)
	var got []uint64
	for h.Len() > 0 {
		got = append(got, heap.Pop(&h).(Point).Hash)
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
	reqs := requesttest.Large(b, 200000)
	b.ReportAllocs()
	for b.Loop() {
		sink := New()
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

// TestSpansChangeNothing reads a day's requests, out of order, into
// summaries in chunks and files as a reader does, told each file's span
// before it is read (Spans) or not: the summaries are the same, byte for
// byte, though the intervals of the one told start as wide as a day's.
func TestSpansChangeNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 7))
	base := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	reqs := make([]model.Request, 60000)
	for i := range reqs {
		at := time.Duration(i) * 26 * time.Hour / time.Duration(len(reqs))
		at += time.Duration(rng.Int64N(int64(time.Minute))) // a little out of order
		reqs[i] = model.Request{Time: base.Add(at), Latency: time.Duration(1+rng.IntN(5000)) * time.Millisecond,
			Status: []int{200, 200, 200, 404, 503}[rng.IntN(5)], Method: "GET", Path: []string{"/", "/a", "/b"}[rng.IntN(3)],
			InstanceID: fmt.Sprint(rng.IntN(4)), UserAgent: "ua"}
	}
	read := func(told bool, files int) []byte {
		sink := New()
		per := len(reqs) / files
		for f := range files {
			part := reqs[f*per : (f+1)*per]
			if told {
				lo, hi := part[0].Time, part[0].Time
				for _, r := range part {
					lo, hi = minTime(lo, r.Time), maxTime(hi, r.Time)
				}
				sink.Spans(hi, lo)
			}
			sh := sink.NewShard()
			for i := range part {
				sh.Add(&part[i])
				if (i+1)%700 == 0 {
					sink.MergeChunk(sh.EndChunk())
				}
			}
			sink.MergeChunk(sh.EndChunk())
			sink.Merge(sh)
		}
		var b bytes.Buffer
		if err := sink.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, files := range []int{1, 3} {
		want, got := read(false, files), read(true, files)
		if !bytes.Equal(got, want) {
			t.Errorf("%d files: the summary told the spans differs from the one not told", files)
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// TestPointHashIsFingerprint64 checks PointHash against go-farm's
// Fingerprint64 of the 16 bytes it stands for.
func TestPointHashIsFingerprint64(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	for i := range 100000 {
		tNS, lat := rng.Int64(), rng.Int64N(int64(time.Hour))
		if i%3 == 0 {
			tNS, lat = -tNS, int64(rng.Uint64()) // any bits
		}
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], uint64(tNS))
		binary.BigEndian.PutUint64(b[8:], uint64(lat))
		if got, want := PointHash(tNS, lat), farm.Fingerprint64(b[:]); got != want {
			t.Fatalf("PointHash(%d, %d) = %#x, Fingerprint64 of its bytes %#x", tNS, lat, got, want)
		}
	}
}
