package analyze

import (
	"testing"
	"time"

	"github.com/runlens/runlens/model"
)

// Five hand-computed billing cases, 1 vCPU and 1 GiB at Tier 1 prices.
func TestBillingModel(t *testing.T) {
	ms := time.Millisecond
	svc := func(billing string, min int) *model.ServiceConfig {
		return &model.ServiceConfig{Name: "s", Region: "us-central1", CPU: 1, MemoryMiB: 1024, Concurrency: 80, MinInstances: min, Billing: billing}
	}
	tests := []struct {
		name         string
		ds           model.Dataset
		wantBillable float64 // seconds
		wantUSD      float64
	}{
		{
			name: "one request rounds up to 100 ms",
			ds: model.Dataset{Service: svc(model.BillingRequest, 0),
				Events:   []model.InstanceEvent{event("0s", model.EventStart, "a")},
				Requests: []model.Request{req("1s", 1*ms, "a", "GET", "/")}},
			// No probe: startup unknown, so only the busy 0.001 s -> 0.1 s.
			wantBillable: 0.1, wantUSD: 0.1*0.000024 + 0.1*0.0000025 + 1e-6*0.40,
		},
		{
			name: "overlapping requests are billed once",
			ds: model.Dataset{Service: svc(model.BillingRequest, 0), Requests: []model.Request{
				req("0s", 1000*ms, "a", "GET", "/"), req("0.5s", 1000*ms, "a", "GET", "/"), req("0.9s", 100*ms, "a", "GET", "/")}},
			// busy 0 - 1.5 s on one instance.
			wantBillable: 1.5, wantUSD: 1.5*0.000024 + 1.5*0.0000025 + 3e-6*0.40,
		},
		{
			name: "request-based billing adds startup",
			ds: model.Dataset{Service: svc(model.BillingRequest, 0),
				Events:   []model.InstanceEvent{event("0s", model.EventStart, "a"), event("2s", model.EventProbeSucceeded, "a")},
				Requests: []model.Request{req("0.5s", 2050*ms, "a", "GET", "/")}},
			// busy 0.5-2.55 s = 2.05 -> 2.1 s, plus 2 s startup.
			wantBillable: 4.1, wantUSD: 4.1*0.000024 + 4.1*0.0000025 + 1e-6*0.40,
		},
		{
			name: "instance-based billing bills the whole life",
			ds: model.Dataset{Service: svc(model.BillingInstance, 0),
				Events:   []model.InstanceEvent{event("0s", model.EventStart, "a"), event("60s", model.EventShutdown, "a")},
				Requests: []model.Request{req("1s", 500*ms, "a", "GET", "/")}},
			wantBillable: 60, wantUSD: 60*0.000018 + 60*0.000002,
		},
		{
			name: "min instances idle are billed under instance-based billing",
			ds: model.Dataset{Service: svc(model.BillingInstance, 2),
				Events: []model.InstanceEvent{
					event("0s", model.EventStart, "a"), event("100s", model.EventShutdown, "a"),
					event("0s", model.EventStart, "b"), event("100s", model.EventShutdown, "b")},
				Requests: []model.Request{req("10s", 1000*ms, "a", "GET", "/")}},
			// two instances for 100 s each; one second busy.
			wantBillable: 200, wantUSD: 200*0.000018 + 200*0.000002,
		},
		{
			name: "startup CPU boost bills 1 vCPU more over the startup under request-based billing",
			ds: model.Dataset{Service: boosted(svc(model.BillingRequest, 0)),
				Events:   []model.InstanceEvent{event("0s", model.EventStart, "a"), event("2s", model.EventProbeSucceeded, "a")},
				Requests: []model.Request{req("0.5s", 2050*ms, "a", "GET", "/")}},
			// As without boost (4.1 s), plus 2 s of 1 more vCPU.
			wantBillable: 4.1, wantUSD: (4.1+2)*0.000024 + 4.1*0.0000025 + 1e-6*0.40,
		},
		{
			name: "startup CPU boost bills the 10 s after startup too under instance-based billing",
			ds: model.Dataset{Service: boosted(svc(model.BillingInstance, 0)),
				Events:   []model.InstanceEvent{event("0s", model.EventStart, "a"), event("2s", model.EventProbeSucceeded, "a"), event("60s", model.EventShutdown, "a")},
				Requests: []model.Request{req("3s", 500*ms, "a", "GET", "/")}},
			// 60 s of life; 2 s startup and 10 s after it of 1 more vCPU.
			wantBillable: 60, wantUSD: (60+12)*0.000018 + 60*0.000002,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Run(&tc.ds, Options{}).Cost
			if c.BillableInstanceSeconds != tc.wantBillable {
				t.Errorf("billable = %v s, want %v", c.BillableInstanceSeconds, tc.wantBillable)
			}
			if d := c.TotalUSD - tc.wantUSD; d > 1e-12 || d < -1e-12 {
				t.Errorf("total = %v USD, want %v", c.TotalUSD, tc.wantUSD)
			}
		})
	}
}

func boosted(c *model.ServiceConfig) *model.ServiceConfig {
	c.StartupCPUBoost = true
	return c
}

func TestIdleShareAndOtherBilling(t *testing.T) {
	ds := model.Dataset{
		Service:  &model.ServiceConfig{Name: "s", Region: "us-central1", CPU: 1, MemoryMiB: 1024, Billing: model.BillingInstance},
		Events:   []model.InstanceEvent{event("0s", model.EventStart, "a"), event("100s", model.EventShutdown, "a")},
		Requests: []model.Request{req("10s", 20*time.Second, "a", "GET", "/")},
	}
	c := Run(&ds, Options{}).Cost
	if c.IdleShare != 0.8 {
		t.Errorf("idle share = %v, want 0.8 (20 s busy of 100 s billed)", c.IdleShare)
	}
	if c.OtherBilling == nil || c.OtherBilling.Billing != model.BillingRequest || c.OtherBilling.BillableInstanceSeconds != 20 {
		t.Errorf("other billing = %+v, want request-based with 20 s", c.OtherBilling)
	}
}
