package analyze

import (
	"maps"
	"slices"
)

// pageBits sets how many buckets a page of bucketCounts holds.
const pageBits = 12

// bucketCounts counts events in fixed time buckets (seconds, 100 ms, 10 s),
// keyed by bucket number, in pages allocated where events fall: sparse
// spans of time cost nothing, dense ones 4 bytes a bucket.
type bucketCounts struct {
	pages    map[int64]*[1 << pageBits]uint32
	lastKey  int64 // the page last added to, which the next add likely hits
	lastPage *[1 << pageBits]uint32
}

func (c *bucketCounts) add(bucket int64, n uint32) {
	k := bucket >> pageBits
	p := c.lastPage
	if p == nil || k != c.lastKey {
		if c.pages == nil {
			c.pages = map[int64]*[1 << pageBits]uint32{}
		}
		p = c.pages[k]
		if p == nil {
			p = new([1 << pageBits]uint32)
			c.pages[k] = p
		}
		c.lastKey, c.lastPage = k, p
	}
	p[bucket&(1<<pageBits-1)] += n
}

func (c *bucketCounts) get(bucket int64) uint32 {
	if p := c.pages[bucket>>pageBits]; p != nil {
		return p[bucket&(1<<pageBits-1)]
	}
	return 0
}

func (c *bucketCounts) merge(o *bucketCounts) {
	for k, op := range o.pages {
		base := k << pageBits
		for i, n := range op {
			if n != 0 {
				c.add(base+int64(i), n)
			}
		}
	}
}

// each calls f for every bucket with a count, in order.
func (c *bucketCounts) each(f func(bucket int64, n uint32)) {
	for _, k := range slices.Sorted(maps.Keys(c.pages)) {
		for i, n := range c.pages[k] {
			if n != 0 {
				f(k<<pageBits+int64(i), n)
			}
		}
	}
}

// cumulative returns a function counting the events in buckets up to and
// including the given one.
func (c *bucketCounts) cumulative() func(bucket int64) int64 {
	var buckets []int64
	var cum []int64
	var total int64
	c.each(func(b int64, n uint32) {
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
