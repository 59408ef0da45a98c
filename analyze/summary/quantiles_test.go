package summary

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestSelectNthMatchesSort checks the selection against a sort, on
// random values, few distinct values, and orders that defeat a
// median-of-three pivot (sorted, reversed, organ pipe, all equal).
func TestSelectNthMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := map[string][]int64{}
	for _, n := range []int{1, 2, 3, 15, 16, 17, 100, 1000, 10000} {
		random, few, asc, desc, pipe, same := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		for i := range n {
			random[i] = rng.Int64N(1 << 40)
			few[i] = rng.Int64N(4)
			asc[i], desc[i] = int64(i), int64(n-i)
			pipe[i] = int64(min(i, n-i))
			same[i] = 7
		}
		for name, v := range map[string][]int64{"random": random, "few": few, "asc": asc, "desc": desc, "pipe": pipe, "same": same} {
			inputs[fmt.Sprintf("%s/%d", name, n)] = v
		}
	}
	for name, v := range inputs {
		sorted := slices.Sorted(slices.Values(v))
		for _, k := range []int{0, len(v) / 2, len(v) * 95 / 100, len(v) - 1} {
			w := slices.Clone(v)
			if got := selectNth(w, k); got != sorted[k] {
				t.Fatalf("%s: selectNth(%d) = %d, sort gives %d", name, k, got, sorted[k])
			}
			for i := range w {
				if (i < k && w[i] > w[k]) || (i > k && w[i] < w[k]) {
					t.Fatalf("%s: after selectNth(%d), w[%d] = %d is on the wrong side of %d", name, k, i, w[i], w[k])
				}
			}
		}
	}
}

// TestQuantileSelectionMatchesSorted asks an exact state for more
// percentiles than it selects before sorting, and compares each with the
// nearest rank of the sorted values.
func TestQuantileSelectionMatchesSorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	q := NewQuantiles(ExactPerInterval)
	var all []time.Duration
	for range 999 {
		d := time.Duration(rng.Int64N(5000)) * time.Millisecond
		q.add(d)
		all = append(all, d)
	}
	slices.Sort(all)
	for _, p := range []float64{50, 95, 99, 50, 90, 99.9, 1} {
		if got, want := q.QuantileMS(p), ms(NearestRank(all, p)); got != want {
			t.Errorf("p%g = %g ms, nearest rank of the sorted values %g", p, got, want)
		}
	}
	if !q.sorted {
		t.Errorf("after seven percentiles the values are still unsorted")
	}
}
