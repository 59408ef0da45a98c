package analyze

import (
	"time"

	"github.com/runlens/runlens/collect"
)

// secondsPerMonth is the 30-day month of the min-instances estimate.
const secondsPerMonth = 30 * 24 * 3600

// costInput is what the cost model needs.
type costInput struct {
	svc         Service
	prices      PriceTable
	billableSec float64       // from the billable_instance_time metric; <0 without it
	busy        time.Duration // busy spans rounded up to 100 ms, as billed
	inFlight    time.Duration // time with at least one request in flight
	lifetime    time.Duration // sum of instance lifetimes in the window
	startup     time.Duration // startup time of the window's cold starts
	requests    int64
	hasLogs     bool
}

// cost prices the window. Billable time comes from the metric when given;
// otherwise it is rebuilt from the request logs: busy spans rounded up to
// 100 ms plus startup under request-based billing, instance lifetimes under
// instance-based billing.
func cost(in costInput) Cost {
	c := Cost{PriceTable: in.prices, Requests: in.requests, BillableSource: "metric"}
	switch {
	case in.billableSec >= 0:
		c.BillableInstanceSeconds = in.billableSec
	case in.svc.Billing == collect.BillingInstance:
		c.BillableInstanceSeconds, c.BillableSource = in.lifetime.Seconds(), "request_logs"
	default:
		c.BillableInstanceSeconds, c.BillableSource = (in.busy + in.startup).Seconds(), "request_logs"
	}
	c.VCPUSeconds = c.BillableInstanceSeconds * in.svc.CPU
	c.MemoryGiBSeconds = c.BillableInstanceSeconds * float64(in.svc.MemoryMiB) / 1024
	c.CPUUSD = c.VCPUSeconds * in.prices.USDPerVCPUSecond
	c.MemoryUSD = c.MemoryGiBSeconds * in.prices.USDPerGiBSecond
	c.RequestsUSD = float64(in.requests) / 1e6 * in.prices.USDPerMillionReqs
	c.TotalUSD = c.CPUUSD + c.MemoryUSD + c.RequestsUSD
	if c.BillableInstanceSeconds > 0 && in.hasLogs {
		c.IdleShare = max(0, 1-min(in.inFlight.Seconds(), c.BillableInstanceSeconds)/c.BillableInstanceSeconds)
	}
	if in.requests > 0 {
		c.USDPer1kRequests = c.TotalUSD / float64(in.requests) * 1000
	}
	perSecond := in.svc.CPU*in.prices.USDPerVCPUSecond + float64(in.svc.MemoryMiB)/1024*in.prices.USDPerGiBSecond
	c.ColdStartUSD = in.startup.Seconds() * perSecond
	if in.hasLogs {
		c.OtherBilling = otherBilling(in)
	}
	inst := Prices(in.svc.Region, collect.BillingInstance)
	c.MinInstance1USDPerMonth = secondsPerMonth * (in.svc.CPU*inst.USDPerVCPUSecond + float64(in.svc.MemoryMiB)/1024*inst.USDPerGiBSecond)
	return c
}

// otherBilling prices the window in the billing mode the service does not
// use: instance lifetimes under instance-based billing, busy time and startup
// plus request fees under request-based billing.
func otherBilling(in costInput) *BillingAlternative {
	alt := &BillingAlternative{Billing: collect.BillingInstance, BillableInstanceSeconds: in.lifetime.Seconds()}
	if in.svc.Billing == collect.BillingInstance {
		alt.Billing, alt.BillableInstanceSeconds = collect.BillingRequest, (in.busy + in.startup).Seconds()
	}
	p := Prices(in.svc.Region, alt.Billing)
	alt.TotalUSD = alt.BillableInstanceSeconds*(in.svc.CPU*p.USDPerVCPUSecond+float64(in.svc.MemoryMiB)/1024*p.USDPerGiBSecond) +
		float64(in.requests)/1e6*p.USDPerMillionReqs
	return alt
}
