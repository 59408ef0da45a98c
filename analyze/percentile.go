package analyze

import (
	"time"

	"github.com/runlens/runlens/analyze/summary"
)

// Percentiles in runlens use one definition everywhere, the nearest rank
// (summary.NearestRank): the p-th percentile of n sorted values is the
// value at rank ceil(p/100*n) (1-based), so it is always an observed value;
// p=100 is the maximum and p=0 the minimum. Locust computes its percentiles
// the same way over response times it first rounds into buckets, which is
// why client percentiles are approximate.

// ms converts a duration to float milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// floatRank returns the nearest-rank percentile of sorted floats.
func floatRank(sorted []float64, p float64) float64 { return summary.NearestRank(sorted, p) }
