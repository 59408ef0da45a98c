package audit

import (
	"math"
	"slices"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/model"
)

// metricLatencyQuantile estimates a latency quantile (q in [0, 1], ms) over
// the window from the request_latencies metric: the distributions of every
// point that ends in the window are added bucket by bucket and the quantile
// is interpolated inside its bucket (collect.Distribution.Quantile). Points
// whose bucket layout differs from the first one's are left out. ok is false
// without the metric.
func metricLatencyQuantile(ds *model.Dataset, w analyze.Window, q float64) (float64, bool) {
	if ds == nil {
		return 0, false
	}
	var sum *model.Distribution
	for i := range ds.Metrics {
		s := &ds.Metrics[i]
		if s.Metric != model.MetricRequestLatencies {
			continue
		}
		for _, p := range s.Points {
			if p.Dist == nil || !inWindow(p.End, w) {
				continue
			}
			sum = addDistribution(sum, p.Dist)
		}
	}
	if sum == nil || sum.Count == 0 {
		return 0, false
	}
	v := sum.Quantile(q)
	if math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// addDistribution adds d into sum (a copy is made first); a d with another
// bucket layout is not added.
func addDistribution(sum, d *model.Distribution) *model.Distribution {
	if sum == nil {
		return &model.Distribution{Count: d.Count, Mean: d.Mean, Bounds: d.Bounds, Counts: slices.Clone(d.Counts)}
	}
	if !slices.Equal(sum.Bounds, d.Bounds) || len(sum.Counts) != len(d.Counts) {
		return sum
	}
	if n := sum.Count + d.Count; n > 0 {
		sum.Mean = (sum.Mean*float64(sum.Count) + d.Mean*float64(d.Count)) / float64(n)
	}
	sum.Count += d.Count
	for i, c := range d.Counts {
		sum.Counts[i] += c
	}
	return sum
}

// inWindow is analyze's rule for metric points: the end in (start, end].
func inWindow(end time.Time, w analyze.Window) bool {
	if w.Start.IsZero() && w.End.IsZero() {
		return true
	}
	return end.After(w.Start) && !end.After(w.End)
}
