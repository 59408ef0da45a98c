package summary

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"
)

// Busy time, billing and the most requests in flight on an instance are
// defined on the union of its requests' intervals [arrival, arrival +
// latency]: a busy span is a maximal run of overlapping or touching
// intervals, billed rounded up to 100 ms, and the concurrency is the most
// intervals open at one instant (one ending as another starts do not
// overlap). These need every interval of a span, whichever piece of the log
// it came in, so a summary keeps the intervals near the edges of the time
// each piece covers and closes only the spans in between.
//
// A run is what one reader read in file order: one file, or the requests
// added to one summary. It covers the arrivals from lo to hi. Another run
// (another file) can only reach into it with a request that arrived
// before lo and was still in flight BusyGuard later, or with one logged
// out of order by more than BusyGuard. So, per instance, spans that start
// at least BusyGuard after the run's lo and end at least BusyGuard before
// its hi are closed: counted, and their intervals dropped. The rest stay as
// intervals, and the report sweeps them with those of the other runs. A
// request that still reaches into another run's closed spans is counted
// as a conflict, which the report names: its interval is then swept apart
// from them. Runs are never joined, so a summary holds, per instance, the
// intervals of about 2 x BusyGuard of each file it was made of.

// BusyGuard is how far from a piece's edges a busy span must lie to be
// closed: longer than Cloud Run's default request timeout (5 min), and
// than the disorder of a log written as requests complete.
const BusyGuard = int64(10 * time.Minute)

// span is a request's interval, or a busy span, in Unix nanoseconds.
type span struct{ s, e int64 }

func (a span) Compare(b span) int { return cmp.Or(cmp.Compare(a.s, b.s), cmp.Compare(a.e, b.e)) }

// BusyTotals is what closed spans add up to.
type BusyTotals struct {
	Billed    int64 // spans rounded up to the billing quantum, ns
	InFlight  int64 // spans as they were, ns
	MaxConc   int   // the most requests in flight at once
	Spans     int64
	Conflicts int64 // requests that reached into closed spans
}

func (t *BusyTotals) Add(o BusyTotals) {
	t.Billed += o.Billed
	t.InFlight += o.InFlight
	t.MaxConc = max(t.MaxConc, o.MaxConc)
	t.Spans += o.Spans
	t.Conflicts += o.Conflicts
}

// runHull is the span of arrivals a run covers.
type runHull struct{ lo, hi int64 }

func newRunHull() *runHull { return &runHull{lo: math.MaxInt64, hi: math.MinInt64} }

// see widens the hull to an arrival.
func (h *runHull) see(t int64) { h.lo, h.hi = min(h.lo, t), max(h.hi, t) }

// busySeg is one instance's requests in one run.
type busySeg struct {
	run    *runHull
	open   []span // intervals not in closed spans, sorted
	head   int    // open[:head] are in spans that start within BusyGuard of headLo
	headLo int64  // the run's lo when head was found
	headE  int64  // the latest end among open[:head]
	closed BusyTotals
	// tens is the closed spans' busy milliseconds per 10 s.
	tens BucketCounts
	// The earliest start and latest end of the closed spans; cLo > cHi
	// when none is closed.
	cLo, cHi int64
	// closeAt is the length of open at which closing is tried next: it
	// doubles, so that each interval is looked at a bounded number of times.
	closeAt int
}

func newBusySeg(run *runHull) *busySeg {
	g, ok := segPool.Get().(*busySeg)
	if !ok {
		g = new(busySeg)
	}
	*g = busySeg{run: run, cLo: 1, cHi: 0, closeAt: 64, headLo: run.lo}
	return g
}

// segPool keeps the segments a sink has joined, for reuse.
var segPool sync.Pool

// add adds one request's interval.
func (g *busySeg) add(iv span) {
	n := len(g.open)
	if g.open == nil {
		g.open = takeSlice[span](&spans)
	}
	if n == 0 || g.open[n-1].Compare(iv) <= 0 {
		g.open = append(g.open, iv)
	} else {
		i, _ := slices.BinarySearchFunc(g.open, iv, span.Compare)
		g.open = slices.Insert(g.open, i, iv)
		if i < g.head {
			g.head, g.headE = 0, 0
		}
	}
	if len(g.open) >= g.closeAt {
		g.close()
	}
}

// close counts and drops the spans that lie BusyGuard inside the segment.
func (g *busySeg) close() {
	open := g.open
	lo, hi := g.run.lo, g.run.hi
	if lo != g.headLo {
		g.head, g.headE, g.headLo = 0, 0, lo
	}
	for g.head < len(open) && (open[g.head].s < lo+BusyGuard || open[g.head].s <= g.headE) {
		g.headE = max(g.headE, open[g.head].e)
		g.head++
	}
	i := g.head
	end, lastE := i, int64(0)
	for i < len(open) {
		j, e := i+1, open[i].e
		for j < len(open) && open[j].s <= e {
			e = max(e, open[j].e)
			j++
		}
		if j == len(open) || e > hi-BusyGuard {
			break
		}
		i, end, lastE = j, j, e
	}
	if end > g.head { // whole spans, swept at once
		g.closed.Add(sweep(open[g.head:end], &g.tens))
		g.markClosed(open[g.head].s, lastE)
		g.open = append(open[:g.head], open[end:]...)
	}
	g.closeAt = max(64, 2*len(g.open))
}

// markClosed widens the closed spans' hull to [s, e].
func (g *busySeg) markClosed(s, e int64) {
	if g.cLo > g.cHi {
		g.cLo, g.cHi = s, e
		return
	}
	g.cLo, g.cHi = min(g.cLo, s), max(g.cHi, e)
}

// BusyBucket is the width of the buckets of busy time per instance.
const BusyBucket = 10 * time.Second

// sweep counts the spans of sorted intervals: busy time billed and as it
// was, and the most intervals open at one instant; tens, when given, gets
// each span's milliseconds per BusyBucket.
func sweep(ivs []span, tens *BucketCounts) BusyTotals {
	var t BusyTotals
	var buf [32]int64
	ends := endHeap(buf[:0])
	for i := 0; i < len(ivs); {
		s, e := ivs[i].s, ivs[i].e
		j := i
		for ; j < len(ivs) && ivs[j].s <= e; j++ {
			e = max(e, ivs[j].e)
			for len(ends) > 0 && ends[0] <= ivs[j].s {
				ends.pop()
			}
			ends.push(ivs[j].e)
			t.MaxConc = max(t.MaxConc, len(ends))
		}
		ends = ends[:0]
		t.Billed += int64(RoundUp(time.Duration(e-s), BillingQuantum))
		t.InFlight += e - s
		if tens != nil {
			addBusy(tens, s, e)
		}
		t.Spans++
		i = j
	}
	return t
}

// merge adds o, the same instance's intervals in the next chunk of g's
// run, and returns how many of o's intervals reached into g's closed
// spans.
func (g *busySeg) merge(o *busySeg) int64 {
	var conflicts int64
	if g.cLo <= g.cHi {
		for _, iv := range o.open {
			if iv.s <= g.cHi && iv.e >= g.cLo {
				conflicts++
			}
		}
	}
	switch {
	case len(o.open) == 0:
	case len(g.open) == 0 || g.open[len(g.open)-1].Compare(o.open[0]) <= 0:
		g.open = append(g.open, o.open...)
	default:
		merged := make([]span, 0, len(g.open)+len(o.open))
		a, b := g.open, o.open
		for len(a) > 0 && len(b) > 0 {
			if a[0].Compare(b[0]) <= 0 {
				merged, a = append(merged, a[0]), a[1:]
			} else {
				merged, b = append(merged, b[0]), b[1:]
			}
		}
		g.open = append(append(merged, a...), b...)
		g.head, g.headE = 0, 0
	}
	if o.cLo <= o.cHi {
		g.markClosed(o.cLo, o.cHi)
	}
	g.closed.Add(o.closed)
	g.tens.merge(&o.tens)
	if len(g.open) >= g.closeAt {
		g.close()
	}
	return conflicts
}

// Busy is one instance's intervals, a segment per run.
type Busy struct {
	segs      []*busySeg
	conflicts int64 // found when chunks were joined
	// last is the segment seg returned last, of run lastRun: the next
	// request of the instance is most likely of the same run, and the
	// instance's Busy is in cache where its segments may not be.
	last    *busySeg
	lastRun *runHull
}

// seg returns the segment of a run, new if need be.
func (b *Busy) seg(run *runHull) *busySeg {
	if b.last != nil && b.lastRun == run {
		return b.last
	}
	g := b.find(run)
	if g == nil {
		g = newBusySeg(run)
		b.segs = append(b.segs, g)
	}
	b.last, b.lastRun = g, run
	return g
}

// find returns the segment of a run, nil when there is none.
func (b *Busy) find(run *runHull) *busySeg {
	if n := len(b.segs); n > 0 && b.segs[n-1].run == run {
		return b.segs[n-1]
	}
	for _, g := range b.segs {
		if g.run == run {
			return g
		}
	}
	return nil
}

// extend adds o's segments, the next chunk of run, to run's.
func (b *Busy) extend(run *runHull, o *Busy) {
	b.conflicts += o.conflicts
	for _, og := range o.segs {
		b.conflicts += b.seg(run).merge(og)
	}
}

// merge adds o's segments, of other runs.
func (b *Busy) merge(o *Busy) {
	b.conflicts += o.conflicts
	b.segs = append(b.segs, o.segs...)
}

// totals sweeps what is still open, with the closed spans added, and
// counts the conflicts: open intervals that reach into closed spans.
func (b *Busy) Totals() BusyTotals {
	var t BusyTotals
	var open []span
	conflicts := b.conflicts
	for i, g := range b.segs {
		t.Add(g.closed)
		open = append(open, g.open...)
		for j, o := range b.segs {
			if j == i || o.cLo > o.cHi {
				continue
			}
			for _, iv := range g.open {
				if iv.s <= o.cHi && iv.e >= o.cLo {
					conflicts++
				}
			}
		}
	}
	slices.SortFunc(open, span.Compare)
	t.Add(sweep(open, nil))
	t.Conflicts = conflicts
	return t
}

// endHeap is a min-heap of interval ends.
type endHeap []int64

func (h *endHeap) push(t int64) {
	*h = append(*h, t)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if s[i] >= s[p] {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *endHeap) pop() {
	s := *h
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && s[l] < s[m] {
			m = l
		}
		if l+1 < n && s[l+1] < s[m] {
			m = l + 1
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
}

// addBusy adds the span [s, e] to busy milliseconds per BusyBucket: each
// bucket the span's part in it, in whole milliseconds.
func addBusy(tens *BucketCounts, s, e int64) {
	w := int64(BusyBucket)
	for b := FloorDiv(s, w); b*w < e; b++ {
		part := min(e, (b+1)*w) - max(s, b*w)
		if ms := part / int64(time.Millisecond); ms > 0 {
			tens.add(b, uint32(ms))
		}
	}
}

// BusyPer10s is the instance's busy milliseconds per BusyBucket (bucket k
// starts k x 10 s after the Unix epoch): the closed spans' and those of
// what is still open, swept together.
func (b *Busy) BusyPer10s() *BucketCounts {
	var out BucketCounts
	var open []span
	for _, g := range b.segs {
		out.merge(&g.tens)
		open = append(open, g.open...)
	}
	slices.SortFunc(open, span.Compare)
	sweep(open, &out)
	return &out
}

// BillingQuantum is Cloud Run's billing granularity: busy time is rounded
// up to the nearest 100 ms.
const BillingQuantum = 100 * time.Millisecond

// RoundUp rounds d up to a multiple of q.
func RoundUp(d, q time.Duration) time.Duration {
	if r := d % q; r != 0 {
		return d + q - r
	}
	return d
}
