package collect

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/runlens/runlens/model"
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
func DistributionFromWire(v *DistributionValue) (*model.Distribution, error) {
	return distributionFromWire(v, nil)
}

func distributionFromWire(v *DistributionValue, cache *boundsCache) (*model.Distribution, error) {
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
	return &model.Distribution{Count: int64(v.Count), Mean: v.Mean, SumSq: v.SumOfSquaredDeviation, Bounds: bounds, Counts: counts}, nil
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

// DistributionWire converts d to the Monitoring wire form with explicit buckets and the
// trailing zero counts trimmed, as the API itself writes them. A
// distribution without bounds has no bucket options and no counts.
func DistributionWire(d *model.Distribution) DistributionValue {
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
