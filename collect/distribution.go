package collect

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// MaxDistributionBuckets caps the finite buckets of one distribution. Bucket
// options come from files, and a layout like {"numFiniteBuckets": 1000000000}
// would otherwise allocate gigabytes; real Cloud Monitoring layouts have a
// few hundred buckets at most.
const MaxDistributionBuckets = 10000

// DistributionFromWire converts a Monitoring distribution to a Distribution
// with explicit bounds. Exponential layouts give bounds scale*growth^i and
// linear ones offset+width*i, for i in 0..numFiniteBuckets (N+1 bounds, N+2
// buckets); explicit bounds are copied. Missing trailing bucket counts are
// zero; counts beyond the last bucket are dropped (the caller can compare
// len(v.BucketCounts) with len(d.Counts) to warn). Without bucket options the
// single bucket holds Count. Invalid layouts, more than
// MaxDistributionBuckets buckets, negative counts and a non-finite mean are
// errors.
func DistributionFromWire(v *DistributionValue) (*Distribution, error) {
	return distributionFromWire(v, nil)
}

func distributionFromWire(v *DistributionValue, cache *boundsCache) (*Distribution, error) {
	if v == nil {
		return nil, errors.New("no distribution")
	}
	if v.Count < 0 {
		return nil, fmt.Errorf("negative count %d", v.Count)
	}
	if !finite(v.Mean) || !finite(v.SumOfSquaredDeviation) {
		return nil, fmt.Errorf("mean %v or sum of squared deviation %v is not finite", v.Mean, v.SumOfSquaredDeviation)
	}
	bounds, err := cache.get(v.BucketOptions)
	if err != nil {
		return nil, err
	}
	counts, err := explicitCounts(v, len(bounds)+1)
	if err != nil {
		return nil, err
	}
	return &Distribution{Count: int64(v.Count), Mean: v.Mean, SumSq: v.SumOfSquaredDeviation, Bounds: bounds, Counts: counts}, nil
}

// explicitCounts pads or truncates the wire counts to n buckets.
func explicitCounts(v *DistributionValue, n int) ([]int64, error) {
	counts := make([]int64, n)
	if n == 1 && len(v.BucketCounts) == 0 {
		counts[0] = int64(v.Count)
		return counts, nil
	}
	for i, c := range v.BucketCounts[:min(n, len(v.BucketCounts))] {
		if c < 0 {
			return nil, fmt.Errorf("bucket %d: negative count %d", i, c)
		}
		counts[i] = int64(c)
	}
	return counts, nil
}

// bucketBounds makes a layout's finite boundaries explicit. No layout at all
// gives no bounds: one bucket from -inf to +inf.
func bucketBounds(o BucketOptions) ([]float64, error) {
	var b []float64
	var err error
	switch {
	case countLayouts(o) > 1:
		return nil, errors.New("bucket options hold more than one layout")
	case o.ExponentialBuckets != nil:
		b, err = exponentialBounds(o.ExponentialBuckets)
	case o.LinearBuckets != nil:
		b, err = linearBounds(o.LinearBuckets)
	case o.ExplicitBuckets != nil:
		if len(o.ExplicitBuckets.Bounds) > MaxDistributionBuckets+1 {
			return nil, fmt.Errorf("explicit buckets: %d bounds, more than %d", len(o.ExplicitBuckets.Bounds), MaxDistributionBuckets+1)
		}
		b = slices.Clone(o.ExplicitBuckets.Bounds)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return b, checkBounds(b)
}

func countLayouts(o BucketOptions) int {
	n := 0
	for _, set := range []bool{o.ExponentialBuckets != nil, o.LinearBuckets != nil, o.ExplicitBuckets != nil} {
		if set {
			n++
		}
	}
	return n
}

func exponentialBounds(e *ExponentialBuckets) ([]float64, error) {
	if err := checkFiniteBuckets(e.NumFiniteBuckets); err != nil {
		return nil, fmt.Errorf("exponential buckets: %w", err)
	}
	if !finite(e.GrowthFactor) || e.GrowthFactor <= 1 || !finite(e.Scale) || e.Scale <= 0 {
		return nil, fmt.Errorf("exponential buckets: want growthFactor > 1 and scale > 0, got %v and %v", e.GrowthFactor, e.Scale)
	}
	b := make([]float64, e.NumFiniteBuckets+1)
	for i := range b {
		b[i] = e.Scale * math.Pow(e.GrowthFactor, float64(i))
	}
	return b, nil
}

func linearBounds(l *LinearBuckets) ([]float64, error) {
	if err := checkFiniteBuckets(l.NumFiniteBuckets); err != nil {
		return nil, fmt.Errorf("linear buckets: %w", err)
	}
	if !finite(l.Width) || l.Width <= 0 || !finite(l.Offset) {
		return nil, fmt.Errorf("linear buckets: want width > 0 and a finite offset, got %v and %v", l.Width, l.Offset)
	}
	b := make([]float64, l.NumFiniteBuckets+1)
	for i := range b {
		b[i] = l.Offset + l.Width*float64(i)
	}
	return b, nil
}

func checkFiniteBuckets(n int) error {
	if n < 1 || n > MaxDistributionBuckets {
		return fmt.Errorf("numFiniteBuckets %d: want 1 to %d", n, MaxDistributionBuckets)
	}
	return nil
}

// checkBounds requires finite, strictly increasing bounds.
func checkBounds(b []float64) error {
	for i, x := range b {
		if !finite(x) {
			return fmt.Errorf("bound %d is %v", i, x)
		}
		if i > 0 && x <= b[i-1] {
			return fmt.Errorf("bounds not strictly increasing at %d: %v after %v", i, x, b[i-1])
		}
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// boundsCache reuses the bounds of the last layout seen, so the points of a
// series (which share one layout) share one Bounds slice. A nil cache
// computes afresh.
type boundsCache struct {
	opts   BucketOptions
	bounds []float64
	ok     bool
}

func (c *boundsCache) get(o BucketOptions) ([]float64, error) {
	if c == nil {
		return bucketBounds(o)
	}
	if c.ok && sameLayout(c.opts, o) {
		return c.bounds, nil
	}
	b, err := bucketBounds(o)
	if err != nil {
		return nil, err
	}
	c.opts, c.bounds, c.ok = o, b, true
	return b, nil
}

func sameLayout(a, b BucketOptions) bool {
	return eqPtr(a.ExponentialBuckets, b.ExponentialBuckets) && eqPtr(a.LinearBuckets, b.LinearBuckets) &&
		(a.ExplicitBuckets == nil) == (b.ExplicitBuckets == nil) &&
		(a.ExplicitBuckets == nil || slices.Equal(a.ExplicitBuckets.Bounds, b.ExplicitBuckets.Bounds))
}

func eqPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

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

// Wire converts d to the Monitoring wire form with explicit buckets and the
// trailing zero counts trimmed, as the API itself writes them. A
// distribution without bounds has no bucket options and no counts.
func (d *Distribution) Wire() DistributionValue {
	v := DistributionValue{Count: Int64(d.Count), Mean: d.Mean, SumOfSquaredDeviation: d.SumSq}
	if len(d.Bounds) == 0 {
		return v
	}
	v.BucketOptions.ExplicitBuckets = &ExplicitBuckets{Bounds: slices.Clone(d.Bounds)}
	n := len(d.Counts)
	for n > 0 && d.Counts[n-1] == 0 {
		n--
	}
	for _, c := range d.Counts[:n] {
		v.BucketCounts = append(v.BucketCounts, Int64(c))
	}
	return v
}
