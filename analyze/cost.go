package analyze

import (
	"fmt"
	"strings"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/model"
)

// SecondsPerMonth is the 30-day month of the monthly estimates (the
// min-instances estimate, the audit's savings per month).
const SecondsPerMonth = 30 * 24 * 3600

const secondsPerMonth = SecondsPerMonth

// shutdownGrace is the longest shutdown Cloud Run bills: the container
// gets SIGTERM and at most 10 s before SIGKILL (container runtime contract).
const shutdownGrace = 10 * time.Second

// costInput is what the cost model needs.
type costInput struct {
	svc         Service
	prices      PriceTable
	billableSec float64 // from the billable_instance_time metric; <0 without it
	// vcpuSec and memGiBSec are the cpu/allocation_time and
	// memory/allocation_time metrics' sums; <0 without them.
	vcpuSec, memGiBSec float64
	busy               time.Duration // busy spans rounded up to 100 ms, as billed
	inFlight           time.Duration // time with at least one request in flight
	lifetime           time.Duration // sum of instance lifetimes in the window
	startup            time.Duration // startup time of the window's cold starts
	// boosted is the time instances ran with startup CPU boost, billed:
	// each one's startup, and under instance-based billing the boost's
	// BoostAfterReady after it within its life; 0 without boost.
	boosted  time.Duration
	shutdown time.Duration // shutdown time logged, at most 10 s an instance
	window   time.Duration
	requests int64
	hasLogs  bool
}

// costInputFor gathers the cost model's inputs from the analysis so far.
func costInputFor(ds *model.Dataset, s *summary.Summary, rpt *Report, busy summary.BusyTotals, lanes []Lane, metricTotal int64, w model.Window, opts Options) costInput {
	in := costInput{svc: rpt.Service, billableSec: -1, vcpuSec: -1, memGiBSec: -1, requests: s.Requests(), hasLogs: s.Requests() > 0,
		busy: time.Duration(busy.Billed), inFlight: time.Duration(busy.InFlight), window: w.End.Sub(w.Start)}
	in.prices = Prices(rpt.Service.Region, rpt.Service.Billing)
	if opts.Prices != nil {
		in.prices = *opts.Prices
	}
	if ss := series(ds, model.MetricBillableTime); len(ss) > 0 {
		in.billableSec = sumPoints(ss, w)
	}
	cpu, mem := series(ds, model.MetricCPUAllocation), series(ds, model.MetricMemoryAllocation)
	if len(cpu) > 0 && len(mem) > 0 {
		in.vcpuSec, in.memGiBSec = sumPoints(cpu, w), sumPoints(mem, w)
	}
	if metricTotal > in.requests {
		in.requests = metricTotal
	}
	for _, l := range lanes {
		in.lifetime += l.End.Sub(l.Start)
	}
	for _, c := range rpt.ColdStarts.Instances {
		if c.StartupMS > 0 {
			in.startup += time.Duration(c.StartupMS * float64(time.Millisecond))
		}
	}
	in.shutdown = shutdownTime(ds.Events)
	if rpt.Service.StartupCPUBoost {
		in.boosted = boostedTime(lanes, rpt.Service.Billing)
	}
	return in
}

// boostedTime is the time startup CPU boost is billed, over the lanes
// whose startup was logged: from start to ready, and under instance-based
// billing (which bills the instance all its life) model.BoostAfterReady
// more within the lane. Request-based billing bills an instance's startup
// but the time after it only while requests are in flight, which the
// boost's 10 s are not counted for.
func boostedTime(lanes []Lane, billing string) time.Duration {
	var total time.Duration
	for _, l := range lanes {
		if l.Ready.IsZero() || l.Ready.Before(l.Start) {
			continue
		}
		end := l.Ready
		if billing == model.BillingInstance {
			end = l.Ready.Add(model.BoostAfterReady)
			if l.End.Before(end) {
				end = maxTime(l.End, l.Ready)
			}
		}
		total += end.Sub(l.Start)
	}
	return total
}

// shutdownTime adds, per instance, the time from its shutdown entry to the
// container's exit logged after it, at most 10 s: request-based billing
// charges an instance while it shuts down.
func shutdownTime(events []model.InstanceEvent) time.Duration {
	began := map[string]time.Time{}
	var total time.Duration
	for _, e := range events {
		switch {
		case isExit(e):
			if t, ok := began[e.InstanceID]; ok && !e.Time.Before(t) {
				total += min(e.Time.Sub(t), shutdownGrace)
				delete(began, e.InstanceID)
			}
		case e.Kind == model.EventShutdown:
			if _, ok := began[e.InstanceID]; !ok {
				began[e.InstanceID] = e.Time
			}
		}
	}
	return total
}

// isExit reports a system entry saying the container exited or was
// stopped by a signal.
func isExit(e model.InstanceEvent) bool {
	t := strings.ToLower(e.Text)
	return strings.Contains(t, "container called exit(") || strings.Contains(t, "terminated on signal")
}

// cost prices the window. Billable time comes from the metric when given;
// otherwise it is rebuilt from the logs: busy spans rounded up to 100 ms
// plus startup and shutdown under request-based billing, instance
// lifetimes under instance-based billing. vCPU- and GiB-seconds come from
// the allocation_time metrics when both are given (they count every
// container and are what is billed), else from billable time times the
// sum of the containers' limits.
func cost(in costInput) Cost {
	c := Cost{PriceTable: in.prices, Requests: in.requests, BillableSource: "metric", ResourceSource: "limits", GPUCostIncluded: true}
	active := (in.busy + in.startup + in.shutdown).Seconds()
	switch {
	case in.billableSec >= 0:
		c.BillableInstanceSeconds = in.billableSec
	case in.svc.Billing == model.BillingInstance:
		c.BillableInstanceSeconds, c.BillableSource = in.lifetime.Seconds(), "request_logs"
	default:
		c.BillableInstanceSeconds, c.BillableSource = active, "request_logs"
	}
	c.VCPUSeconds = c.BillableInstanceSeconds * in.svc.CPU
	c.MemoryGiBSeconds = c.BillableInstanceSeconds * float64(in.svc.MemoryMiB) / 1024
	if in.vcpuSec >= 0 && in.memGiBSec >= 0 {
		c.VCPUSeconds, c.MemoryGiBSeconds, c.ResourceSource = in.vcpuSec, in.memGiBSec, "allocation_time"
	} else if in.boosted > 0 {
		c.BoostVCPUSeconds = in.boosted.Seconds() * (model.BoostedCPU(in.svc.CPU) - in.svc.CPU)
		c.VCPUSeconds += c.BoostVCPUSeconds
	}
	p := withIdleRates(in.prices)
	idle := 0.0 // the share of billable time priced at idle rates
	if in.svc.Billing != model.BillingInstance && in.svc.MinInstances > 0 && in.hasLogs && c.BillableInstanceSeconds > 0 {
		c.IdleMinInstanceSeconds = min(max(0, c.BillableInstanceSeconds-active), float64(in.svc.MinInstances)*in.window.Seconds())
		idle = c.IdleMinInstanceSeconds / c.BillableInstanceSeconds
	}
	c.CPUUSD = c.VCPUSeconds * ((1-idle)*p.USDPerVCPUSecond + idle*p.USDPerIdleVCPUSecond)
	c.MemoryUSD = c.MemoryGiBSeconds * ((1-idle)*p.USDPerGiBSecond + idle*p.USDPerIdleGiBSecond)
	c.RequestsUSD = float64(in.requests) / 1e6 * p.USDPerMillionReqs
	if in.svc.GPUs > 0 {
		c.GPUSeconds = c.BillableInstanceSeconds * float64(in.svc.GPUs)
		c.GPUUSD = c.GPUSeconds * p.USDPerGPUSecond
		c.GPUCostIncluded = p.USDPerGPUSecond > 0
	}
	c.TotalUSD = c.CPUUSD + c.MemoryUSD + c.RequestsUSD + c.GPUUSD
	if c.BillableInstanceSeconds > 0 && in.hasLogs {
		c.IdleShare = max(0, 1-min(in.inFlight.Seconds(), c.BillableInstanceSeconds)/c.BillableInstanceSeconds)
	}
	if in.requests > 0 {
		c.USDPer1kRequests = c.TotalUSD / float64(in.requests) * 1000
	}
	c.ColdStartUSD = in.startup.Seconds() * instanceUSDPerSecond(in.svc, p, false)
	if in.hasLogs && in.svc.GPUs == 0 {
		c.OtherBilling = otherBilling(in)
	}
	c.MinInstance1USDPerMonth = secondsPerMonth * minInstanceUSDPerSecond(in.svc, p)
	return c
}

// withIdleRates fills idle rates a price table leaves at zero (a -prices
// file written before they existed) with its active rates: an idle
// instance is never priced below what the table can vouch for.
func withIdleRates(p PriceTable) PriceTable {
	if p.USDPerIdleVCPUSecond == 0 {
		p.USDPerIdleVCPUSecond = p.USDPerVCPUSecond
	}
	if p.USDPerIdleGiBSecond == 0 {
		p.USDPerIdleGiBSecond = p.USDPerGiBSecond
	}
	return p
}

// instanceUSDPerSecond is what an instance costs a second, active or idle,
// GPUs included where priced.
func instanceUSDPerSecond(svc Service, p PriceTable, idle bool) float64 {
	cpu, mem := p.USDPerVCPUSecond, p.USDPerGiBSecond
	if idle {
		cpu, mem = p.USDPerIdleVCPUSecond, p.USDPerIdleGiBSecond
	}
	return svc.CPU*cpu + float64(svc.MemoryMiB)/1024*mem + float64(svc.GPUs)*p.USDPerGPUSecond
}

// minInstanceUSDPerSecond is what one more idle minimum instance costs a
// second: idle rates under request-based billing; instance-based rates
// otherwise, and for GPU services, which Cloud Run bills instance-based
// with minimum instances at the full rate.
func minInstanceUSDPerSecond(svc Service, p PriceTable) float64 {
	if svc.Billing != model.BillingInstance && svc.GPUs == 0 {
		return instanceUSDPerSecond(svc, p, true)
	}
	inst := withIdleRates(Prices(svc.Region, model.BillingInstance))
	inst.USDPerGPUSecond = p.USDPerGPUSecond
	return instanceUSDPerSecond(svc, inst, false)
}

// otherBilling prices the window in the billing mode the service does not
// use: instance lifetimes under instance-based billing, busy time, startup
// and shutdown plus request fees under request-based billing.
func otherBilling(in costInput) *BillingAlternative {
	alt := &BillingAlternative{Billing: model.BillingInstance, BillableInstanceSeconds: in.lifetime.Seconds()}
	if in.svc.Billing == model.BillingInstance {
		alt.Billing, alt.BillableInstanceSeconds = model.BillingRequest, (in.busy + in.startup + in.shutdown).Seconds()
	}
	p := Prices(in.svc.Region, alt.Billing)
	alt.TotalUSD = alt.BillableInstanceSeconds*(in.svc.CPU*p.USDPerVCPUSecond+float64(in.svc.MemoryMiB)/1024*p.USDPerGiBSecond) +
		float64(in.requests)/1e6*p.USDPerMillionReqs
	return alt
}

// costMissing says what the cost leaves out.
func costMissing(c Cost, svc Service) []string {
	if c.GPUCostIncluded {
		return nil
	}
	return []string{fmt.Sprintf("GPU price: no dated Cloud Run rate for %d %s GPU per instance; GPU cost is not included (%.0f GPU-seconds billed; give one with -prices)",
		svc.GPUs, svc.Accelerator, c.GPUSeconds)}
}
