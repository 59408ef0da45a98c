package analyze

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/model"
)

// clientSeries is the client's aggregate timeline moved onto server time.
func clientSeries(c *model.ClientRun, offset time.Duration) []ClientPoint {
	out := []ClientPoint{}
	if c == nil {
		return out
	}
	for _, h := range c.History {
		if h.Name != "Aggregated" && h.Name != "Total" && h.Name != "" {
			continue
		}
		p := ClientPoint{Time: h.Time.Add(-offset), Users: h.Users, RequestsPerSec: h.RPS, FailuresPerSec: h.FailuresPerSec}
		if len(h.Percentiles) > 0 {
			p.HasPercentiles = true
			p.P50MS, p.P95MS, p.P99MS = quantileOf(h.Percentiles, 0.50), quantileOf(h.Percentiles, 0.95), quantileOf(h.Percentiles, 0.99)
		}
		out = append(out, p)
	}
	return out
}

func quantileOf(ps []model.Percentile, q float64) float64 {
	for _, p := range ps {
		if p.Q == q {
			return ms(p.Value)
		}
	}
	return 0
}

// maxServerPoints bounds series.server: the step grows with the window so
// that a day of traffic is 2,880 points rather than 86,400.
const maxServerPoints = 3600

// seriesSteps are the steps series.server may take, smallest first.
var seriesSteps = []time.Duration{
	1 * time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second,
	30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour,
}

// SeriesStep is the step of series.server for a window: the smallest of 1,
// 2, 5, 10, 15, 20 and 30 s and 1, 2, 5, 10, 15 and 30 min that splits the
// window into at most 3,600 steps, else an hour.
func SeriesStep(w model.Window) time.Duration {
	span := w.End.Sub(w.Start)
	for _, step := range seriesSteps {
		if span <= maxServerPoints*step {
			return step
		}
	}
	return seriesSteps[len(seriesSteps)-1]
}

// serverStep is the step of series.server: SeriesStep of the window, made
// a multiple of the summary's latency intervals so that each step's
// percentiles are those of exactly its requests.
func serverStep(w model.Window, s *summary.Summary) time.Duration {
	step := SeriesStep(w)
	width := s.IntervalWidth()
	for _, st := range seriesSteps {
		if st >= step && st%width == 0 {
			return st
		}
	}
	return max(width, step)
}

// serverSeries is request counts and latency percentiles per step: counts
// from the per-second ones, percentiles from the step's intervals merged
// (exact while the step has at most 1,000 requests, else within 1 %).
// Every step of the window, and of the requests' span, has a point: those
// without requests count zero, and have no percentiles.
func serverSeries(s *summary.Summary, step time.Duration, w model.Window) []ServerPoint {
	size := max(int64(step/time.Second), 1)
	var counts []ServerPoint
	s.Arrivals().Each(func(sec int64, n uint64) {
		t := summary.FloorDiv(sec, size) * size
		if len(counts) == 0 || counts[len(counts)-1].Time.Unix() != t {
			counts = append(counts, ServerPoint{Time: time.Unix(t, 0).UTC()})
		}
		p := &counts[len(counts)-1]
		p.Requests += int64(n)
		p.Errors += int64(s.Errors().Get(sec))
	})
	out := zeroFilled(counts, size, w)
	for i := range out {
		p := &out[i]
		if p.Requests == 0 {
			continue
		}
		q := s.LatencyBetween(p.Time.Unix(), p.Time.Unix()+size)
		p.P50MS, p.P95MS, p.P99MS, p.Sketched = q.QuantileMS(50), q.QuantileMS(95), q.QuantileMS(99), q.Sketched()
	}
	return out
}

// maxEndpointLines is how many endpoints get a latency series.
const maxEndpointLines = 5

// endpointSeries is the latency per interval of the busiest endpoints,
// from the first interval with a request of theirs to the last, those
// without requests counting zero.
func endpointSeries(s *summary.Summary) []EndpointSeries {
	eps := make([]*summary.Endpoint, 0, len(s.Endpoints()))
	for _, e := range s.Endpoints() {
		eps = append(eps, e)
	}
	slices.SortFunc(eps, func(a, b *summary.Endpoint) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key.Path, b.Key.Path), cmp.Compare(a.Key.Method, b.Key.Method))
	})
	width := s.EndpointIntervalWidth()
	out := []EndpointSeries{}
	for _, e := range eps[:min(len(eps), maxEndpointLines)] {
		if len(e.Intervals) == 0 {
			continue
		}
		keys := slices.Sorted(maps.Keys(e.Intervals))
		es := EndpointSeries{Endpoint: e.Key.String(), Points: []EndpointPoint{}}
		for k := keys[0]; k <= keys[len(keys)-1]; k++ {
			p := EndpointPoint{Time: time.Unix(0, k*int64(width)).UTC()}
			if q := e.Intervals[k]; q != nil && q.Count() > 0 {
				p.Requests, p.P50MS, p.P95MS, p.Sketched = q.Count(), q.QuantileMS(50), q.QuantileMS(95), q.Sketched()
			}
			es.Points = append(es.Points, p)
		}
		out = append(out, es)
	}
	return out
}

// zeroFilled adds a point of no requests for every step without one,
// from the first step of the window or of the points, whichever is
// earlier, to the last. Where points lie far outside the window (more
// than maxServerPoints steps), only the window's steps are filled.
func zeroFilled(ps []ServerPoint, size int64, w model.Window) []ServerPoint {
	from, to := int64(math.MaxInt64), int64(math.MinInt64)
	if !w.IsZero() {
		from, to = summary.FloorDiv(w.Start.Unix(), size)*size, summary.FloorDiv(w.End.Unix(), size)*size
	}
	if len(ps) > 0 {
		lo, hi := ps[0].Time.Unix(), ps[len(ps)-1].Time.Unix()
		if w.IsZero() || (min(from, lo) >= from-maxServerPoints*size && max(to, hi) <= to+maxServerPoints*size) {
			from, to = min(from, lo), max(to, hi)
		}
	}
	if from > to {
		return ps
	}
	out := make([]ServerPoint, 0, len(ps)+int((to-from)/size)+1)
	i := 0
	for t := from; t <= to || i < len(ps); {
		switch {
		case i < len(ps) && ps[i].Time.Unix() < t:
			out = append(out, ps[i]) // outside the filled steps
			i++
		case i < len(ps) && ps[i].Time.Unix() == t:
			out = append(out, ps[i])
			i++
			t += size
		case t <= to:
			out = append(out, ServerPoint{Time: time.Unix(t, 0).UTC()})
			t += size
		default:
			out = append(out, ps[i])
			i++
		}
	}
	return out
}

// instanceSeries sums instance_count by state at each sample.
func instanceSeries(ds *model.Dataset, w model.Window) []InstancePoint {
	byTime := map[time.Time]*InstancePoint{}
	for _, s := range series(ds, model.MetricInstanceCount) {
		for _, p := range s.Points {
			if !inWindow(p, w) {
				continue
			}
			ip := byTime[p.End]
			if ip == nil {
				ip = &InstancePoint{Time: p.End}
				byTime[p.End] = ip
			}
			if label(s, "state") == "idle" {
				ip.Idle += pointScalar(s, p)
			} else {
				ip.Active += pointScalar(s, p)
			}
		}
	}
	out := make([]InstancePoint, 0, len(byTime))
	for _, t := range slices.SortedFunc(maps.Keys(byTime), time.Time.Compare) {
		out = append(out, *byTime[t])
	}
	return out
}

// valueSeries sums a scalar metric across series at each sample.
func valueSeries(ss []*model.Series, w model.Window) []ValuePoint {
	byTime := map[time.Time]float64{}
	for _, s := range ss {
		for _, p := range s.Points {
			if inWindow(p, w) {
				byTime[p.End] += pointScalar(s, p)
			}
		}
	}
	out := make([]ValuePoint, 0, len(byTime))
	for _, t := range slices.SortedFunc(maps.Keys(byTime), time.Time.Compare) {
		out = append(out, ValuePoint{Time: t, Value: byTime[t]})
	}
	return out
}

// chartedMetrics are the metrics of Series.MetricStepS.
var chartedMetrics = []string{model.MetricInstanceCount, model.MetricBillableTime, model.MetricCPUUtilizations,
	model.MetricMemoryUtilizations, model.MetricGPUUtilizations, model.MetricGPUMemoryUtilizations}

// metricStep is the interval the points of the given metrics cover: the
// shortest of their points' (end minus start), else Cloud Run's sampling
// period, a minute (a gauge's points are instants).
func metricStep(ds *model.Dataset, metrics ...string) time.Duration {
	step := time.Duration(0)
	for _, m := range metrics {
		for _, s := range series(ds, m) {
			for _, p := range s.Points {
				if d := p.End.Sub(p.Start); !p.Start.IsZero() && d > 0 && (step == 0 || d < step) {
					step = d
				}
			}
		}
	}
	if step == 0 {
		return time.Minute
	}
	return step
}

// statusLogStep is the step of the status classes counted from the
// request logs.
const statusLogStep = 10 * time.Second

// statusStep is the interval of a point of statusSeries: the
// request_count metric's, or statusLogStep without the metric.
func statusStep(ds *model.Dataset) time.Duration {
	if len(series(ds, model.MetricRequestCount)) > 0 {
		return metricStep(ds, model.MetricRequestCount)
	}
	return statusLogStep
}

// statusSeries is request counts by status class: from the request_count
// metric where given, else from the request logs in 10 s steps.
func statusSeries(ds *model.Dataset, s *summary.Summary, w model.Window) []StatusPoint {
	byTime := map[time.Time]*StatusPoint{}
	at := func(t time.Time) *StatusPoint {
		sp := byTime[t]
		if sp == nil {
			sp = &StatusPoint{Time: t}
			byTime[t] = sp
		}
		return sp
	}
	if ss := series(ds, model.MetricRequestCount); len(ss) > 0 {
		for _, s := range ss {
			for _, p := range s.Points {
				if inWindow(p, w) {
					t := p.End
					if p.Start.Before(p.End) {
						t = p.Start // a count over an interval: drawn from its start
					}
					addClass(at(t), label(s, "response_code_class"), pointScalar(s, p))
				}
			}
		}
	} else {
		return statusFromLog(s)
	}
	out := make([]StatusPoint, 0, len(byTime))
	for _, t := range slices.SortedFunc(maps.Keys(byTime), time.Time.Compare) {
		out = append(out, *byTime[t])
	}
	return out
}

// statusFromLog is the status classes per statusLogStep counted from the
// request log: the four classes' counts, each in step order, merged.
func statusFromLog(s *summary.Summary) []StatusPoint {
	type count struct {
		step int64
		n    uint64
	}
	var classes [4][]count
	for class := range classes {
		s.StatusPer10s(class).Each(func(b int64, n uint64) { classes[class] = append(classes[class], count{b, n}) })
	}
	out := []StatusPoint{}
	var next [4]int
	for {
		step := int64(math.MaxInt64)
		for c, cs := range classes {
			if next[c] < len(cs) {
				step = min(step, cs[next[c]].step)
			}
		}
		if step == math.MaxInt64 {
			return out
		}
		sp := StatusPoint{Time: time.Unix(step*int64(statusLogStep/time.Second), 0).UTC()}
		for c, cs := range classes {
			if next[c] < len(cs) && cs[next[c]].step == step {
				addClass(&sp, [...]string{"2xx", "3xx", "4xx", "5xx"}[c], float64(cs[next[c]].n))
				next[c]++
			}
		}
		out = append(out, sp)
	}
}

func statusClass(status int) string {
	switch status / 100 {
	case 2:
		return "2xx"
	case 3:
		return "3xx"
	case 4:
		return "4xx"
	}
	return "5xx" // 5xx, and 0: no response
}

func addClass(sp *StatusPoint, class string, n float64) {
	switch class {
	case "2xx":
		sp.C2xx += n
	case "3xx":
		sp.C3xx += n
	case "4xx":
		sp.C4xx += n
	default:
		sp.C5xx += n
	}
}

// startupSeries is startup latency per cold start from the system logs, or
// the startup_latencies metric's mean per sample where the logs have none.
func startupSeries(ds *model.Dataset, cs ColdStarts, w model.Window) []ValuePoint {
	out := []ValuePoint{}
	for _, c := range cs.Instances {
		if c.StartupMS >= 0 {
			out = append(out, ValuePoint{Time: c.StartedAt, Value: c.StartupMS, Label: c.InstanceID})
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, s := range series(ds, model.MetricStartupLatencies) {
		for _, p := range s.Points {
			if p.Dist != nil && p.Dist.Count > 0 && inWindow(p, w) {
				out = append(out, ValuePoint{Time: p.End, Value: p.Dist.Mean})
			}
		}
	}
	slices.SortFunc(out, func(a, b ValuePoint) int { return a.Time.Compare(b.Time) })
	return out
}

// latencySeries is the requests of the latency scatter, in time order:
// every request found to have waited on a cold start, and a uniform sample
// of 5,000 others (all of them in a smaller log), chosen by a hash of time
// and latency so that the same requests give the same sample.
func latencySeries(s *summary.Summary, waited []summary.Point) []LatencyPoint {
	cold := map[summary.Point]bool{}
	for _, p := range waited {
		cold[p] = true
	}
	pts := slices.Clone(waited)
	for _, p := range s.Sample() {
		if !cold[p] {
			pts = append(pts, p)
		}
	}
	slices.SortFunc(pts, summary.Point.Compare)
	out := make([]LatencyPoint, len(pts))
	for i, p := range pts {
		out[i] = LatencyPoint{Time: p.T, MS: ms(p.Latency), ColdStart: cold[p], Endpoint: p.Key.String()}
	}
	return out
}
