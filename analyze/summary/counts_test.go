package summary

import (
	"math/rand/v2"
	"testing"
)

// TestCountsMerge merges counts of every size, small ones (which add a
// word at a time) and ones near and past a bucket's range (which spill),
// in pages that share words with buckets of the other side, and checks
// every bucket against a plain sum.
func TestCountsMerge(t *testing.T) {
	t.Run("uint8", func(t *testing.T) { testCountsMerge[uint8](t, []uint32{1, 2, 3, 100, 127, 128, 200, 255, 300}) })
	t.Run("uint32", func(t *testing.T) { testCountsMerge[uint32](t, []uint32{1, 7, 1 << 30, 1<<31 - 1, 1 << 31}) })
}

func testCountsMerge[T uint8 | uint32](t *testing.T, sizes []uint32) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var a, b Counts[T]
		want := map[int64]uint64{}
		base := int64(rng.IntN(3<<pageBits)) - 1<<pageBits // pages on both sides of zero
		span := []int{24, 1<<pageBits + 64}[round%2]       // buckets the sides share, or few
		add := func(c *Counts[T]) {
			lo := base + int64(rng.IntN(8))
			for range rng.IntN(40) {
				k := lo + int64(rng.IntN(span))
				n := sizes[rng.IntN(len(sizes))]
				if rng.IntN(4) > 0 {
					n = sizes[0] // most counts small
				}
				c.add(k, n)
				want[k] += uint64(n)
			}
		}
		add(&a)
		add(&b)
		a.merge(&b)
		for k, n := range want {
			if got := a.Get(k); got != n {
				t.Fatalf("round %d, bucket %d: %d after the merge, want %d", round, k, got, n)
			}
		}
		total := uint64(0)
		a.Each(func(_ int64, n uint64) { total += n })
		wantTotal := uint64(0)
		for _, n := range want {
			wantTotal += n
		}
		if total != wantTotal {
			t.Fatalf("round %d: %d counted in all, want %d", round, total, wantTotal)
		}
	}
}

// TestCountsSum sums ranges of buckets, within a page, across pages,
// past a byte's range and on both sides of zero, against a sum of Get.
func TestCountsSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var c Counts[uint8]
	for range 3000 {
		n := uint32(1)
		if rng.IntN(10) == 0 {
			n = 300 // spills past a byte
		}
		c.add(int64(rng.IntN(3<<pageBits))-1<<pageBits, n)
	}
	for range 500 {
		from := int64(rng.IntN(4<<pageBits)) - 3<<(pageBits-1)
		to := from + int64(rng.IntN(2<<pageBits)) - 8 // sometimes empty
		var want uint64
		for b := from; b <= to; b++ {
			want += c.Get(b)
		}
		if got := c.Sum(from, to); got != want {
			t.Fatalf("Sum(%d, %d) = %d, the buckets' counts add to %d", from, to, got, want)
		}
	}
}
