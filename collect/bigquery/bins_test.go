package bigquery

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze/summary"
)

// The bins' least latencies are where summary.SketchIndex steps up: the
// nanosecond before each has the bin before, and latencies drawn at
// random over every scale go to the bin of the last bound at or below
// them, as BinFrom's search sends them.
func TestBinLows(t *testing.T) {
	lows := binLows()
	index := func(ns int64) int {
		i, ok := summary.SketchIndex(time.Duration(ns))
		if !ok {
			t.Fatalf("latency %d ns: no bin", ns)
		}
		return i
	}
	for i, l := range lows {
		if index(l.ns) != l.bin {
			t.Fatalf("bound %d ns: bin %d, Go %d", l.ns, l.bin, index(l.ns))
		}
		if i == 0 {
			continue
		}
		if prev := lows[i-1]; l.ns <= prev.ns || l.bin <= prev.bin || index(l.ns-1) != prev.bin {
			t.Fatalf("bound %d ns (bin %d) after %d ns (bin %d): the nanosecond before is in bin %d", l.ns, l.bin, prev.ns, prev.bin, index(l.ns-1))
		}
	}
	if lows[0].ns != 1 || index(math.MaxInt64) != lows[len(lows)-1].bin {
		t.Fatalf("bounds from %d ns to bin %d; want 1 ns to the bin of the greatest INT64, %d", lows[0].ns, lows[len(lows)-1].bin, index(math.MaxInt64))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		ns := int64(math.Exp2(rng.Float64() * 63))
		ns = max(1, ns+rng.Int64N(3)-1)
		k, _ := slices.BinarySearchFunc(lows, ns, func(l binLow, ns int64) int {
			if l.ns <= ns {
				return -1
			}
			return 1
		})
		if got := lows[k-1].bin; got != index(ns) {
			t.Fatalf("latency %d ns: bin %d by the bounds, Go %d", ns, got, index(ns))
		}
	}
	t.Logf("%d bounds, a search of %d comparisons, %d bytes of SQL", len(lows), bitsFor(len(lows)), len(binSearch("lat_ns")))
}

func bitsFor(n int) int {
	b := 0
	for 1<<b < n {
		b++
	}
	return b
}
