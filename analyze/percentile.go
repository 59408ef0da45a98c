package analyze

import (
	"math"
	"slices"
	"time"
)

// Percentiles in runlens use one definition everywhere, the nearest rank:
// the p-th percentile of n sorted values is the value at rank ceil(p/100*n)
// (1-based), so it is always an observed value; p=100 is the maximum and p=0
// the minimum. Locust computes its percentiles the same way over response
// times it first rounds into buckets, which is why client percentiles are
// approximate.

// nearestRank returns the p-th percentile (0..100) of sorted values.
func nearestRank[T any](sorted []T, p float64) T {
	var zero T
	n := len(sorted)
	if n == 0 {
		return zero
	}
	r := int(math.Ceil(p / 100 * float64(n)))
	r = min(max(r, 1), n)
	return sorted[r-1]
}

// durationStats holds the sorted latencies of a group of requests.
type durationStats struct {
	sorted []time.Duration
	sum    time.Duration
}

func newDurationStats(d []time.Duration) durationStats {
	s := slices.Clone(d)
	slices.Sort(s)
	var sum time.Duration
	for _, v := range s {
		sum += v
	}
	return durationStats{sorted: s, sum: sum}
}

func (s durationStats) percentileMS(p float64) float64 {
	return ms(nearestRank(s.sorted, p))
}

func (s durationStats) avgMS() float64 {
	if len(s.sorted) == 0 {
		return 0
	}
	return ms(s.sum) / float64(len(s.sorted))
}

func (s durationStats) minMS() float64 { return s.percentileMS(0) }
func (s durationStats) maxMS() float64 { return s.percentileMS(100) }

func (s durationStats) quantiles(ps []float64) []Quantile {
	out := make([]Quantile, len(ps))
	for i, p := range ps {
		out[i] = Quantile{P: p, MS: s.percentileMS(p), Missing: len(s.sorted) == 0}
	}
	return out
}

// ms converts a duration to float milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// floatRank returns the nearest-rank percentile of sorted floats.
func floatRank(sorted []float64, p float64) float64 { return nearestRank(sorted, p) }
