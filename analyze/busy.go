package analyze

import (
	"cmp"
	"slices"
	"time"
)

// Busy time, billing and the most requests in flight on an instance are
// defined on the union of its requests' intervals [arrival, arrival +
// latency]: a busy span is a maximal run of overlapping or touching
// intervals, billed rounded up to 100 ms, and the concurrency is the most
// intervals open at one instant (one ending as another starts do not
// overlap). These need every interval of a span, whichever piece of the log
// it came in, so a summary keeps the intervals near the edges of the time
// its requests cover and closes only the spans in between.
//
// A piece of a log (a chunk a worker parsed, a file) covers, per instance,
// the arrivals from lo to hi. Another piece can only reach into it with a
// request that arrived before lo and was still in flight busyGuard later,
// or with one logged out of order by more than busyGuard. So spans that
// start at least busyGuard after lo and end at least busyGuard before hi
// are closed: counted and their intervals dropped. The rest stay as
// intervals and join with the neighbouring piece's when summaries merge.
// A request that still reaches into closed spans is counted as a conflict,
// which the report names: its interval is then swept apart from them.

// busyGuard is how far from a piece's edges a busy span must lie to be
// closed: longer than Cloud Run's default request timeout (5 min), and
// than the disorder of a log written as requests complete.
const busyGuard = int64(10 * time.Minute)

// span is a request's interval, or a busy span, in Unix nanoseconds.
type span struct{ s, e int64 }

func (a span) compare(b span) int { return cmp.Or(cmp.Compare(a.s, b.s), cmp.Compare(a.e, b.e)) }

// busyTotals is what closed spans add up to.
type busyTotals struct {
	billed    int64 // spans rounded up to the billing quantum, ns
	inFlight  int64 // spans as they were, ns
	maxConc   int
	spans     int64
	conflicts int64 // requests that reached into closed spans
}

func (t *busyTotals) add(o busyTotals) {
	t.billed += o.billed
	t.inFlight += o.inFlight
	t.maxConc = max(t.maxConc, o.maxConc)
	t.spans += o.spans
	t.conflicts += o.conflicts
}

// busySeg is one instance's requests in one stretch of time.
type busySeg struct {
	lo, hi int64  // earliest and latest arrival
	open   []span // intervals not in closed spans, sorted
	head   int    // open[:head] are in spans that start within busyGuard of lo
	headE  int64  // the latest end among open[:head]
	closed busyTotals
	// The earliest start and latest end of the closed spans; cLo > cHi
	// when none is closed.
	cLo, cHi int64
	// closeAt is the length of open at which closing is tried next: it
	// doubles, so that each interval is looked at a bounded number of times.
	closeAt int
}

func newBusySeg(iv span) *busySeg {
	return &busySeg{lo: iv.s, hi: iv.s, open: []span{iv}, cLo: 1, cHi: 0, closeAt: 64}
}

// add adds one request's interval.
func (g *busySeg) add(iv span) {
	if iv.s < g.lo {
		g.lo, g.head, g.headE = iv.s, 0, 0
	}
	g.hi = max(g.hi, iv.s)
	n := len(g.open)
	if n == 0 || g.open[n-1].compare(iv) <= 0 {
		g.open = append(g.open, iv)
	} else {
		i, _ := slices.BinarySearchFunc(g.open, iv, span.compare)
		g.open = slices.Insert(g.open, i, iv)
		if i < g.head {
			g.head, g.headE = 0, 0
		}
	}
	if len(g.open) >= g.closeAt {
		g.close()
	}
}

// close counts and drops the spans that lie busyGuard inside the segment.
func (g *busySeg) close() {
	open := g.open
	for g.head < len(open) && (open[g.head].s < g.lo+busyGuard || open[g.head].s <= g.headE) {
		g.headE = max(g.headE, open[g.head].e)
		g.head++
	}
	i := g.head
	end := i
	for i < len(open) {
		j, e := i+1, open[i].e
		for j < len(open) && open[j].s <= e {
			e = max(e, open[j].e)
			j++
		}
		if j == len(open) || e > g.hi-busyGuard {
			break
		}
		g.closed.add(sweep(open[i:j]))
		g.markClosed(open[i].s, e)
		i, end = j, j
	}
	if end > g.head {
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

// sweep counts the spans of sorted intervals: busy time billed and as it
// was, and the most intervals open at one instant.
func sweep(ivs []span) busyTotals {
	var t busyTotals
	var ends endHeap
	for i := 0; i < len(ivs); {
		s, e := ivs[i].s, ivs[i].e
		j := i
		for ; j < len(ivs) && ivs[j].s <= e; j++ {
			e = max(e, ivs[j].e)
			for len(ends) > 0 && ends[0] <= ivs[j].s {
				ends.pop()
			}
			ends.push(ivs[j].e)
			t.maxConc = max(t.maxConc, len(ends))
		}
		ends = ends[:0]
		t.billed += int64(roundUp(time.Duration(e-s), billingQuantum))
		t.inFlight += e - s
		t.spans++
		i = j
	}
	return t
}

// merge adds o, a segment of the same instance whose time meets or
// overlaps g's, and returns how many of o's intervals reached into g's
// closed spans or g's into o's.
func (g *busySeg) merge(o *busySeg) int64 {
	var conflicts int64
	reach := func(ivs []span, a *busySeg) {
		if a.cLo > a.cHi {
			return
		}
		for _, iv := range ivs {
			if iv.s <= a.cHi && iv.e >= a.cLo {
				conflicts++
			}
		}
	}
	reach(o.open, g)
	reach(g.open, o)
	if o.lo < g.lo {
		g.lo = o.lo
	}
	g.hi = max(g.hi, o.hi)
	g.head, g.headE = 0, 0
	switch {
	case len(o.open) == 0:
	case len(g.open) == 0 || g.open[len(g.open)-1].compare(o.open[0]) <= 0:
		g.open = append(g.open, o.open...)
	default:
		merged := make([]span, 0, len(g.open)+len(o.open))
		a, b := g.open, o.open
		for len(a) > 0 && len(b) > 0 {
			if a[0].compare(b[0]) <= 0 {
				merged, a = append(merged, a[0]), a[1:]
			} else {
				merged, b = append(merged, b[0]), b[1:]
			}
		}
		g.open = append(append(merged, a...), b...)
	}
	if o.cLo <= o.cHi {
		g.markClosed(o.cLo, o.cHi)
	}
	g.closed.add(o.closed)
	if len(g.open) >= g.closeAt {
		g.close()
	}
	return conflicts
}

// busyState is one instance's segments, apart in time by more than
// busyGuard, in order.
type busyState struct {
	segs      []*busySeg
	conflicts int64
}

// add adds one request's interval.
func (b *busyState) add(iv span) {
	if n := len(b.segs); n > 0 {
		g := b.segs[n-1]
		if iv.s >= g.lo-busyGuard && iv.s <= g.hi+busyGuard {
			g.add(iv)
			return
		}
	}
	b.addSeg(newBusySeg(iv))
}

// addSeg adds a segment and joins those that come within busyGuard.
func (b *busyState) addSeg(g *busySeg) {
	i, _ := slices.BinarySearchFunc(b.segs, g, func(a, c *busySeg) int { return cmp.Compare(a.lo, c.lo) })
	b.segs = slices.Insert(b.segs, i, g)
	for i := 0; i+1 < len(b.segs); {
		a, c := b.segs[i], b.segs[i+1]
		if c.lo <= a.hi+busyGuard {
			b.conflicts += a.merge(c)
			b.segs = slices.Delete(b.segs, i+1, i+2)
			continue
		}
		i++
	}
}

// merge adds o's segments.
func (b *busyState) merge(o *busyState) {
	b.conflicts += o.conflicts
	for _, g := range o.segs {
		b.addSeg(g)
	}
}

// totals sweeps what is still open and adds the closed spans, and counts
// the conflicts: requests that reached into closed spans.
func (b *busyState) totals() busyTotals {
	var t busyTotals
	var open []span
	conflicts := b.conflicts
	for i, g := range b.segs {
		t.add(g.closed)
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
	slices.SortFunc(open, span.compare)
	t.add(sweep(open))
	t.conflicts = conflicts
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
