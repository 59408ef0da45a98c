package summary

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sync"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// Latency Quantiles are exact while small and sketched when large, with one
// definition: the nearest rank (percentile.go). A quantile state keeps every
// latency until it holds more than its limit; from then on it is a DDSketch
// of 1 % relative accuracy, which answers the nearest rank within 1 %. The
// switch depends only on how many latencies the state holds, never on the
// order they came in or how the log was cut, so the same requests give the
// same state.
const (
	// SketchAccuracy is the DDSketch relative accuracy of percentiles.
	SketchAccuracy = 0.01
	// sketchBins bounds a sketch's memory; at 1 % accuracy 2048 bins
	// span more than 1 µs to 1 h without collapsing.
	sketchBins = 2048
	// ExactPerEndpoint is how many latencies an endpoint (and the total)
	// keeps before it is sketched.
	ExactPerEndpoint = 10_000
	// ExactPerInterval is how many latencies one interval of the server
	// series keeps before it is sketched.
	ExactPerInterval = 1_000
)

// sketchMapping maps latencies to a sketch's bins. The cubically
// interpolated mapping keeps DDSketch's relative accuracy without a
// logarithm per value (it reads the float's exponent and interpolates the
// mantissa), for about 1 % more bins than the logarithmic one.
var sketchMapping = func() mapping.IndexMapping {
	m, err := mapping.NewCubicallyInterpolatedMapping(SketchAccuracy)
	if err != nil {
		panic(err) // a constant, valid accuracy
	}
	return m
}()

func newSketch() *ddsketch.DDSketch {
	if sk, ok := sketches.Get().(*ddsketch.DDSketch); ok {
		return sk
	}
	return ddsketch.NewDDSketch(sketchMapping, store.NewCollapsingLowestDenseStore(sketchBins),
		store.NewCollapsingLowestDenseStore(sketchBins))
}

// sketches keeps emptied sketches for reuse, their bins allocated.
var sketches sync.Pool

// Quantiles is the latency state of one key: every latency up to limit,
// then a sketch. Minimum and maximum stay exact.
type Quantiles struct {
	limit  int
	n      int64
	exact  []time.Duration // while sk is nil
	sorted bool            // exact is sorted
	// selections is how many percentiles were selected from exact since
	// it last changed, and placed the ranks (0-based) they put in place:
	// exact[r] is where sorting would put it, none before it larger and
	// none after it smaller, so that a later selection looks only
	// between the two placed ranks around its own.
	selections int
	placed     [maxSelections]int
	sk         *ddsketch.DDSketch
	min, max   time.Duration
}

func NewQuantiles(limit int) *Quantiles { return &Quantiles{limit: limit} }

// maxSelections is how many percentiles are selected from unsorted exact
// latencies before they are sorted instead.
const maxSelections = 3

func (q *Quantiles) add(d time.Duration) {
	if q.n == 0 || d < q.min {
		q.min = d
	}
	q.max = max(q.max, d)
	q.n++
	if q.sk != nil {
		addSketch(q.sk, d)
		return
	}
	if q.exact == nil {
		q.exact = takeSlice[time.Duration](&durations)
	}
	q.exact = append(q.exact, d)
	q.sorted, q.selections = false, 0
	if len(q.exact) > q.limit {
		q.toSketch()
	}
}

// cubicMapping is sketchMapping as its own type, and minSketched and
// maxSketched the bounds of the values it indexes: addSketch uses them
// without going through interfaces.
var (
	cubicMapping = sketchMapping.(*mapping.CubicallyInterpolatedMapping)
	minSketched  = sketchMapping.MinIndexableValue()
	maxSketched  = sketchMapping.MaxIndexableValue()
)

// addSketch adds a latency to a sketch; latencies are never negative. A
// value the mapping indexes goes to the bin DDSketch.Add would put it in,
// through concrete types.
func addSketch(sk *ddsketch.DDSketch, d time.Duration) {
	v := max(ms(d), 0)
	if pos, ok := sk.GetPositiveValueStore().(*store.CollapsingLowestDenseStore); ok && v > minSketched && v <= maxSketched {
		pos.AddWithCount(cubicMapping.Index(v), 1)
		return
	}
	_ = sk.Add(v)
}

func (q *Quantiles) toSketch() {
	q.sk = newSketch()
	for _, d := range q.exact {
		addSketch(q.sk, d)
	}
	q.exact, q.sorted = nil, false
}

// merge adds o's latencies; o is left as it was.
func (q *Quantiles) merge(o *Quantiles) {
	if o.n == 0 {
		return
	}
	if q.n == 0 || o.min < q.min {
		q.min = o.min
	}
	q.max = max(q.max, o.max)
	q.n += o.n
	if q.sk == nil && o.sk == nil && len(q.exact)+len(o.exact) <= q.limit {
		q.exact = append(q.exact, o.exact...)
		q.sorted, q.selections = false, 0
		return
	}
	if q.sk == nil {
		q.toSketch()
	}
	if o.sk != nil {
		_ = q.sk.MergeWith(o.sk)
		return
	}
	for _, d := range o.exact {
		addSketch(q.sk, d)
	}
}

// Count is how many latencies the state holds.
func (q *Quantiles) Count() int64 { return q.n }

// release hands the latencies' buffer back for reuse; q is empty after.
func (q *Quantiles) release() {
	putSlice(&durations, q.exact)
	if q.sk != nil {
		q.sk.Clear()
		sketches.Put(q.sk)
	}
	*q = Quantiles{limit: q.limit}
}

// Buffers a chunk's summary fills and the sink, once it merged them,
// hands back: latencies and busy intervals.
var durations, spans sync.Pool

// takeSlice returns an empty buffer from pool, or a new one.
func takeSlice[T any](pool *sync.Pool) []T {
	if b, ok := pool.Get().(*[]T); ok {
		return (*b)[:0]
	}
	return make([]T, 0, 64)
}

// putSlice hands a buffer back to pool.
func putSlice[T any](pool *sync.Pool, b []T) {
	if cap(b) > 0 {
		pool.Put(&b)
	}
}

// sketched says whether the state answers from a sketch (within 1 %)
// rather than exactly.
func (q *Quantiles) Sketched() bool { return q.sk != nil }

// sortedExact returns the exact latencies, sorted.
func (q *Quantiles) sortedExact() []time.Duration {
	if !q.sorted {
		slices.Sort(q.exact)
		q.sorted = true
	}
	return q.exact
}

// quantileMS is the nearest-rank p-th percentile in ms: exact, or within
// the sketch's accuracy; p=0 and p=100 are the exact minimum and maximum.
func (q *Quantiles) QuantileMS(p float64) float64 {
	switch {
	case q.n == 0:
		return 0
	case p <= 0:
		return ms(q.min)
	case p >= 100:
		return ms(q.max)
	case q.sk == nil && q.sorted:
		return ms(NearestRank(q.exact, p))
	case q.sk == nil:
		// A few percentiles of unsorted values are found by selection,
		// in linear time; past that, sorting once is cheaper.
		if q.selections >= maxSelections {
			return ms(NearestRank(q.sortedExact(), p))
		}
		k := rank(len(q.exact), p) - 1
		lo, hi := 0, len(q.exact)
		for _, r := range q.placed[:q.selections] {
			switch {
			case r == k:
				return ms(q.exact[k])
			case r < k:
				lo = max(lo, r+1)
			default:
				hi = min(hi, r)
			}
		}
		q.placed[q.selections] = k
		q.selections++
		return ms(selectNth(q.exact[lo:hi], k-lo))
	}
	v, err := q.sk.GetValueAtQuantile(sketchQuantile(p, q.n))
	if err != nil {
		return 0
	}
	return math.Min(math.Max(v, ms(q.min)), ms(q.max))
}

// sketchQuantile is the quantile to ask a DDSketch of n values for the
// nearest-rank p-th percentile: a sketch answers with the first value whose
// cumulative count exceeds q*(n-1), and the nearest rank is ceil(p/100*n),
// from 1; asking for rank r-0.5 gets the r-th value, clear of rounding. The
// sketch then answers within its relative accuracy of the exact percentile.
func sketchQuantile(p float64, n int64) float64 {
	if n <= 1 {
		return 0
	}
	r := min(max(math.Ceil(p/100*float64(n)), 1), float64(n))
	return min((r-0.5)/float64(n-1), 1)
}

// medianWithout is the nearest-rank median of the state's latencies less
// the given ones (each of which the state holds): the warm median of an
// endpoint, without the requests that waited on a cold start.
func (q *Quantiles) MedianWithout(drop []time.Duration) time.Duration {
	left := q.n - int64(len(drop))
	if left <= 0 {
		return 0
	}
	if q.sk == nil {
		d := slices.Clone(drop)
		slices.Sort(d)
		vals := make([]time.Duration, 0, left)
		for _, v := range q.sortedExact() {
			if len(d) > 0 && d[0] == v {
				d = d[1:]
				continue
			}
			vals = append(vals, v)
		}
		return NearestRank(vals, 50)
	}
	sk := q.sk.Copy()
	pos := sk.GetPositiveValueStore()
	for _, v := range drop {
		if x := ms(v); x > sketchMapping.MinIndexableValue() {
			pos.AddWithCount(sketchMapping.Index(x), -1)
		}
	}
	v, err := sk.GetValueAtQuantile(sketchQuantile(50, left))
	if err != nil {
		return 0
	}
	return time.Duration(v * float64(time.Millisecond))
}

// ms converts a duration to float milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Percentiles in runlens use one definition everywhere, the nearest rank:
// the p-th percentile of n sorted values is the value at rank ceil(p/100*n)
// (1-based), so it is always an observed value; p=100 is the maximum and p=0
// the minimum. A sketched state answers the same definition within 1 %.

// NearestRank returns the p-th percentile (0..100) of sorted values.
func NearestRank[T any](sorted []T, p float64) T {
	var zero T
	n := len(sorted)
	if n == 0 {
		return zero
	}
	return sorted[rank(n, p)-1]
}

// rank is the 1-based nearest rank of the p-th percentile of n > 0
// values.
func rank(n int, p float64) int {
	r := int(math.Ceil(p / 100 * float64(n)))
	return min(max(r, 1), n)
}

// selectNth reorders v so that v[k] is the value sorting would put there,
// those before it no larger and those after no smaller, and returns it
// (Hoare's selection with a median-of-three pivot; past a depth of
// 2·log2 n, as with an adversarial order, it sorts what is left instead).
// A partition moves every value without a branch on how it compares
// (Lomuto's scheme, branch-free): on values in random order a branch
// would be guessed wrong every other time. Values equal to the pivot are
// gathered beside it when there are any, so that many equal values do
// not make the selection quadratic.
func selectNth[T cmp.Ordered](v []T, k int) T {
	lo, hi := 0, len(v)-1
	for depth := 2 * bits.Len(uint(len(v))); hi > lo; depth-- {
		if depth == 0 || hi-lo < 16 {
			slices.Sort(v[lo : hi+1])
			break
		}
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		v[mid], v[hi] = v[hi], v[mid] // the median of the three, the pivot, last
		pivot := v[hi]
		p, equal := lo, 0
		for j := lo; j < hi; j++ {
			x := v[j]
			v[j] = v[p]
			v[p] = x
			p += b2i(x < pivot)
			equal += b2i(x == pivot)
		}
		v[p], v[hi] = v[hi], v[p] // v[lo:p] < pivot = v[p] <= v[p+1:hi+1]
		switch {
		case k < p:
			hi = p - 1
			continue
		case k == p:
			return v[k]
		case equal == 0:
			lo = p + 1
			continue
		}
		q := p + 1 // gather the values equal to the pivot after it
		for j := p + 1; j <= hi; j++ {
			x := v[j]
			v[j] = v[q]
			v[q] = x
			q += b2i(x == pivot)
		}
		if k < q {
			return v[k]
		}
		lo = q
	}
	return v[k]
}

// b2i is 1 for true and 0 for false, without a branch.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

// SketchIndex is the bin of the sketch that a latency goes to, and false
// for one that goes to the zero count (no latency): the cubically
// interpolated mapping's index of the latency in milliseconds, which a
// query computing the summary elsewhere reproduces (SketchMultiplier).
func SketchIndex(d time.Duration) (int, bool) {
	x := max(ms(d), 0)
	if x <= sketchMapping.MinIndexableValue() {
		return 0, false
	}
	return sketchMapping.Index(x), true
}

// SketchMultiplier is the mapping's multiplier, 1/log2(gamma), as
// sketches-go computes it: the index of x = 2^e·(1+s), s in [0, 1), is
// the integer part (towards minus infinity) of
// (((A·s + B)·s + C)·s + e)·SketchMultiplier, with A = 6/35, B = -3/5,
// C = 10/7.
var SketchMultiplier = 1 / math.Log2(math.Pow((1+SketchAccuracy)/(1-SketchAccuracy), 10*math.Ln2/7))
