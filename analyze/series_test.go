package analyze

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/model"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/sim/large"
)

func TestSeriesStep(t *testing.T) {
	for _, tc := range []struct {
		span time.Duration
		want time.Duration
	}{
		{0, time.Second},
		{30 * time.Minute, time.Second},
		{time.Hour, time.Second},
		{time.Hour + time.Second, 2 * time.Second},
		{2 * time.Hour, 2 * time.Second},
		{24 * time.Hour, 30 * time.Second}, // 2,880 points; at 20 s, 4,320
		{48 * time.Hour, time.Minute},
		{10 * 24 * time.Hour, 5 * time.Minute},
		{365 * 24 * time.Hour, time.Hour},
	} {
		t.Run(tc.span.String(), func(t *testing.T) {
			if got := SeriesStep(model.Window{Start: t0, End: t0.Add(tc.span)}); got != tc.want {
				t.Errorf("SeriesStep(%v) = %v, want %v", tc.span, got, tc.want)
			}
		})
	}
}

// stepRequests groups requests by the step their arrival falls in, with
// the latencies sorted.
func stepRequests(reqs []model.Request, step time.Duration) map[int64][]time.Duration {
	out := map[int64][]time.Duration{}
	s := int64(step / time.Second)
	for _, r := range reqs {
		k := r.Time.Unix() / s * s
		out[k] = append(out[k], r.Latency)
	}
	for _, lat := range out {
		slices.Sort(lat)
	}
	return out
}

// checkServerSeries checks what both paths promise of series.server:
// points at multiples of the step, in order, no more than 3,600, counts
// adding up to each step's requests and errors.
func checkServerSeries(t *testing.T, rpt *Report, reqs []model.Request, step time.Duration) {
	t.Helper()
	s := rpt.Series
	if s.ServerStepS != step.Seconds() {
		t.Fatalf("server_step_s = %v, want %v", s.ServerStepS, step.Seconds())
	}
	if n := len(s.Server); n == 0 || n > maxServerPoints {
		t.Fatalf("%d server points, want 1 to %d", n, maxServerPoints)
	}
	byStep := stepRequests(reqs, step)
	var total, errors int64
	for i, p := range s.Server {
		if p.Time.Unix()%int64(step/time.Second) != 0 || p.Time.Nanosecond() != 0 {
			t.Errorf("point %d at %v: not a multiple of %v", i, p.Time, step)
		}
		if i > 0 && !p.Time.After(s.Server[i-1].Time) {
			t.Errorf("point %d at %v: not after %v", i, p.Time, s.Server[i-1].Time)
		}
		if n := int64(len(byStep[p.Time.Unix()])); p.Requests != n {
			t.Errorf("point %v: %d requests, want %d", p.Time, p.Requests, n)
		}
		total += p.Requests
		errors += p.Errors
	}
	var wantErrors int64
	for _, r := range reqs {
		if r.Status >= 500 || r.Status == 0 {
			wantErrors++
		}
	}
	if total != int64(len(reqs)) || errors != wantErrors {
		t.Errorf("series adds up to %d requests and %d errors, want %d and %d", total, errors, len(reqs), wantErrors)
	}
}

// TestServerSeriesStep is the kept-requests path over 2 h: 2 s steps whose
// percentiles are the exact nearest rank of the step's requests.
func TestServerSeriesStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 7))
	var reqs []model.Request
	for i := range 20000 {
		arrive := time.Duration(rng.Int64N(int64(7190 * time.Second)))
		if i == 0 {
			arrive = 0 // the window spans more than an hour
		}
		r := req("0s", time.Duration(1+rng.IntN(2000))*time.Millisecond, "i1", "GET", "/")
		r.Time = t0.Add(arrive)
		if rng.IntN(50) == 0 {
			r.Status = 503
		}
		reqs = append(reqs, r)
	}
	rpt := Run(&model.Dataset{Requests: reqs}, Options{})
	step := 2 * time.Second
	checkServerSeries(t, rpt, reqs, step)

	byStep := stepRequests(reqs, step)
	for _, p := range rpt.Series.Server {
		lat := byStep[p.Time.Unix()]
		want := [3]float64{ms(summary.NearestRank(lat, 50)), ms(summary.NearestRank(lat, 95)), ms(summary.NearestRank(lat, 99))}
		if got := [3]float64{p.P50MS, p.P95MS, p.P99MS}; got != want {
			t.Errorf("point %v: p50/p95/p99 %v, want %v", p.Time, got, want)
		}
	}
}

// TestServerSeriesStepLarge reads three days of logs into a summary: 2 min
// steps whose p50 is the nearest rank (within DDSketch's 1 % where a step
// is sketched).
func TestServerSeriesStepLarge(t *testing.T) {
	var b bytes.Buffer
	if err := large.Write(&b, large.Options{Requests: 30000, Seed: 11, Span: 72 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	exact, acc := &model.Dataset{}, &model.Dataset{Sink: summary.New()}
	for _, ds := range []*model.Dataset{exact, acc} {
		if _, err := collect.ReadLogs("big.ndjson", bytes.NewReader(b.Bytes()), ds); err != nil {
			t.Fatal(err)
		}
	}
	if len(acc.Requests) != 0 || acc.SunkRequests != 30000 || len(exact.Requests) != 30000 {
		t.Fatalf("sunk %d and kept %d, kept %d: want 30000 sunk, 30000 kept", acc.SunkRequests, len(acc.Requests), len(exact.Requests))
	}
	rpt := Run(acc, Options{})
	if span := rpt.Window.End.Sub(rpt.Window.Start); span <= 24*time.Hour {
		t.Fatalf("window spans %v, want more than a day", span)
	}
	step := 2 * time.Minute
	checkServerSeries(t, rpt, exact.Requests, step)

	byStep := stepRequests(exact.Requests, step)
	for _, p := range rpt.Series.Server {
		want := ms(summary.NearestRank(byStep[p.Time.Unix()], 50))
		if math.Abs(p.P50MS-want) > 0.01*want+1e-9 {
			t.Errorf("point %v: p50 %v, want %v within 1 %%", p.Time, p.P50MS, want)
		}
	}
}

// TestSeriesIntervals says in the report how long an interval each
// metric point and each status-class point covers: a metric's own
// interval (its points stamped at the end), a minute for gauges alone;
// the request_count metric's interval, or 10 s from the request logs.
func TestSeriesIntervals(t *testing.T) {
	delta := func(metric string, d time.Duration) model.Series {
		return model.Series{Metric: metric, MetricKind: "DELTA", ValueType: "INT64",
			Points: []model.Point{{Start: t0, End: t0.Add(d), Int: 1}, {Start: t0.Add(d), End: t0.Add(2 * d), Int: 2}}}
	}
	gauge := model.Series{Metric: model.MetricInstanceCount, MetricKind: "GAUGE", ValueType: "INT64",
		Points: []model.Point{{Start: t0, End: t0, Int: 1}, {Start: t0.Add(time.Minute), End: t0.Add(time.Minute), Int: 2}}}
	for _, tc := range []struct {
		name           string
		metrics        []model.Series
		metric, status time.Duration
	}{
		{"no metrics", nil, time.Minute, 10 * time.Second},
		{"gauges only", []model.Series{gauge}, time.Minute, 10 * time.Second},
		{"Cloud Run's minutes", []model.Series{gauge, delta(model.MetricBillableTime, time.Minute), delta(model.MetricRequestCount, time.Minute)},
			time.Minute, time.Minute},
		{"five-minute intervals", []model.Series{delta(model.MetricCPUUtilizations, 5*time.Minute), delta(model.MetricRequestCount, 5*time.Minute)},
			5 * time.Minute, 5 * time.Minute},
	} {
		ds := &model.Dataset{Metrics: tc.metrics}
		if got := metricStep(ds, chartedMetrics...); got != tc.metric {
			t.Errorf("%s: metric step %v, want %v", tc.name, got, tc.metric)
		}
		if got := statusStep(ds); got != tc.status {
			t.Errorf("%s: status step %v, want %v", tc.name, got, tc.status)
		}
	}
}
