package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/model"
)

// simulatedMetrics are the metrics of model.Metrics the model writes; it
// has no allocation times.
var simulatedMetrics = map[string]bool{
	model.MetricRequestCount: true, model.MetricRequestLatencies: true, model.MetricInstanceCount: true,
	model.MetricBillableTime: true, model.MetricCPUUtilizations: true, model.MetricMemoryUtilizations: true,
	model.MetricStartupLatencies: true, model.MetricMaxConcurrencies: true,
	model.MetricGPUUtilizations: true, model.MetricGPUMemoryUtilizations: true,
}

// metricTypes are the metrics the model writes for the run's service, in
// the order of model.Metrics: the GPU ones only where it has GPUs.
func (r *Run) metricTypes() []string {
	var out []string
	for _, m := range model.Metrics {
		if simulatedMetrics[m.Type] && (!m.GPU || r.Service.GPUs > 0) {
			out = append(out, m.Type)
		}
	}
	return out
}

// utilizationMetrics are the metrics a Utilization draws.
var utilizationMetrics = map[string]bool{
	model.MetricCPUUtilizations: true, model.MetricMemoryUtilizations: true,
	model.MetricGPUUtilizations: true, model.MetricGPUMemoryUtilizations: true,
}

// AlignmentPeriod is the sampling period of every Cloud Run metric.
const AlignmentPeriod = time.Minute

// utilizationSample is how often the model samples an instance's CPU and
// memory utilization; each minute's distribution holds every instance's
// samples of that minute.
const utilizationSample = time.Second

// Bucket layouts of the distributions the model writes.
var (
	latencyBuckets  = collect.BucketOptions{ExponentialBuckets: &collect.ExponentialBuckets{NumFiniteBuckets: 100, GrowthFactor: 1.4, Scale: 1}}
	fractionBuckets = collect.BucketOptions{LinearBuckets: &collect.LinearBuckets{NumFiniteBuckets: 100, Width: 0.01, Offset: 0}}
)

// Utilization holds the ranges [lo, hi) from which the model draws CPU and
// memory utilization, as fractions of the instance's limits.
type Utilization struct {
	CPUStarting, CPUServing, CPUIdle [2]float64
	Memory                           [2]float64
	// Unsampled leaves the utilization metrics out, as a collection
	// without them: for runs whose CPU and memory no one reads.
	Unsampled bool
	// Only, when set, are the only metrics written (by type), as a
	// collection of those alone: for runs of which no one reads the others.
	Only []string
	// MemoryFromRequests derives memory from the instances' BaseMiB (grown
	// into during startup) and the MemoryMiB of their requests in flight,
	// over the service's limit; Memory is then a jitter added to it.
	MemoryFromRequests bool
	// GPU utilization ranges, by the same states as CPU, and GPU memory
	// utilization once started (grown into during startup); used only for
	// a service with GPUs.
	GPUStarting, GPUServing, GPUIdle [2]float64
	GPUMemory                        [2]float64
	// Around, when set, writes the metrics of the costs around the
	// service (logging bytes and egress) too, after the others.
	Around *Around
}

// MetricResponse is one metric's ListTimeSeries response.
type MetricResponse struct {
	Type     string
	Response collect.ListTimeSeriesResponse
}

// Metrics samples the run's metrics per AlignmentPeriod, as Cloud
// Monitoring reports them with that alignment, points newest first.
func (r *Run) Metrics(rng *rand.Rand, u Utilization) ([]MetricResponse, error) {
	r.idx = r.buildIndex()
	defer func() { r.idx = nil }()
	var cpu, mem, gpu, gpuMem map[int64][]float64
	if !u.Unsampled {
		cpu, mem = r.utilizations(rng, u)
	}
	if r.Service.GPUs > 0 && !u.Unsampled {
		gpu, gpuMem = r.gpuUtilizations(rng, u) // drawn last: the other metrics' draws stay as they were
	}
	type build func() ([]collect.TimeSeries, error)
	builders := map[string]build{
		model.MetricRequestCount:       r.requestCount,
		model.MetricRequestLatencies:   r.requestLatencies,
		model.MetricInstanceCount:      r.instanceCount,
		model.MetricBillableTime:       r.billableTime,
		model.MetricCPUUtilizations:    func() ([]collect.TimeSeries, error) { return r.sampled(model.MetricCPUUtilizations, cpu) },
		model.MetricMemoryUtilizations: func() ([]collect.TimeSeries, error) { return r.sampled(model.MetricMemoryUtilizations, mem) },
		model.MetricStartupLatencies:   r.startupLatencies,
		model.MetricMaxConcurrencies:   r.maxConcurrencies,
		model.MetricGPUUtilizations:    func() ([]collect.TimeSeries, error) { return r.sampled(model.MetricGPUUtilizations, gpu) },
		model.MetricGPUMemoryUtilizations: func() ([]collect.TimeSeries, error) {
			return r.sampled(model.MetricGPUMemoryUtilizations, gpuMem)
		},
	}
	var out []MetricResponse
	for _, metric := range r.metricTypes() {
		if u.Unsampled && utilizationMetrics[metric] || u.Only != nil && !slices.Contains(u.Only, metric) {
			continue
		}
		ts, err := builders[metric]()
		if err != nil {
			return nil, fmt.Errorf("sampling %s: %w", metric, err)
		}
		if ts == nil {
			ts = []collect.TimeSeries{}
		}
		for i := range ts {
			slices.Reverse(ts[i].Points) // the API lists the newest point first
		}
		spec, _ := model.MetricByType(metric)
		out = append(out, MetricResponse{metric, collect.ListTimeSeriesResponse{TimeSeries: ts, Unit: spec.Unit}})
	}
	if u.Around != nil {
		out = append(out, r.aroundMetrics(*u.Around)...)
	}
	return out, nil
}

// minutes returns the start of every alignment period from the first
// instance start to the last instance's end.
func (r *Run) minutes() []time.Time {
	if len(r.Instances) == 0 {
		return nil
	}
	first, last := r.life(0).start, r.life(0).end
	for i := range r.Instances {
		first, last = minTime(first, r.life(i).start), maxTime(last, r.life(i).end)
	}
	var out []time.Time
	for m := first.Truncate(AlignmentPeriod); m.Before(last); m = m.Add(AlignmentPeriod) {
		out = append(out, m)
	}
	return out
}

// series starts a series of the metric, of the kind, value type and unit
// model.Metrics gives it.
func (r *Run) series(metric string, labels map[string]string) collect.TimeSeries {
	spec, _ := model.MetricByType(metric)
	kind, valueType, unit := spec.Kind, spec.ValueType, spec.Unit
	s := r.Service
	return collect.TimeSeries{
		Metric: collect.Metric{Type: metric, Labels: labels},
		Resource: collect.MonitoredResource{Type: "cloud_run_revision", Labels: map[string]string{
			"project_id": s.Project, "service_name": s.Name, "revision_name": s.Revision,
			"location": s.Region, "configuration_name": s.Name,
		}},
		MetricKind: kind, ValueType: valueType, Unit: unit,
	}
}

func deltaPoint(m time.Time, v collect.TypedValue) collect.WirePoint {
	return collect.WirePoint{Interval: collect.TimeInterval{StartTime: rfc3339(m), EndTime: rfc3339(m.Add(AlignmentPeriod))}, Value: v}
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// byStatus groups request indexes by status code, codes in increasing order.
func (r *Run) byStatus() ([]int, map[int][]int) {
	groups := map[int][]int{}
	for i, q := range r.Requests {
		groups[q.Status] = append(groups[q.Status], i)
	}
	codes := make([]int, 0, len(groups))
	for c := range groups {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes, groups
}

func statusLabels(code int) map[string]string {
	return map[string]string{"response_code": strconv.Itoa(code), "response_code_class": strconv.Itoa(code/100) + "xx"}
}

// requestCount counts responses per minute of their end, per status code.
func (r *Run) requestCount() ([]collect.TimeSeries, error) {
	codes, groups := r.byStatus()
	var out []collect.TimeSeries
	for _, code := range codes {
		s := r.series(model.MetricRequestCount, statusLabels(code))
		counts := make([]int64, len(r.idx.minutes))
		for _, i := range groups[code] {
			if k := r.idx.minuteOf(r.Requests[i].End()); k >= 0 {
				counts[k]++
			}
		}
		for k, m := range r.idx.minutes {
			if n := counts[k]; n > 0 {
				v := collect.Int64(n)
				s.Points = append(s.Points, deltaPoint(m, collect.TypedValue{Int64Value: &v}))
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// requestLatencies is the distribution of logged latencies in milliseconds
// per minute of the response, per status code.
func (r *Run) requestLatencies() ([]collect.TimeSeries, error) {
	codes, groups := r.byStatus()
	var out []collect.TimeSeries
	for _, code := range codes {
		perMinute := make([][]float64, len(r.idx.minutes))
		for _, i := range groups[code] {
			if q := r.Requests[i]; r.idx.minuteOf(q.End()) >= 0 {
				k := r.idx.minuteOf(q.End())
				perMinute[k] = append(perMinute[k], float64(q.Latency)/float64(time.Millisecond))
			}
		}
		s, err := r.distSeries(model.MetricRequestLatencies, statusLabels(code), latencyBuckets, func(m time.Time) []float64 {
			return perMinute[r.idx.minuteIndex(m)]
		})
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// instanceCount is the gauge of active and idle instances, the most of
// each seen during the minute. Starting instances count as active.
func (r *Run) instanceCount() ([]collect.TimeSeries, error) {
	active := make([][]span, len(r.Instances))
	idle := make([][]span, len(r.Instances))
	for i := range r.Instances {
		active[i] = r.active(i)
		idle[i] = subtract(r.life(i), active[i])
	}
	var out []collect.TimeSeries
	for _, st := range []struct {
		state string
		spans [][]span
	}{{"active", active}, {"idle", idle}} {
		s := r.series(model.MetricInstanceCount, map[string]string{"state": st.state})
		var all []span
		for _, l := range st.spans {
			all = append(all, l...)
		}
		perMinute := r.idx.byMinute(all)
		for k, m := range r.idx.minutes {
			v := collect.Int64(countMax([][]span{perMinute[k]}, m, m.Add(AlignmentPeriod)))
			end := rfc3339(m.Add(AlignmentPeriod))
			s.Points = append(s.Points, collect.WirePoint{Interval: collect.TimeInterval{StartTime: end, EndTime: end}, Value: collect.TypedValue{Int64Value: &v}})
		}
		out = append(out, s)
	}
	return out, nil
}

// billableTime is the billable instance time per minute, in seconds.
func (r *Run) billableTime() ([]collect.TimeSeries, error) {
	s := r.series(model.MetricBillableTime, nil)
	perMinute := make([]time.Duration, len(r.idx.minutes))
	for i := range r.Instances {
		for _, b := range r.billable(i) {
			lo, hi := r.idx.minuteRange(b)
			for k := lo; k < hi; k++ {
				m := r.idx.minutes[k]
				perMinute[k] += b.overlap(m, m.Add(AlignmentPeriod))
			}
		}
	}
	for k, m := range r.idx.minutes {
		if d := perMinute[k]; d > 0 {
			v := d.Seconds()
			s.Points = append(s.Points, deltaPoint(m, collect.TypedValue{DoubleValue: &v}))
		}
	}
	return []collect.TimeSeries{s}, nil
}

// utilizations draws one CPU and one memory sample per instance and
// utilizationSample, keyed by the Unix time of the sample's minute. CPU is
// drawn from the starting, serving and idle ranges in proportion to the
// time of the sample spent in each state.
func (r *Run) utilizations(rng *rand.Rand, u Utilization) (cpu, mem map[int64][]float64) {
	cpu, mem = map[int64][]float64{}, map[int64][]float64{}
	draw := func(rg [2]float64) float64 { return rg[0] + rng.Float64()*(rg[1]-rg[0]) }
	r.eachSample(func(i int, t, end time.Time, starting, serving, idle float64) {
		c := starting*draw(u.CPUStarting) + serving*draw(u.CPUServing) + idle*draw(u.CPUIdle)
		m := t.Truncate(AlignmentPeriod).Unix()
		cpu[m] = append(cpu[m], c)
		v := draw(u.Memory)
		if u.MemoryFromRequests {
			v += r.memoryFraction(i, t, end)
		}
		mem[m] = append(mem[m], v)
	})
	return cpu, mem
}

// eachSample calls f for every utilizationSample of each instance's life,
// with the instance, the sample's start and end, and the shares of the
// sample the instance spent starting, serving and idle.
func (r *Run) eachSample(f func(i int, t, end time.Time, starting, serving, idle float64)) {
	for i, in := range r.Instances {
		life, busy := r.life(i), r.busy(i)
		first := 0 // busy is sorted and disjoint: the spans before first end before t
		for t := life.start; t.Before(life.end); t = t.Add(utilizationSample) {
			end := minTime(t.Add(utilizationSample), life.end)
			slot := end.Sub(t).Seconds()
			starting := span{in.Start, in.Ready}.overlap(t, end).Seconds() / slot
			for first < len(busy) && !busy[first].end.After(t) {
				first++
			}
			var serving float64
			for _, b := range busy[first:] {
				if !b.start.Before(end) {
					break
				}
				serving += b.overlap(t, end).Seconds() / slot
			}
			f(i, t, end, starting, serving, max(0, 1-starting-serving))
		}
	}
}

// gpuUtilizations draws one GPU and one GPU memory sample per instance and
// utilizationSample, as utilizations draws CPU: GPU by the time of the
// sample spent starting, serving and idle; GPU memory from its range,
// grown into during startup as the model is loaded.
func (r *Run) gpuUtilizations(rng *rand.Rand, u Utilization) (gpu, mem map[int64][]float64) {
	gpu, mem = map[int64][]float64{}, map[int64][]float64{}
	r.eachSample(func(i int, t, _ time.Time, starting, serving, idle float64) {
		in := r.Instances[i]
		m := t.Truncate(AlignmentPeriod).Unix()
		gpu[m] = append(gpu[m], starting*uniform(rng, u.GPUStarting)+serving*uniform(rng, u.GPUServing)+idle*uniform(rng, u.GPUIdle))
		v := uniform(rng, u.GPUMemory)
		if t.Before(in.Ready) {
			v *= max(0.1, t.Sub(in.Start).Seconds()/in.Ready.Sub(in.Start).Seconds())
		}
		mem[m] = append(mem[m], v)
	})
	return gpu, mem
}

// memoryFraction is instance i's mean memory use over [from, to) as a
// fraction of the limit: its base, grown into while starting, and the
// memory of the requests it works on.
func (r *Run) memoryFraction(i int, from, to time.Time) float64 {
	in := r.Instances[i]
	slot := to.Sub(from).Seconds()
	used := in.BaseMiB
	if from.Before(in.Ready) {
		used *= max(0.1, from.Sub(in.Start).Seconds()/in.Ready.Sub(in.Start).Seconds())
	}
	for _, k := range r.idx.byInstance[i] {
		q := r.Requests[k]
		used += q.MemoryMiB * span{r.served(q), q.End()}.overlap(from, to).Seconds() / slot
		if q.Status == http.StatusOK {
			used += q.RetainedMiB * span{q.End(), to}.overlap(from, to).Seconds() / slot
		}
	}
	return used / float64(r.Service.memoryMiB())
}

// sampled turns per-minute samples into a distribution series.
func (r *Run) sampled(metric string, samples map[int64][]float64) ([]collect.TimeSeries, error) {
	s, err := r.distSeries(metric, nil, fractionBuckets, func(m time.Time) []float64 { return samples[m.Unix()] })
	return []collect.TimeSeries{s}, err
}

// startupLatencies has one sample per instance start, in milliseconds, in
// the minute the instance became ready.
func (r *Run) startupLatencies() ([]collect.TimeSeries, error) {
	s, err := r.distSeries(model.MetricStartupLatencies, nil, latencyBuckets, func(m time.Time) []float64 {
		var ms []float64
		for _, in := range r.Instances {
			if inMinute(in.Ready, m) {
				ms = append(ms, float64(in.Ready.Sub(in.Start))/float64(time.Millisecond))
			}
		}
		return ms
	})
	return []collect.TimeSeries{s}, err
}

// maxConcurrencies holds, per minute, each live instance's largest number
// of requests in flight during that minute.
func (r *Run) maxConcurrencies() ([]collect.TimeSeries, error) {
	perInstance := make([][][]span, len(r.Instances)) // requests in flight, by instance and minute
	for i := range r.Instances {
		perInstance[i] = r.idx.byMinute(r.requestSpans(i))
	}
	s, err := r.distSeries(model.MetricMaxConcurrencies, nil, latencyBuckets, func(m time.Time) []float64 {
		k := r.idx.minuteIndex(m)
		var n []float64
		for i := range r.Instances {
			if r.life(i).overlap(m, m.Add(AlignmentPeriod)) > 0 {
				n = append(n, float64(countMax([][]span{perInstance[i][k]}, m, m.Add(AlignmentPeriod))))
			}
		}
		return n
	})
	return []collect.TimeSeries{s}, err
}

func inMinute(t, m time.Time) bool { return !t.Before(m) && t.Before(m.Add(AlignmentPeriod)) }

// distSeries is a series of distributions of metric with labels, one
// point a minute of the values perMinute gives for it (none where it gives
// none), in buckets of layout.
func (r *Run) distSeries(metric string, labels map[string]string, layout collect.BucketOptions, perMinute func(m time.Time) []float64) (collect.TimeSeries, error) {
	s := r.series(metric, labels)
	for _, m := range r.minutes() {
		if err := appendDist(&s, m, layout, perMinute(m)); err != nil {
			return collect.TimeSeries{}, err
		}
	}
	return s, nil
}

// appendDist appends a DELTA distribution point of the values, if any.
func appendDist(s *collect.TimeSeries, m time.Time, layout collect.BucketOptions, values []float64) error {
	if len(values) == 0 {
		return nil
	}
	v, err := distribution(layout, values)
	if err != nil {
		return err
	}
	s.Points = append(s.Points, deltaPoint(m, collect.TypedValue{DistributionValue: v}))
	return nil
}

// distribution builds a Monitoring distribution of the values in the given
// bucket layout, through collect.Distribution's wire conversion.
func distribution(layout collect.BucketOptions, values []float64) (*collect.DistributionValue, error) {
	d, err := collect.DistributionFromWire(&collect.DistributionValue{BucketOptions: layout})
	if err != nil {
		return nil, err
	}
	var sum float64
	for _, v := range values {
		d.Counts[sort.Search(len(d.Bounds), func(i int) bool { return d.Bounds[i] > v })]++
		sum += v
	}
	d.Count = int64(len(values))
	d.Mean = sum / float64(len(values))
	for _, v := range values {
		d.SumSq += (v - d.Mean) * (v - d.Mean)
	}
	if math.Abs(d.SumSq) < 1e-12 {
		d.SumSq = 0
	}
	w := collect.DistributionWire(d)
	w.BucketOptions = layout // Wire spells bounds out; keep the layout Cloud Run uses
	return &w, nil
}
