package analyze

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/model"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func checkUSD(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want) {
		t.Errorf("%s = %.10g, want %.10g", what, got, want)
	}
}

// A sidecar service (2 vCPU / 4 GiB ingress, 1 vCPU / 512 MiB sidecar) is
// priced on the sum of its containers; before, on containers[0] only
// (200 vCPU-s, 400 GiB-s for 100 s billed).
func TestCostSidecarsAndAllocationTime(t *testing.T) {
	svc := Service{CPU: 3, MemoryMiB: 4608, Containers: 2, Billing: model.BillingRequest}
	in := costInput{svc: svc, prices: Prices("europe-west1", model.BillingRequest), billableSec: 100, vcpuSec: -1, memGiBSec: -1}
	c := cost(in)
	checkUSD(t, "vCPU-seconds", c.VCPUSeconds, 300)
	checkUSD(t, "GiB-seconds", c.MemoryGiBSeconds, 450)
	checkUSD(t, "total", c.TotalUSD, 300*0.000024+450*0.0000025)
	if c.ResourceSource != "limits" {
		t.Errorf("resource source %q, want limits", c.ResourceSource)
	}
	// The allocation_time metrics, when both are there, are what is billed.
	in.vcpuSec, in.memGiBSec = 250, 420
	c = cost(in)
	checkUSD(t, "vCPU-seconds from cpu/allocation_time", c.VCPUSeconds, 250)
	checkUSD(t, "total from allocation_time", c.TotalUSD, 250*0.000024+420*0.0000025)
	if c.ResourceSource != "allocation_time" {
		t.Errorf("resource source %q, want allocation_time", c.ResourceSource)
	}
}

// Idle minimum instances under request-based billing cost the idle rates:
// one more 1 vCPU / 512 MiB instance is $9.72 a month, not the $49.25 of
// instance-based rates the report used to give.
func TestCostIdleMinInstances(t *testing.T) {
	small := Service{CPU: 1, MemoryMiB: 512, Billing: model.BillingRequest}
	c := cost(costInput{svc: small, prices: Prices("europe-west1", model.BillingRequest), billableSec: -1, vcpuSec: -1, memGiBSec: -1})
	checkUSD(t, "request-based min-instance month", c.MinInstance1USDPerMonth, 9.72)
	small.Billing = model.BillingInstance
	c = cost(costInput{svc: small, prices: Prices("europe-west1", model.BillingInstance), billableSec: -1, vcpuSec: -1, memGiBSec: -1})
	checkUSD(t, "instance-based min-instance month", c.MinInstance1USDPerMonth, 49.248)

	// One minimum instance over a 600 s window, busy 100 s: 500 s are idle
	// and priced at the idle rates.
	svc := Service{CPU: 1, MemoryMiB: 1024, MinInstances: 1, Billing: model.BillingRequest}
	c = cost(costInput{svc: svc, prices: Prices("europe-west1", model.BillingRequest), billableSec: 600, vcpuSec: -1, memGiBSec: -1,
		busy: 100 * time.Second, window: 600 * time.Second, hasLogs: true})
	checkUSD(t, "idle min-instance seconds", c.IdleMinInstanceSeconds, 500)
	checkUSD(t, "CPU", c.CPUUSD, 100*0.000024+500*0.0000025)
	checkUSD(t, "memory", c.MemoryUSD, 600*0.0000025)
}

// Rebuilt request-based billable time includes shutdown: the time from
// the shutdown entry to the container's exit, at most 10 s.
func TestCostShutdownBilled(t *testing.T) {
	at := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	events := []model.InstanceEvent{
		{Time: at, Kind: model.EventShutdown, InstanceID: "a", Text: "Shutting down instance due to idleness."},
		{Time: at.Add(3 * time.Second), Kind: model.EventCrash, InstanceID: "a", Text: "Container called exit(0)."},
		{Time: at, Kind: model.EventShutdown, InstanceID: "b", Text: "Shutting down instance due to idleness."},
		{Time: at.Add(30 * time.Second), Kind: model.EventShutdown, InstanceID: "b", Text: "Container terminated on signal 15."},
	}
	if got := shutdownTime(events); got != 13*time.Second {
		t.Errorf("shutdown time %s, want 13s (3 s, and 10 s at most for b)", got)
	}
	c := cost(costInput{svc: Service{CPU: 1, MemoryMiB: 512, Billing: model.BillingRequest}, prices: Prices("", model.BillingRequest),
		billableSec: -1, vcpuSec: -1, memGiBSec: -1, busy: 10 * time.Second, startup: 2 * time.Second, shutdown: 13 * time.Second, hasLogs: true})
	checkUSD(t, "billable seconds", c.BillableInstanceSeconds, 25)
}

// GPU time is billed for the instance's whole life; without a dated rate
// the report says GPU cost is not included rather than guess one.
func TestCostGPU(t *testing.T) {
	svc := Service{CPU: 4, MemoryMiB: 16384, GPUs: 1, Accelerator: "nvidia-l4", Billing: model.BillingInstance}
	c := cost(costInput{svc: svc, prices: Prices("europe-west1", model.BillingInstance), billableSec: 100, vcpuSec: -1, memGiBSec: -1, hasLogs: true})
	checkUSD(t, "GPU-seconds", c.GPUSeconds, 100)
	checkUSD(t, "total without GPU", c.TotalUSD, 400*0.000018+1600*0.000002)
	if c.GPUCostIncluded || c.GPUUSD != 0 || c.OtherBilling != nil {
		t.Errorf("GPU cost included %v, $%v, other billing %v: want left out, and no request-based alternative (GPUs need instance-based billing)", c.GPUCostIncluded, c.GPUUSD, c.OtherBilling)
	}
	if m := costMissing(c, svc); len(m) != 1 || !strings.Contains(m[0], "GPU cost is not included") {
		t.Errorf("missing %q", m)
	}
	p := Prices("europe-west1", model.BillingInstance)
	p.USDPerGPUSecond = 0.0002
	c = cost(costInput{svc: svc, prices: p, billableSec: 100, vcpuSec: -1, memGiBSec: -1})
	checkUSD(t, "GPU cost at a given rate", c.GPUUSD, 0.02)
	checkUSD(t, "min instance month with GPU", c.MinInstance1USDPerMonth, secondsPerMonth*(4*0.000018+16*0.000002+0.0002))
}
