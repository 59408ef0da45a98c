package sim

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// segment is a run of n latencies drawn in [lo, hi) milliseconds, sorted.
// A flexible segment is shaped by the exponent that fitSegments solves for;
// a fixed one by its own shape (1 when zero: uniform).
type segment struct {
	n      int
	lo, hi float64
	flex   bool
	shape  float64
}

// fitSegments draws the segments' latencies so that they sum to target
// milliseconds: each value is lo + (hi-lo)*u^g for a sorted uniform u, with
// one exponent g for all flexible segments, found by bisection. Segments
// given in increasing, disjoint ranges yield sorted latencies. It fails
// when no exponent reaches the target.
func fitSegments(rng *rand.Rand, segs []segment, target float64) ([]float64, error) {
	us := make([][]float64, len(segs))
	for i, s := range segs {
		us[i] = make([]float64, s.n)
		for j := range us[i] {
			us[i][j] = rng.Float64()
		}
		slices.Sort(us[i])
	}
	values := func(g float64) []float64 {
		var out []float64
		for i, s := range segs {
			e := s.shape
			switch {
			case s.flex:
				e = g
			case e == 0:
				e = 1
			}
			for _, u := range us[i] {
				out = append(out, s.lo+(s.hi-s.lo)*math.Pow(u, e))
			}
		}
		return out
	}
	sum := func(g float64) float64 {
		var t float64
		for _, v := range values(g) {
			t += v
		}
		return t
	}
	lo, hi := 0.05, 20.0 // the sum falls as g grows
	if sum(lo) < target || sum(hi) > target {
		return nil, errors.New("no exponent reaches the target sum")
	}
	for range 200 {
		mid := (lo + hi) / 2
		if sum(mid) > target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return values((lo + hi) / 2), nil
}

// toDurations turns milliseconds into whole nanoseconds, nudged off the
// half-millisecond points where Locust's rounding of response times would
// have to break a tie.
func toDurations(ms []float64) []time.Duration {
	out := make([]time.Duration, len(ms))
	for i, v := range ms {
		ns := int64(math.Round(v * 1e6))
		if ns%500_000 == 0 {
			ns++
		}
		out[i] = time.Duration(ns)
	}
	return out
}

// below counts the latencies whose Locust bucket lies below ms.
func below(lat []time.Duration, ms int64) int {
	n := 0
	for _, d := range lat {
		if k, _ := roundedResponseTime(d); k < ms {
			n++
		}
	}
	return n
}
