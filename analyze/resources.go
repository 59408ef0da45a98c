package analyze

import (
	"slices"
	"time"

	"github.com/runlens/runlens/model"
)

// resources summarizes CPU and memory utilization over the window, from the
// utilization distributions merged across instances and time.
func resources(ds *model.Dataset, w model.Window) (Resources, []UtilPoint, []UtilPoint) {
	var r Resources
	cpuAll, cpuPts := utilization(series(ds, model.MetricCPUUtilizations), w)
	memAll, memPts := utilization(series(ds, model.MetricMemoryUtilizations), w)
	if cpuAll != nil {
		r.HasCPU = true
		r.CPUP50, r.CPUP95, r.CPUP99 = cpuAll.Quantile(0.50), cpuAll.Quantile(0.95), cpuAll.Quantile(0.99)
	}
	if memAll != nil {
		r.HasMemory = true
		r.MemoryP50, r.MemoryP95, r.MemoryP99 = memAll.Quantile(0.50), memAll.Quantile(0.95), memAll.Quantile(0.99)
	}
	for _, e := range ds.Events {
		switch e.Kind {
		case model.EventMemoryLimitExceeded:
			r.MemoryLimitExceededEvents++
		case model.EventCrash:
			r.CrashEvents++
		}
	}
	return r, cpuPts, memPts
}

// utilization merges a utilization metric's distributions: all of them, and
// per point time for the chart. Points whose buckets differ from the first
// are left out of the whole (they still draw).
func utilization(ss []*model.Series, w model.Window) (*model.Distribution, []UtilPoint) {
	var all *model.Distribution
	byTime := map[time.Time]*model.Distribution{}
	for _, s := range ss {
		for _, p := range s.Points {
			if p.Dist == nil || p.Dist.Count == 0 || !inWindow(p, w) {
				continue
			}
			all = mergeInto(all, p.Dist)
			byTime[p.End] = mergeInto(byTime[p.End], p.Dist)
		}
	}
	pts := make([]UtilPoint, 0, len(byTime))
	for t, d := range byTime {
		pts = append(pts, UtilPoint{Time: t, P50: d.Quantile(0.50), P95: d.Quantile(0.95), P99: d.Quantile(0.99)})
	}
	slices.SortFunc(pts, func(a, b UtilPoint) int { return a.Time.Compare(b.Time) })
	return all, pts
}

// mergeInto adds d to acc, copying on first use so inputs are never changed.
func mergeInto(acc, d *model.Distribution) *model.Distribution {
	if acc == nil {
		c := *d
		c.Bounds = slices.Clone(d.Bounds)
		c.Counts = slices.Clone(d.Counts)
		return &c
	}
	_ = acc.Merge(d) // differing buckets: left out of the merge
	return acc
}

// gpuResources adds GPU utilization and GPU memory utilization to r, from
// the container/gpu metrics of services with GPUs, and returns their
// points over time for the charts.
func gpuResources(ds *model.Dataset, w model.Window, r *Resources) (gpu, gpuMem []UtilPoint) {
	all, gpu := utilization(series(ds, model.MetricGPUUtilizations), w)
	if all != nil {
		r.HasGPU = true
		r.GPUP50, r.GPUP95, r.GPUP99 = all.Quantile(0.50), all.Quantile(0.95), all.Quantile(0.99)
	}
	mem, gpuMem := utilization(series(ds, model.MetricGPUMemoryUtilizations), w)
	if mem != nil {
		r.HasGPUMemory = true
		r.GPUMemoryP50, r.GPUMemoryP95, r.GPUMemoryP99 = mem.Quantile(0.50), mem.Quantile(0.95), mem.Quantile(0.99)
	}
	return gpu, gpuMem
}

// UtilizationPeak is the highest utilization (a fraction of the limit) a
// utilization metric recorded in the window, across instances: the upper
// bound of the highest bucket holding a sample. False without the metric.
func UtilizationPeak(ds *model.Dataset, metric string, w Window) (float64, bool) {
	all, _ := utilization(series(ds, metric), model.Window{Start: w.Start, End: w.End})
	if all == nil {
		return 0, false
	}
	return all.Quantile(1), true
}
