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

// TestQuantileSelectionsInAnyOrder asks fresh exact states, of every size
// and with many ties, for three percentiles in every order (each
// selection looks only between the ranks earlier ones put in place), and
// again after a latency is added, and compares each with the nearest rank
// of the sorted values.
func TestQuantileSelectionsInAnyOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ps := []float64{1, 25, 50, 50, 75, 90, 95, 99, 99.9}
	for round := range 500 {
		q := NewQuantiles(ExactPerInterval)
		var all []time.Duration
		n := 1 + rng.IntN(999)
		for range n {
			d := time.Duration(rng.Int64N(int64(1+rng.IntN(50)))) * time.Millisecond
			q.add(d)
			all = append(all, d)
		}
		for pass := range 2 {
			sorted := slices.Sorted(slices.Values(all))
			for range maxSelections {
				p := ps[rng.IntN(len(ps))]
				if got, want := q.QuantileMS(p), ms(NearestRank(sorted, p)); got != want {
					t.Fatalf("round %d, pass %d, %d values: p%g = %g ms, nearest rank of the sorted values %g", round, pass, n, p, got, want)
				}
			}
			d := time.Duration(rng.IntN(60)) * time.Millisecond
			q.add(d)
			all = append(all, d)
		}
	}
}

// BenchmarkQuantileMS asks the percentiles of a server series' step (p50,
// p95, p99) of exact states of random latencies, as the report does for
// every step of a day: each state new, as each step's values are (a
// branch predictor would learn the order of values seen again).
func BenchmarkQuantileMS(b *testing.B) {
	for _, n := range []int{100, 350, ExactPerInterval} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(5, 6))
			states := make([]*Quantiles, 1024)
			next := len(states)
			for b.Loop() {
				if next == len(states) {
					b.StopTimer()
					for i := range states {
						states[i] = NewQuantiles(ExactPerInterval)
						for range n {
							states[i].add(time.Duration(rng.Int64N(int64(8 * time.Second))))
						}
					}
					next = 0
					b.StartTimer()
				}
				q := states[next]
				next++
				q.QuantileMS(50)
				q.QuantileMS(95)
				q.QuantileMS(99)
			}
		})
	}
}
