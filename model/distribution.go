package model

import (
	"fmt"
	"math"
	"slices"
)

// Quantile estimates the q-quantile (q in [0, 1]) from the buckets: it finds
// the bucket that holds rank q*N, where N is the sum of the bucket counts,
// and interpolates linearly between that bucket's bounds by the rank's
// position inside the bucket. A rank in the underflow bucket returns
// Bounds[0] and one in the overflow bucket returns the last bound, since
// those buckets have no finite edge on one side. With no bounds, or buckets
// that hold nothing while Count > 0, it returns Mean; with no data at all,
// or q outside [0, 1], NaN.
func (d *Distribution) Quantile(q float64) float64 {
	if math.IsNaN(q) || q < 0 || q > 1 {
		return math.NaN()
	}
	total := d.bucketTotal()
	if len(d.Bounds) == 0 || total == 0 || len(d.Counts) != len(d.Bounds)+1 {
		if d.Count > 0 {
			return d.Mean
		}
		return math.NaN()
	}
	rank := q * float64(total)
	var cum float64
	for i, c := range d.Counts {
		if c <= 0 {
			continue
		}
		if cum+float64(c) >= rank || i == len(d.Counts)-1 {
			return d.interpolate(i, (rank-cum)/float64(c))
		}
		cum += float64(c)
	}
	return d.Bounds[len(d.Bounds)-1]
}

// interpolate returns the value at fraction f of bucket i.
func (d *Distribution) interpolate(i int, f float64) float64 {
	switch {
	case i == 0:
		return d.Bounds[0]
	case i == len(d.Counts)-1:
		return d.Bounds[len(d.Bounds)-1]
	}
	lo, hi := d.Bounds[i-1], d.Bounds[i]
	return min(max(lo+f*(hi-lo), lo), hi) // clamped: rounding must not leave the bucket
}

func (d *Distribution) bucketTotal() int64 {
	var n int64
	for _, c := range d.Counts {
		if c > 0 {
			n += c
		}
	}
	return n
}

// Merge adds o into d: counts, bucket counts, the mean and the sum of
// squared deviations (combined exactly, as for two samples). Both must have
// the same bounds. Merging into a zero Distribution copies o, so a zero
// value can accumulate. Bounds are never modified and may be shared.
func (d *Distribution) Merge(o *Distribution) error {
	if o == nil {
		return nil
	}
	if d.Count == 0 && len(d.Counts) == 0 && len(d.Bounds) == 0 {
		*d = Distribution{Count: o.Count, Mean: o.Mean, SumSq: o.SumSq, Bounds: o.Bounds, Counts: slices.Clone(o.Counts)}
		return nil
	}
	if !slices.Equal(d.Bounds, o.Bounds) || len(d.Counts) != len(o.Counts) {
		return fmt.Errorf("merging distributions: bounds differ (%d and %d bounds)", len(d.Bounds), len(o.Bounds))
	}
	if n := d.Count + o.Count; n > 0 {
		delta := o.Mean - d.Mean
		d.SumSq += o.SumSq + delta*delta*float64(d.Count)*float64(o.Count)/float64(n)
		d.Mean += delta * float64(o.Count) / float64(n)
		d.Count = n
	}
	for i, c := range o.Counts {
		d.Counts[i] += c
	}
	return nil
}
