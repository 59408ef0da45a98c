package collect

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/runlens/runlens/model"
)

// tsFuzzSeeds are edge cases beside the files of testdata/timeseries.
var tsFuzzSeeds = []string{
	`{"timeSeries":[{"metric":{"type":"m"},"points":[{"interval":{"endTime":"2025-01-01T00:00:00Z"},"value":{"distributionValue":{"count":"1","bucketOptions":{"exponentialBuckets":{"numFiniteBuckets":1000000000,"growthFactor":2,"scale":1}}}}}]}]}`,
	`{"timeSeries":[{"metric":{"type":"m"},"points":[{"interval":{"endTime":"2025-01-01T00:00:00Z"},"value":{"distributionValue":{"count":"1","bucketOptions":{"linearBuckets":{"numFiniteBuckets":9999,"width":1e-300,"offset":1e300}}}}}]}]}`,
	`{"timeSeries":[{"metric":{"type":"m"},"points":[{"interval":{"endTime":"2025-01-01T00:00:00Z"},"value":{"distributionValue":{"count":"-5","bucketCounts":["-1"]}}}]}]}`,
	`{"timeSeries":[{"metric":{"type":"m"},"points":[{"interval":{"endTime":"2025-01-01T00:00:00Z"},"value":{"doubleValue":"NaN"}},{"interval":{"endTime":"2025-01-01T00:00:00Z"},"value":{"distributionValue":{"mean":"NaN"}}}]}]}`,
	`{"timeSeries":[{"metric":{"type":"m"},"points":[{"interval":{"startTime":"{{request.query.[interval.startTime]}}","endTime":"2033-05-02T12:14:12Z"},"value":{"int64Value":"9223372036854775807"}}]}]}`,
	`{"timeSeries":[{"metric":{"type":"m"},"points":[{"interval":{"endTime":"2025-01-01T00:00:00.123456789+23:59"},"value":{"boolValue":true}}]}]}`,
	`[{"metric":{"type":"m","labels":{"id":1e999}},"resource":{"labels":null},"points":null}]`,
	`{"timeSeries":[]}{"timeSeries":[{}]}` + "\n" + `{"unit":"1"}`,
	`{"timeSeries":[{"metric":{"type":"m"},"points":[{"interval":{"endTime":"2025-01-01T00:00:00Z"},"value":{"distributionValue":{"count":"3","bucketOptions":{"explicitBuckets":{"bounds":[3,2,1]}},"bucketCounts":["1","1","1","1","1","1"]}}}]}]}`,
	"[", "{", "null", "42", `"x"`, "",
}

func FuzzReadTimeSeries(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "timeseries", "*"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range tsFuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ds := &model.Dataset{}
		n, err := ReadTimeSeries("fuzz.json", bytes.NewReader(data), ds)
		if err != nil {
			if len(ds.Metrics)+len(ds.Sources)+len(ds.Warnings) != 0 {
				t.Fatalf("error %v, yet the dataset changed", err)
			}
			return
		}
		if n != len(ds.Metrics) || len(ds.Sources) != 1 || ds.Sources[0].Items != n {
			t.Fatalf("returned %d, %d series, sources %+v", n, len(ds.Metrics), ds.Sources)
		}
		for _, s := range ds.Metrics {
			checkFuzzSeries(t, s)
		}
	})
}

// checkFuzzSeries asserts the invariants every series read must hold.
func checkFuzzSeries(t *testing.T, s model.Series) {
	for i, p := range s.Points {
		if i > 0 && p.End.Before(s.Points[i-1].End) {
			t.Fatalf("%s: points out of order at %d", s.Metric, i)
		}
		if p.Start.After(p.End) || p.End.Location() != time.UTC {
			t.Fatalf("%s: point %d interval %v..%v", s.Metric, i, p.Start, p.End)
		}
		if math.IsNaN(p.Double) || math.IsInf(p.Double, 0) {
			t.Fatalf("%s: point %d double %v", s.Metric, i, p.Double)
		}
		if d := p.Dist; d != nil {
			checkFuzzDistribution(t, d)
		}
	}
}

func checkFuzzDistribution(t *testing.T, d *model.Distribution) {
	if len(d.Counts) != len(d.Bounds)+1 || len(d.Bounds) > MaxDistributionBuckets+1 {
		t.Fatalf("%d bounds, %d counts", len(d.Bounds), len(d.Counts))
	}
	if d.Count < 0 || !finite(d.Mean) || !finite(d.SumSq) {
		t.Fatalf("count %d mean %v ssd %v", d.Count, d.Mean, d.SumSq)
	}
	for i, c := range d.Counts {
		if c < 0 {
			t.Fatalf("bucket %d count %d", i, c)
		}
	}
	if err := checkBounds(d.Bounds); err != nil {
		t.Fatal(err)
	}
}

func FuzzDistributionQuantile(f *testing.F) {
	f.Add(uint8(3), 1.0, 2.0, []byte{0, 1, 2, 0, 0}, 0.5)
	f.Add(uint8(1), 0.0, 10.0, []byte{4, 6}, 0.99)
	f.Add(uint8(0), 1e-6, 2.0, []byte{}, 0.0)
	f.Add(uint8(29), 1e-6, 2.0, []byte{0, 0, 0, 65, 255, 170, 5, 0, 2, 35, 64}, 1.0)
	f.Fuzz(func(t *testing.T, n uint8, scale, growth float64, counts []byte, q float64) {
		wire := DistributionValue{BucketOptions: BucketOptions{ExponentialBuckets: &ExponentialBuckets{
			NumFiniteBuckets: int(n), GrowthFactor: growth, Scale: scale}}}
		for _, c := range counts {
			wire.BucketCounts = append(wire.BucketCounts, Int64(c))
			wire.Count += Int64(c)
		}
		d, err := DistributionFromWire(&wire)
		if err != nil {
			return
		}
		got := d.Quantile(q)
		if q < 0 || q > 1 || math.IsNaN(q) || positiveCounts(d) == 0 {
			if !math.IsNaN(got) && got != d.Mean {
				t.Fatalf("Quantile(%v) = %v with no data or q out of range", q, got)
			}
			return
		}
		lo, hi := d.Bounds[0], d.Bounds[len(d.Bounds)-1]
		if math.IsNaN(got) || got < lo || got > hi {
			t.Fatalf("Quantile(%v) = %v outside [%v, %v]", q, got, lo, hi)
		}
		if q2 := math.Min(1, q+0.1); d.Quantile(q2) < got {
			t.Fatalf("not monotone: Quantile(%v) = %v < Quantile(%v) = %v", q2, d.Quantile(q2), q, got)
		}
		var le int64
		for _, w := range DistributionWire(d).BucketCounts {
			le += int64(w)
		}
		if le != positiveCounts(d) {
			t.Fatalf("Wire lost counts: %d, want %d", le, positiveCounts(d))
		}
	})
}

// positiveCounts is the sum of a distribution's positive bucket counts.
func positiveCounts(d *model.Distribution) int64 {
	var n int64
	for _, c := range d.Counts {
		n += max(c, 0)
	}
	return n
}
