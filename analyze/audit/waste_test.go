package audit

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/model"
)

var (
	wasteDay    = time.Date(2024, 6, 4, 0, 0, 0, 0, time.UTC)
	wasteWindow = analyze.Window{Start: wasteDay, End: wasteDay.Add(24 * time.Hour)}
	fullLogs    = LogCoverage{Status: LogsFull}
)

// wasteReport is a day's report of a 1 vCPU, 512 MiB request-based
// service, billed and sized so that no rule fires.
func wasteReport() *analyze.Report {
	return &analyze.Report{Window: wasteWindow,
		Service: analyze.Service{Name: "svc", Region: "europe-west1", CPU: 1, MemoryMiB: 512, Billing: model.BillingRequest, Containers: 1},
		Cost: analyze.Cost{BillableInstanceSeconds: 1000, CPUUSD: 1, MemoryUSD: 0.5, TotalUSD: 1.5, MinInstance1USDPerMonth: 9.72,
			PriceTable: analyze.Prices("europe-west1", model.BillingRequest)},
		Resources: analyze.Resources{HasCPU: true, HasMemory: true, CPUP99: 0.5}}
}

// memoryDataset holds one memory utilization point whose highest sample
// is in the bucket ending at peak.
func memoryDataset(peak float64) *model.Dataset {
	return &model.Dataset{Metrics: []model.Series{{Metric: model.MetricMemoryUtilizations, ValueType: "DISTRIBUTION", MetricKind: "DELTA",
		Points: []model.Point{{Start: wasteDay, End: wasteDay.Add(time.Minute),
			Dist: &model.Distribution{Count: 2, Bounds: []float64{peak / 2, peak}, Counts: []int64{0, 1, 1}}}}}}}
}

// servedIn gives the report one request a minute in each of the first n
// hours.
func servedIn(rpt *analyze.Report, n int) {
	for h := range n {
		rpt.Series.StatusClasses = append(rpt.Series.StatusClasses, analyze.StatusPoint{Time: wasteDay.Add(time.Duration(h) * time.Hour), C2xx: 60})
	}
}

func ids(ws []Waste) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.ID)
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestIdleMinInstances(t *testing.T) {
	for _, tt := range []struct {
		name    string
		served  int
		billing string
		want    bool
	}{
		{"11 hours of 24", 11, model.BillingRequest, true},
		{"12 hours of 24: half is not fewer than half", 12, model.BillingRequest, false},
		{"instance-based, 3 hours", 3, model.BillingInstance, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rpt := wasteReport()
			rpt.Service.MinInstances, rpt.Service.Billing = 2, tt.billing
			rpt.Cost.BillableInstanceSeconds, rpt.Cost.IdleMinInstanceSeconds, rpt.Cost.IdleShare = 172800, 170000, 0.99
			servedIn(rpt, tt.served)
			ws := Wastes(rpt, memoryDataset(0.6), fullLogs)
			if got := len(ws) == 1 && ws[0].ID == WasteIdleMinInstances; got != tt.want {
				t.Fatalf("wastes %v, want idle_min_instances: %v", ids(ws), tt.want)
			}
			if !tt.want {
				return
			}
			idle := 170000.0
			if tt.billing == model.BillingInstance {
				idle = 172800 * 0.99 // the idle share of billable time, under 2 x 86,400 s
			}
			rate := 9.72 / analyze.SecondsPerMonth
			if w := ws[0]; !near(w.SavingUSD, idle*rate) || !near(w.SavingUSDPerMonth, idle*rate*30) || w.Basis["hours_with_requests"] != float64(tt.served) {
				t.Errorf("saving $%v ($%v a month), basis %v; want $%v", w.SavingUSD, w.SavingUSDPerMonth, w.Basis, idle*rate)
			}
		})
	}
}

func TestSmallestSize(t *testing.T) {
	for _, tt := range []struct {
		cpu, mem float64
		want     Size
		ok       bool
	}{
		{0.1, 100, Size{1, 512}, true},    // never below 1 vCPU and the 512 MiB minimum
		{1, 512, Size{1, 512}, true},      // exactly a size
		{1.0001, 512, Size{2, 512}, true}, // just over 1 vCPU
		{1, 4096, Size{1, 4096}, true},    // 1 vCPU takes up to 4 GiB
		{1, 4097, Size{2, 8192}, true},    // more than 4 GiB needs 2 vCPU
		{3, 512, Size{4, 2048}, true},     // 4 vCPU need at least 2 GiB
		{5, 1000, Size{6, 4096}, true},    // 6 vCPU need at least 4 GiB
		{2, 16385, Size{6, 24576}, true},  // more than 16 GiB needs 6 vCPU
		{1, 32768, Size{8, 32768}, true},  // the largest
		{8.5, 512, Size{}, false},         // no such CPU
		{1, 32769, Size{}, false},         // no such memory
	} {
		got, ok := SmallestSize(tt.cpu, tt.mem)
		if got != tt.want || ok != tt.ok {
			t.Errorf("SmallestSize(%v, %v) = %v, %v; want %v, %v", tt.cpu, tt.mem, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRightsize(t *testing.T) {
	for _, tt := range []struct {
		name           string
		cpu            float64
		memMiB         int64
		cpuP99, peak   float64
		want           []string
		cpuTo          float64
		memTo          float64
		cpuSave, mSave float64
	}{
		// 2 vCPU at p99 30 % use 0.6 vCPU: 1 vCPU runs them at exactly 60 %.
		{"CPU at the target", 2, 512, 0.3, 0.5, []string{WasteRightsizeCPU}, 1, 512, 0.5, 0},
		{"CPU just over the target", 2, 512, 0.31, 0.5, []string{}, 0, 0, 0, 0},
		// 4 vCPU, 8 GiB, CPU idle but memory peaking at 4 GiB: 4 GiB plus
		// 25 % needs 8 GiB, which needs 2 vCPU; never below the peak.
		{"never below the memory peak", 4, 8192, 0.01, 0.5, []string{WasteRightsizeCPU}, 2, 8192, 0.5, 0},
		// 4 vCPU, 8 GiB at 3 % CPU and a 330 MiB peak: 1 vCPU, 512 MiB.
		{"both", 4, 8192, 0.03, 330.0 / 8192, []string{WasteRightsizeCPU, WasteRightsizeMemory}, 1, 512, 0.75, 1 - 512.0/8192},
		// 1 GiB with a 410 MiB peak: 512 MiB is 410 * 1.25 = 512.5 short.
		{"memory headroom boundary", 1, 1024, 0.5, 410.0 / 1024, []string{}, 0, 0, 0, 0},
		{"memory just under the boundary", 1, 1024, 0.5, 409.0 / 1024, []string{WasteRightsizeMemory}, 1, 512, 0, 0.5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rpt := wasteReport()
			rpt.Service.CPU, rpt.Service.MemoryMiB, rpt.Resources.CPUP99 = tt.cpu, tt.memMiB, tt.cpuP99
			ws := Wastes(rpt, memoryDataset(tt.peak), fullLogs)
			if d := cmp.Diff(tt.want, ids(ws)); d != "" {
				t.Fatalf("wastes (-want +got):\n%s", d)
			}
			for _, w := range ws {
				if w.Basis["recommended_cpu"] != tt.cpuTo || w.Basis["recommended_memory_mib"] != tt.memTo {
					t.Errorf("%s recommends %v vCPU, %v MiB; want %v, %v", w.ID, w.Basis["recommended_cpu"], w.Basis["recommended_memory_mib"], tt.cpuTo, tt.memTo)
				}
				want := rpt.Cost.CPUUSD * tt.cpuSave
				if w.ID == WasteRightsizeMemory {
					want = rpt.Cost.MemoryUSD * tt.mSave
				}
				if !near(w.SavingUSD, want) {
					t.Errorf("%s saves $%v, want $%v", w.ID, w.SavingUSD, want)
				}
			}
		})
	}
}

func TestBillingRequestBased(t *testing.T) {
	for _, tt := range []struct {
		name    string
		alt     float64 // request-based cost against 10 instance-based
		min     int
		logs    LogCoverage
		want    bool
		billing string
	}{
		{"a tenth cheaper", 9, 0, fullLogs, true, model.BillingInstance},
		{"under a tenth cheaper", 9.01, 0, fullLogs, false, model.BillingInstance},
		{"min instances", 0.1, 1, fullLogs, false, model.BillingInstance},
		{"request log sampled", 0.1, 0, LogCoverage{Status: LogsSampled}, false, model.BillingInstance},
		{"request-based already", 0.1, 0, fullLogs, false, model.BillingRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rpt := wasteReport()
			rpt.Service.Billing, rpt.Service.MinInstances, rpt.Cost.TotalUSD = tt.billing, tt.min, 10
			other := model.BillingRequest
			if tt.billing == model.BillingRequest {
				other = model.BillingInstance
			}
			rpt.Cost.OtherBilling = &analyze.BillingAlternative{Billing: other, BillableInstanceSeconds: 10, TotalUSD: tt.alt}
			ws := Wastes(rpt, memoryDataset(0.6), tt.logs)
			if got := len(ws) == 1 && ws[0].ID == WasteBillingRequest; got != tt.want {
				t.Fatalf("wastes %v, want billing_request_based: %v", ids(ws), tt.want)
			}
			if tt.want && !near(ws[0].SavingUSD, 10-tt.alt) {
				t.Errorf("saves $%v, want $%v", ws[0].SavingUSD, 10-tt.alt)
			}
		})
	}
}

func TestCPUBoostUnused(t *testing.T) {
	lane := func(start, ready, first time.Duration) analyze.Lane {
		l := analyze.Lane{Start: wasteDay.Add(start), Ready: wasteDay.Add(ready)}
		if first > 0 {
			l.FirstRequest = wasteDay.Add(first)
		}
		return l
	}
	for _, tt := range []struct {
		name  string
		lanes []analyze.Lane
		want  bool
	}{
		{"first requests after readiness", []analyze.Lane{lane(time.Hour, time.Hour+8*time.Second, time.Hour+9*time.Second), lane(2*time.Hour, 2*time.Hour+8*time.Second, 0)}, true},
		{"a request waited for a startup", []analyze.Lane{lane(time.Hour, time.Hour+8*time.Second, time.Hour+9*time.Second), lane(2*time.Hour, 2*time.Hour+8*time.Second, 2*time.Hour+time.Second)}, false},
		{"no startup logged in the window", []analyze.Lane{{Start: wasteDay.Add(-time.Minute)}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rpt := wasteReport()
			rpt.Service.StartupCPUBoost, rpt.Cost.BoostVCPUSeconds, rpt.Series.Lanes = true, 16, tt.lanes
			ws := Wastes(rpt, memoryDataset(0.6), fullLogs)
			if got := len(ws) == 1 && ws[0].ID == WasteCPUBoostUnused; got != tt.want {
				t.Fatalf("wastes %v, want cpu_boost_unused: %v", ids(ws), tt.want)
			}
			if tt.want && !near(ws[0].SavingUSD, 16*0.000024) {
				t.Errorf("saves $%v, want 16 vCPU-s at $0.000024", ws[0].SavingUSD)
			}
		})
	}
}

func TestStaleRevisions(t *testing.T) {
	series := func(metric, revision string, v float64) model.Series {
		return model.Series{Metric: metric, ValueType: "DOUBLE", MetricKind: "DELTA", ResourceLabels: map[string]string{"revision_name": revision},
			Points: []model.Point{{Start: wasteDay, End: wasteDay.Add(time.Minute), Double: v}}}
	}
	ds := memoryDataset(0.6)
	ds.Metrics = append(ds.Metrics,
		series(model.MetricBillableTime, "svc-00005", 30), series(model.MetricRequestCount, "svc-00005", 12),
		series(model.MetricBillableTime, "svc-00003", 60),
		series(model.MetricBillableTime, "svc-00002", 60), series(model.MetricRequestCount, "svc-00002", 1))
	ds.Service = &model.ServiceConfig{Traffic: []model.TrafficTarget{
		{Percent: 100, Latest: true},
		{Revision: "svc-00003", Tag: "beta"},   // billed, no request: holds min instances
		{Revision: "svc-00004", Tag: "canary"}, // neither billed nor requested
		{Revision: "svc-00002", Tag: "old"},    // requested through its tag: in use
	}}
	ws := Wastes(wasteReport(), ds, fullLogs)
	if d := cmp.Diff([]string{WasteStaleRevisionMin, WasteUnusedTag}, ids(ws)); d != "" {
		t.Fatalf("wastes (-want +got):\n%s", d)
	}
	if want := 60 * 9.72 / analyze.SecondsPerMonth; !near(ws[0].SavingUSD, want) || ws[1].SavingUSD != 0 {
		t.Errorf("savings $%v and $%v; want $%v and 0", ws[0].SavingUSD, ws[1].SavingUSD, want)
	}
}

// A service that no rule finds anything in has no waste, and its row's
// findings are the report's.
func TestNoWaste(t *testing.T) {
	rpt := wasteReport()
	servedIn(rpt, 24)
	s := NewService(rpt, memoryDataset(0.6), fullLogs)
	if len(s.Waste) != 0 || len(s.Findings) != 0 {
		t.Errorf("waste %v, findings %v; want none", s.Waste, s.Findings)
	}
}
