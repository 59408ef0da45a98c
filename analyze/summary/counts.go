package summary

import (
	"maps"
	"math"
	"slices"
	"sync"
	"unsafe"

	"github.com/runlens/runlens/internal/prefault"
)

// pageBits sets how many buckets a page of counts holds.
const pageBits = 12

// Counts counts events in fixed time buckets (seconds, 100 ms, 10 s),
// keyed by bucket number, in pages allocated where events fall: sparse
// spans of time cost nothing, dense ones a T a bucket. What a bucket
// holds past T's range goes to over, so that a narrow T (a byte for the
// per-agent completions per 100 ms) stays exact.
type Counts[T uint8 | uint32] struct {
	pages    map[int64]*[1 << pageBits]T
	over     map[int64]uint64
	lastKey  int64 // the page last added to, which the next add likely hits
	lastPage *[1 << pageBits]T
	lo, hi   int64 // the first and last bucket added to, when any
}

// BucketCounts counts up to 4 billion events a bucket in 4 bytes.
type BucketCounts = Counts[uint32]

// TenthCounts counts events per 100 ms in a byte a bucket.
type TenthCounts = Counts[uint8]

func (c *Counts[T]) add(bucket int64, n uint32) {
	if n == 0 {
		return
	}
	p := c.lastPage
	if k := bucket >> pageBits; p == nil || k != c.lastKey {
		p = c.page(k)
	}
	c.lo, c.hi = min(c.lo, bucket), max(c.hi, bucket)
	c.addAt(p, bucket, n)
}

// page returns page k, new if need be.
func (c *Counts[T]) page(k int64) *[1 << pageBits]T {
	if p := c.lastPage; p != nil && k == c.lastKey {
		return p
	}
	if c.pages == nil {
		c.pages = map[int64]*[1 << pageBits]T{}
		c.lo, c.hi = math.MaxInt64, math.MinInt64 // set by the add that follows
	}
	p := c.pages[k]
	if p == nil {
		p = newPage[T]()
		c.pages[k] = p
	}
	c.lastKey, c.lastPage = k, p
	return p
}

// addAt adds n to bucket's count in p, its page; what passes T's range
// goes to over.
func (c *Counts[T]) addAt(p *[1 << pageBits]T, bucket int64, n uint32) {
	i := bucket & (1<<pageBits - 1)
	if sum := uint64(p[i]) + uint64(n); sum > uint64(^T(0)) {
		if c.over == nil {
			c.over = map[int64]uint64{}
		}
		c.over[bucket] += sum - uint64(^T(0))
		p[i] = ^T(0)
		return
	}
	p[i] += T(n)
}

// pagePools keep zeroed pages of each width for reuse: a chunk's summary
// fills a few and the sink hands them back once it has merged them.
// A new page is written before use (prefault.Touch): adds and merges read
// a count before they write it.
var pagePools = map[int]*sync.Pool{
	1: {New: func() any { return touchedPage[uint8]() }},
	4: {New: func() any { return touchedPage[uint32]() }},
}

func touchedPage[T uint8 | uint32]() *[1 << pageBits]T {
	p := new([1 << pageBits]T)
	prefault.Touch(p[:])
	return p
}

func newPage[T uint8 | uint32]() *[1 << pageBits]T {
	return pagePools[int(unsafe.Sizeof(T(0)))].Get().(*[1 << pageBits]T)
}

// release zeroes the pages and hands them back for reuse; c is empty after.
func (c *Counts[T]) release() {
	pool := pagePools[int(unsafe.Sizeof(T(0)))]
	for k, p := range c.pages {
		clear(p[max(c.lo-k<<pageBits, 0) : min(c.hi-k<<pageBits, 1<<pageBits-1)+1]) // all it added to
		pool.Put(p)
	}
	*c = Counts[T]{}
}

func (c *Counts[T]) Get(bucket int64) uint64 {
	if p := c.pages[bucket>>pageBits]; p != nil {
		return uint64(p[bucket&(1<<pageBits-1)]) + c.over[bucket]
	}
	return 0
}

// merge adds o's counts, looking only at the buckets o added to, page by
// page: o's pages are numbered as c's.
func (c *Counts[T]) merge(o *Counts[T]) {
	if o.pages == nil {
		return
	}
	for k := o.lo >> pageBits; k <= o.hi>>pageBits; k++ {
		op := o.pages[k]
		if op == nil {
			continue
		}
		from, to := max(o.lo-k<<pageBits, 0), min(o.hi-k<<pageBits, 1<<pageBits-1)
		p := c.page(k)
		c.lo, c.hi = min(c.lo, k<<pageBits+from), max(c.hi, k<<pageBits+to)
		// Eight bytes of counts at a time: most buckets of a short span
		// are empty, and most counts are small. Where no count of either
		// word has its top bit set, no sum passes T's range and the
		// words add as one number. (The counts of o's word outside
		// from..to are zero: o added to none of them.)
		per := int64(8 / unsafe.Sizeof(T(0)))
		top := topBits[T]()
		words := unsafe.Slice((*uint64)(unsafe.Pointer(op)), 1<<pageBits/per)
		dst := unsafe.Slice((*uint64)(unsafe.Pointer(p)), 1<<pageBits/per)
		for w := from / per; w <= to/per; w++ {
			if words[w] == 0 {
				continue
			}
			if (words[w]|dst[w])&top == 0 {
				dst[w] += words[w]
				continue
			}
			for i := max(w*per, from); i < min((w+1)*per, to+1); i++ {
				if n := op[i]; n != 0 {
					c.addAt(p, k<<pageBits+i, uint32(n))
				}
			}
		}
	}
	for b, n := range o.over {
		for n > 0 {
			step := min(n, 1<<31)
			c.add(b, uint32(step))
			n -= step
		}
	}
}

// topBits is a word of Ts with the top bit of each set.
func topBits[T uint8 | uint32]() uint64 {
	bits := 8 * uint64(unsafe.Sizeof(T(0)))
	var m uint64
	for b := bits - 1; b < 64; b += bits {
		m |= 1 << b
	}
	return m
}

// each calls f for every bucket with a count, in order.
func (c *Counts[T]) Each(f func(bucket int64, n uint64)) {
	for _, k := range slices.Sorted(maps.Keys(c.pages)) {
		for i, n := range c.pages[k] {
			if n != 0 {
				b := k<<pageBits + int64(i)
				f(b, uint64(n)+c.over[b])
			}
		}
	}
}

// Sum is the events in the buckets from and to, and those between.
func (c *Counts[T]) Sum(from, to int64) uint64 {
	var n uint64
	for k := from >> pageBits; k <= to>>pageBits && from <= to; k++ {
		p := c.pages[k]
		if p == nil {
			continue
		}
		for b := max(from, k<<pageBits); b <= min(to, k<<pageBits+1<<pageBits-1); b++ {
			if x := p[b&(1<<pageBits-1)]; x != 0 {
				n += uint64(x) + c.over[b]
			}
		}
	}
	return n
}

// cumulative returns a function counting the events in buckets up to and
// including the given one.
func (c *Counts[T]) Cumulative() func(bucket int64) int64 {
	var buckets []int64
	var cum []int64
	var total int64
	c.Each(func(b int64, n uint64) {
		total += int64(n)
		buckets, cum = append(buckets, b), append(cum, total)
	})
	return func(b int64) int64 {
		i, found := slices.BinarySearch(buckets, b)
		if found {
			return cum[i]
		}
		if i == 0 {
			return 0
		}
		return cum[i-1]
	}
}
