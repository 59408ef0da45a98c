package collect

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/model"
)

func distCounts(c ...int64) []Int64 {
	out := make([]Int64, len(c))
	for i, v := range c {
		out[i] = Int64(v)
	}
	return out
}

func TestDistributionFromWire(t *testing.T) {
	exp := func(n int, g, s float64) BucketOptions {
		return BucketOptions{ExponentialBuckets: &ExponentialBuckets{NumFiniteBuckets: n, GrowthFactor: g, Scale: s}}
	}
	lin := func(n int, w, o float64) BucketOptions {
		return BucketOptions{LinearBuckets: &LinearBuckets{NumFiniteBuckets: n, Width: w, Offset: o}}
	}
	expl := func(b ...float64) BucketOptions { return BucketOptions{ExplicitBuckets: &ExplicitBuckets{Bounds: b}} }
	tests := []struct {
		name string
		in   DistributionValue
		want *model.Distribution
		err  string
	}{
		{"exponential: N+1 bounds, N+2 buckets, trailing zeros padded",
			DistributionValue{Count: 3, Mean: 2.5, SumOfSquaredDeviation: 4.75, BucketOptions: exp(3, 2, 1), BucketCounts: distCounts(0, 1, 2)},
			&model.Distribution{Count: 3, Mean: 2.5, SumSq: 4.75, Bounds: []float64{1, 2, 4, 8}, Counts: []int64{0, 1, 2, 0, 0}}, ""},
		{"exponential with a small scale",
			DistributionValue{Count: 1, BucketOptions: exp(2, 10, 1e-3), BucketCounts: distCounts(0, 0, 0, 1)},
			&model.Distribution{Count: 1, Bounds: []float64{1e-3, 1e-2, 1e-1}, Counts: []int64{0, 0, 0, 1}}, ""},
		{"linear",
			DistributionValue{Count: 2, BucketOptions: lin(2, 5, 10), BucketCounts: distCounts(1, 0, 0, 1)},
			&model.Distribution{Count: 2, Bounds: []float64{10, 15, 20}, Counts: []int64{1, 0, 0, 1}}, ""},
		{"explicit, no counts at all",
			DistributionValue{Count: 0, BucketOptions: expl(0.5, 1)},
			&model.Distribution{Bounds: []float64{0.5, 1}, Counts: []int64{0, 0, 0}}, ""},
		{"more counts than buckets are dropped",
			DistributionValue{Count: 10, BucketOptions: expl(1, 2), BucketCounts: distCounts(1, 2, 3, 4)},
			&model.Distribution{Count: 10, Bounds: []float64{1, 2}, Counts: []int64{1, 2, 3}}, ""},
		{"no bucket options: one bucket holding everything",
			DistributionValue{Count: 4, Mean: 7},
			&model.Distribution{Count: 4, Mean: 7, Counts: []int64{4}}, ""},
		{"bucket cap", DistributionValue{BucketOptions: exp(MaxDistributionBuckets+1, 2, 1)}, nil, "numFiniteBuckets 10001: want 1 to 10000"},
		{"huge linear", DistributionValue{BucketOptions: lin(1_000_000_000, 1, 0)}, nil, "numFiniteBuckets 1000000000"},
		{"explicit over the cap", DistributionValue{BucketOptions: expl(make([]float64, MaxDistributionBuckets+2)...)}, nil, "10002 bounds"},
		{"zero buckets", DistributionValue{BucketOptions: exp(0, 2, 1)}, nil, "numFiniteBuckets 0"},
		{"growth 1", DistributionValue{BucketOptions: exp(3, 1, 1)}, nil, "growthFactor > 1"},
		{"scale 0", DistributionValue{BucketOptions: exp(3, 2, 0)}, nil, "scale > 0"},
		{"exponential overflow", DistributionValue{BucketOptions: exp(5000, 10, 1)}, nil, "bound 309 is +Inf"},
		{"width 0", DistributionValue{BucketOptions: lin(3, 0, 0)}, nil, "width > 0"},
		{"linear lost in rounding", DistributionValue{BucketOptions: lin(3, 1, 1e20)}, nil, "not strictly increasing"},
		{"explicit not increasing", DistributionValue{BucketOptions: expl(1, 1)}, nil, "not strictly increasing at 1"},
		{"explicit NaN", DistributionValue{BucketOptions: expl(math.NaN())}, nil, "bound 0 is NaN"},
		{"two layouts", DistributionValue{BucketOptions: BucketOptions{LinearBuckets: lin(1, 1, 0).LinearBuckets, ExplicitBuckets: &ExplicitBuckets{Bounds: []float64{1}}}}, nil, "more than one layout"},
		{"negative count", DistributionValue{Count: -1}, nil, "negative count -1"},
		{"negative bucket", DistributionValue{Count: 1, BucketOptions: expl(1), BucketCounts: distCounts(0, -3)}, nil, "bucket 1: negative count -3"},
		{"NaN mean", DistributionValue{Count: 1, Mean: math.NaN()}, nil, "not finite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DistributionFromWire(&tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := DistributionFromWire(nil); err == nil {
		t.Error("nil: no error")
	}
}

func TestDistributionFromWireCopiesBounds(t *testing.T) {
	bounds := []float64{1, 2}
	d, err := DistributionFromWire(&DistributionValue{BucketOptions: BucketOptions{ExplicitBuckets: &ExplicitBuckets{Bounds: bounds}}})
	if err != nil {
		t.Fatal(err)
	}
	bounds[0] = 99
	if d.Bounds[0] != 1 {
		t.Error("Bounds alias the wire slice")
	}
}

func TestDistributionQuantile(t *testing.T) {
	// Buckets: (-inf,0) 0, [0,10) 4, [10,20) 6, [20,+inf) 0; N = 10.
	d := &model.Distribution{Count: 10, Mean: 11, Bounds: []float64{0, 10, 20}, Counts: []int64{0, 4, 6, 0}}
	tail := &model.Distribution{Count: 4, Bounds: []float64{1, 2}, Counts: []int64{1, 2, 1}}
	tests := []struct {
		name string
		d    *model.Distribution
		q    float64
		want float64
	}{
		{"q=0 is the bottom of the first non-empty bucket", d, 0, 0},
		{"rank 2 of 4 in [0,10)", d, 0.2, 5},
		{"rank 4 ends the first bucket", d, 0.4, 10},
		{"median: rank 5, 1 of 6 into [10,20)", d, 0.5, 10 + 10.0/6},
		{"p95: rank 9.5, 5.5 of 6", d, 0.95, 10 + 10*5.5/6},
		{"q=1 is the top of the last non-empty bucket", d, 1, 20},
		{"underflow bucket returns Bounds[0]", tail, 0.1, 1},
		{"rank 2 of 4: the middle of [1,2)", tail, 0.5, 1.5},
		{"overflow bucket returns the last bound", tail, 0.99, 2},
		{"no bounds: the mean", &model.Distribution{Count: 3, Mean: 4.5, Counts: []int64{3}}, 0.5, 4.5},
		{"empty buckets with a count: the mean", &model.Distribution{Count: 3, Mean: 4.5, Bounds: []float64{1}, Counts: []int64{0, 0}}, 0.9, 4.5},
		{"no data", &model.Distribution{Bounds: []float64{1}, Counts: []int64{0, 0}}, 0.5, math.NaN()},
		{"q above 1", d, 1.5, math.NaN()},
		{"q NaN", d, math.NaN(), math.NaN()},
		{"counts of the wrong length", &model.Distribution{Count: 2, Mean: 3, Bounds: []float64{1, 2}, Counts: []int64{2}}, 0.5, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.d.Quantile(tt.q)
			if math.IsNaN(tt.want) && !math.IsNaN(got) || !math.IsNaN(tt.want) && math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Quantile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestDistributionMerge(t *testing.T) {
	bounds := []float64{0, 2, 4}
	// Values 1, 1 and 3, 3: merged mean 2, squared deviations 4 * 1 = 4.
	a := model.Distribution{Count: 2, Mean: 1, Bounds: bounds, Counts: []int64{0, 2, 0, 0}}
	b := &model.Distribution{Count: 2, Mean: 3, Bounds: []float64{0, 2, 4}, Counts: []int64{0, 0, 2, 0}}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	want := model.Distribution{Count: 4, Mean: 2, SumSq: 4, Bounds: bounds, Counts: []int64{0, 2, 2, 0}}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("merge (-want +got):\n%s", diff)
	}
	// Values 1, 2, 3 (mean 2, ssd 2) and 5 (mean 5, ssd 0): mean 2.75, ssd 2 + 9*3*1/4 = 8.75.
	c := model.Distribution{Count: 3, Mean: 2, SumSq: 2, Bounds: bounds, Counts: []int64{0, 1, 2, 0}}
	if err := c.Merge(&model.Distribution{Count: 1, Mean: 5, Bounds: bounds, Counts: []int64{0, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if c.Mean != 2.75 || c.SumSq != 8.75 || c.Count != 4 {
		t.Errorf("merged count %d mean %v ssd %v, want 4, 2.75, 8.75", c.Count, c.Mean, c.SumSq)
	}

	var acc model.Distribution
	if err := acc.Merge(b); err != nil {
		t.Fatal(err)
	}
	if err := acc.Merge(b); err != nil {
		t.Fatal(err)
	}
	if acc.Count != 4 || acc.Mean != 3 || acc.Counts[2] != 4 || b.Counts[2] != 2 {
		t.Errorf("zero value accumulated %+v; source counts %v must stay unchanged", acc, b.Counts)
	}
	if err := a.Merge(&model.Distribution{Count: 1, Bounds: []float64{0, 2, 5}, Counts: []int64{0, 1, 0, 0}}); err == nil ||
		!strings.Contains(err.Error(), "bounds differ") {
		t.Errorf("different bounds: err = %v", err)
	}
	if err := a.Merge(nil); err != nil {
		t.Errorf("nil: %v", err)
	}
}

func TestDistributionWire(t *testing.T) {
	d := &model.Distribution{Count: 3, Mean: 2.5, SumSq: 1.5, Bounds: []float64{1, 2, 4}, Counts: []int64{0, 2, 1, 0}}
	want := DistributionValue{Count: 3, Mean: 2.5, SumOfSquaredDeviation: 1.5,
		BucketOptions: BucketOptions{ExplicitBuckets: &ExplicitBuckets{Bounds: []float64{1, 2, 4}}},
		BucketCounts:  distCounts(0, 2, 1)}
	got := DistributionWire(d)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("wire (-want +got):\n%s", diff)
	}
	back, err := DistributionFromWire(&got)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(DistributionValue{Count: 2, Mean: 1}, DistributionWire(&model.Distribution{Count: 2, Mean: 1, Counts: []int64{2}})); diff != "" {
		t.Errorf("no bounds (-want +got):\n%s", diff)
	}
	empty := DistributionWire(&model.Distribution{Bounds: []float64{1}, Counts: []int64{0, 0}})
	if empty.BucketCounts != nil || empty.BucketOptions.ExplicitBuckets == nil {
		t.Errorf("all-zero counts: %+v, want bounds and no counts", empty)
	}
}
