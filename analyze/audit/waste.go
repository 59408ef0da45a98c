package audit

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/internal/english"
	"github.com/runlens/runlens/model"
)

// Waste is money a service spends for nothing it needs, with what changing
// it would save at the prices its cost was computed with. SavingUSD is over
// the audit's window, SavingUSDPerMonth the same rate over a 30-day month.
// Basis holds the numbers the saving rests on, by name, and Source says
// where they come from. A waste costs no API call of its own: it reads the
// figures of the service's report, whose calls are the audit's api_calls
// (the stale-revision check's revisions are its ListRevisions calls).
type Waste struct {
	ID                string             `json:"id"`
	Severity          string             `json:"severity"`
	Message           string             `json:"message"`
	SavingUSD         float64            `json:"saving_usd"`
	SavingUSDPerMonth float64            `json:"saving_usd_per_month"`
	Recommendation    string             `json:"recommendation"`
	Source            string             `json:"source"`
	Basis             map[string]float64 `json:"basis"`
}

// Waste finding IDs.
const (
	WasteIdleMinInstances   = "idle_min_instances"
	WasteRightsizeCPU       = "rightsize_cpu"
	WasteRightsizeMemory    = "rightsize_memory"
	WasteBillingRequest     = "billing_request_based"
	WasteCPUBoostUnused     = "cpu_boost_unused"
	WasteStaleRevisionMin   = "stale_revision_min_instances"
	WasteUnusedTag          = "unused_tag"
	wasteSourceBillable     = "billable_instance_time metric"
	wasteSourceUtilizations = "cpu/utilizations and memory/utilizations metrics"
)

// The rules' thresholds.
const (
	// IdleHoursShare: minimum instances are idle when the service served
	// requests in fewer than this share of the window's hours.
	IdleHoursShare = 0.5
	// CPUTarget is the p99 CPU utilization a rightsized CPU limit must
	// stay under.
	CPUTarget = 0.6
	// MemoryHeadroom is added to the memory peak: a rightsized memory limit
	// is never below peak * (1 + MemoryHeadroom).
	MemoryHeadroom = 0.25
	// BillingMinShare: request-based billing is recommended when it would
	// cost at least this share less than instance-based billing.
	BillingMinShare = 0.1
)

// wasteInput is what the waste rules read: the report with its series,
// the dataset it was made from (per-revision metrics, the service's
// traffic) and whether the request log was read whole.
type wasteInput struct {
	rpt      *analyze.Report
	ds       *model.Dataset
	fullLogs bool
}

// Wastes applies every waste rule to a service's report, most severe and
// then largest saving first. The report must still hold its series.
func Wastes(rpt *analyze.Report, ds *model.Dataset, logs LogCoverage) []Waste {
	in := wasteInput{rpt: rpt, ds: ds, fullLogs: logs.Complete()}
	out := []Waste{}
	for _, rule := range []func(wasteInput) []Waste{idleMinInstances, rightsize, billingRequestBased, cpuBoostUnused, staleRevisions} {
		out = append(out, rule(in)...)
	}
	rank := map[string]int{analyze.SeverityCrit: 0, analyze.SeverityWarn: 1, analyze.SeverityInfo: 2}
	slices.SortStableFunc(out, func(a, b Waste) int {
		if r := rank[a.Severity] - rank[b.Severity]; r != 0 {
			return r
		}
		return -cmp.Compare(a.SavingUSD, b.SavingUSD)
	})
	return out
}

// Finding is the waste as one of the service's findings; its value is the
// saving over the window in USD.
func (w Waste) Finding() analyze.Finding {
	return analyze.Finding{ID: w.ID, Severity: w.Severity, Value: w.SavingUSD, Message: w.Message}
}

// TotalSavingUSD adds the savings of a service's waste.
func TotalSavingUSD(ws []Waste) (window, month float64) {
	for _, w := range ws {
		window += w.SavingUSD
		month += w.SavingUSDPerMonth
	}
	return window, month
}

// newWaste fills the saving per month from the saving over the window.
func newWaste(in wasteInput, id, sev string, saving float64, source string, basis map[string]float64, rec, msg string) Waste {
	month := 0.0
	if d := in.rpt.Window.End.Sub(in.rpt.Window.Start).Seconds(); d > 0 {
		month = saving * analyze.SecondsPerMonth / d
	}
	return Waste{ID: id, Severity: sev, SavingUSD: saving, SavingUSDPerMonth: month, Source: source, Basis: basis, Recommendation: rec,
		Message: fmt.Sprintf("%s: saves $%.4g over the window, $%.2f a month", msg, saving, month)}
}

// minInstanceUSDPerSecond is what one idle minimum instance of the
// service costs a second: the cost model's figure for one more minimum
// instance a month, per second.
func minInstanceUSDPerSecond(c analyze.Cost) float64 {
	return c.MinInstance1USDPerMonth / analyze.SecondsPerMonth
}

// idleMinInstances: a service billed for minimum instances while it served
// requests in fewer than IdleHoursShare of the window's hours. The saving
// is the minimum instances' idle time at what an idle minimum instance
// costs: the cost model's idle minimum-instance seconds under
// request-based billing; under instance-based billing, where idle time is
// billed at the active rate, the idle share of billable time, at most the
// minimum instances times the window.
func idleMinInstances(in wasteInput) []Waste {
	svc, c := in.rpt.Service, in.rpt.Cost
	if svc.MinInstances <= 0 || c.BillableInstanceSeconds <= 0 {
		return nil
	}
	served, hours := servedHours(in.rpt)
	if hours == 0 || float64(served) >= IdleHoursShare*float64(hours) {
		return nil
	}
	idle := c.IdleMinInstanceSeconds
	if svc.Billing == model.BillingInstance {
		if !in.fullLogs {
			return nil // the idle share needs the whole request log
		}
		idle = min(c.BillableInstanceSeconds*c.IdleShare, float64(svc.MinInstances)*in.rpt.Window.End.Sub(in.rpt.Window.Start).Seconds())
	}
	if idle <= 0 {
		return nil
	}
	rate := minInstanceUSDPerSecond(c)
	basis := map[string]float64{"min_instances": float64(svc.MinInstances), "hours_with_requests": float64(served), "hours": float64(hours),
		"idle_min_instance_seconds": idle, "usd_per_idle_instance_second": rate}
	return []Waste{newWaste(in, WasteIdleMinInstances, analyze.SeverityWarn, idle*rate,
		wasteSourceBillable+", request_count metric (or request logs) per hour, service min instances", basis,
		"set min instances to 0, or keep them only for the hours that serve",
		fmt.Sprintf("%d min instances billed all window while requests came in %d of %d hours (%.0f idle instance-seconds)",
			svc.MinInstances, served, hours, idle))}
}

// servedHours counts the window's hours with at least one request (from
// request_count, or the request logs where the metric is absent) and the
// window's hours.
func servedHours(rpt *analyze.Report) (served, hours int) {
	w := rpt.Window
	hours = int(math.Ceil(w.End.Sub(w.Start).Hours()))
	seen := map[int]bool{}
	for _, p := range rpt.Series.StatusClasses {
		if p.C2xx+p.C3xx+p.C4xx+p.C5xx <= 0 || p.Time.Before(w.Start) || !p.Time.Before(w.End) {
			continue
		}
		seen[int(p.Time.Sub(w.Start)/time.Hour)] = true
	}
	return len(seen), hours
}

// Valid Cloud Run sizes. CPU: whole vCPUs (fractions need concurrency 1
// and are not recommended here); memory: the usual steps from the second
// generation's minimum of 512 MiB to the maximum of 32 GiB. Each CPU limit
// allows a range of memory (https://cloud.google.com/run/docs/configuring/services/cpu,
// https://cloud.google.com/run/docs/configuring/services/memory-limits):
// 1 vCPU up to 4 GiB, 2 up to 8 GiB, 4 from 2 to 16 GiB, 6 from 4 to
// 24 GiB, 8 from 4 to 32 GiB.
var (
	cpuSizes    = []float64{1, 2, 4, 6, 8}
	memorySizes = []int64{512, 1024, 2048, 4096, 8192, 16384, 24576, 32768}
	memoryRange = map[float64][2]int64{1: {512, 4096}, 2: {512, 8192}, 4: {2048, 16384}, 6: {4096, 24576}, 8: {4096, 32768}}
)

// Size is a Cloud Run instance size.
type Size struct {
	CPU       float64 `json:"cpu"`
	MemoryMiB int64   `json:"memory_mib"`
}

// SmallestSize is the smallest valid size with at least cpu vCPUs and
// memMiB of memory; false when none is that large.
func SmallestSize(cpu, memMiB float64) (Size, bool) {
	for _, c := range cpuSizes {
		if c < cpu {
			continue
		}
		for _, m := range memorySizes {
			r := memoryRange[c]
			if float64(m) >= memMiB && m >= r[0] && m <= r[1] {
				return Size{c, m}, true
			}
		}
	}
	return Size{}, false
}

// rightsize: the smallest valid size that keeps CPU p99 under CPUTarget and
// memory above the peak plus MemoryHeadroom. Each of CPU and memory that
// it lowers is a finding, saving the cost model's CPU (or memory) cost
// times the share of the limit given back: billable time is assumed
// unchanged, since the CPU left keeps p99 under the target. Services with
// GPUs, sidecars or less than 1 vCPU are left alone.
func rightsize(in wasteInput) []Waste {
	svc, r, c := in.rpt.Service, in.rpt.Resources, in.rpt.Cost
	if !r.HasCPU || !r.HasMemory || c.BillableInstanceSeconds <= 0 || svc.GPUs > 0 || svc.Containers > 1 || svc.CPU < 1 || svc.MemoryMiB <= 0 {
		return nil
	}
	peak, ok := analyze.UtilizationPeak(in.ds, model.MetricMemoryUtilizations, in.rpt.Window)
	if !ok {
		return nil
	}
	cpuNeed := svc.CPU * r.CPUP99 / CPUTarget
	peakMiB := peak * float64(svc.MemoryMiB)
	memNeed := peakMiB * (1 + MemoryHeadroom)
	size, ok := SmallestSize(cpuNeed, memNeed)
	if !ok {
		return nil
	}
	basis := map[string]float64{"cpu": svc.CPU, "memory_mib": float64(svc.MemoryMiB), "cpu_p99": r.CPUP99, "cpu_target": CPUTarget,
		"cpu_needed": cpuNeed, "memory_peak": peak, "memory_peak_mib": peakMiB, "memory_headroom": MemoryHeadroom,
		"memory_needed_mib": memNeed, "recommended_cpu": size.CPU, "recommended_memory_mib": float64(size.MemoryMiB)}
	rec := fmt.Sprintf("deploy with --cpu %s --memory %dMi", trimFloat(size.CPU), size.MemoryMiB)
	var out []Waste
	if size.CPU < svc.CPU {
		share := 1 - size.CPU/svc.CPU
		b := withKeys(basis, map[string]float64{"cpu_usd": c.CPUUSD, "share_saved": share})
		out = append(out, newWaste(in, WasteRightsizeCPU, analyze.SeverityWarn, c.CPUUSD*share, wasteSourceUtilizations+", cost model's CPU cost", b, rec,
			fmt.Sprintf("CPU p99 %.1f %% of %s vCPU uses %.2f vCPU; %s vCPU keeps p99 under %.0f %%",
				100*r.CPUP99, trimFloat(svc.CPU), svc.CPU*r.CPUP99, trimFloat(size.CPU), 100*CPUTarget)))
	}
	if size.MemoryMiB < svc.MemoryMiB {
		share := 1 - float64(size.MemoryMiB)/float64(svc.MemoryMiB)
		b := withKeys(basis, map[string]float64{"memory_usd": c.MemoryUSD, "share_saved": share})
		out = append(out, newWaste(in, WasteRightsizeMemory, analyze.SeverityWarn, c.MemoryUSD*share, wasteSourceUtilizations+", cost model's memory cost", b, rec,
			fmt.Sprintf("memory peaked at %.0f MiB of %d MiB; %d MiB holds the peak plus %.0f %%",
				peakMiB, svc.MemoryMiB, size.MemoryMiB, 100*MemoryHeadroom)))
	}
	return out
}

func withKeys(a, b map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func trimFloat(v float64) string { return strings.TrimSuffix(fmt.Sprintf("%.3g", v), ".0") }

// billingRequestBased: an instance-based service that request-based
// billing would have charged at least BillingMinShare less for the same
// window (the cost model's other billing, rebuilt from the request logs:
// busy time, startups and shutdowns, plus the request fee). Services with
// minimum instances or GPUs are left alone: request-based billing would
// still bill the former idle, and the latter need instance-based billing.
func billingRequestBased(in wasteInput) []Waste {
	svc, c := in.rpt.Service, in.rpt.Cost
	alt := c.OtherBilling
	if svc.Billing != model.BillingInstance || !in.fullLogs || alt == nil || alt.Billing != model.BillingRequest || svc.MinInstances > 0 || svc.GPUs > 0 {
		return nil
	}
	saving := c.TotalUSD - alt.TotalUSD
	if c.TotalUSD <= 0 || saving < BillingMinShare*c.TotalUSD {
		return nil
	}
	basis := map[string]float64{"cost_usd": c.TotalUSD, "billable_instance_seconds": c.BillableInstanceSeconds,
		"request_based_cost_usd": alt.TotalUSD, "request_based_billable_seconds": alt.BillableInstanceSeconds}
	return []Waste{newWaste(in, WasteBillingRequest, analyze.SeverityWarn, saving, wasteSourceBillable+", request logs (busy time, startups, shutdowns)", basis,
		"switch to request-based billing (gcloud run services update --cpu-throttling)",
		fmt.Sprintf("instance-based billing charged %.0f instance-seconds ($%.4g); request-based billing would have charged %.0f ($%.4g)",
			c.BillableInstanceSeconds, c.TotalUSD, alt.BillableInstanceSeconds, alt.TotalUSD))}
}

// cpuBoostUnused: startup CPU boost billed while no request waited for any
// startup of the window (no instance's first request came before it was
// ready): a shorter startup nobody waits for buys nothing. The saving is
// the boost's extra vCPU-seconds at the active CPU rate the cost used, as
// startups are billed active. It needs the whole request log and startups
// whose readiness was logged.
func cpuBoostUnused(in wasteInput) []Waste {
	svc, c := in.rpt.Service, in.rpt.Cost
	if !svc.StartupCPUBoost || c.BoostVCPUSeconds <= 0 || !in.fullLogs {
		return nil
	}
	starts := 0
	for _, l := range in.rpt.Series.Lanes {
		if l.Ready.IsZero() || l.Start.Before(in.rpt.Window.Start) {
			continue
		}
		starts++
		if !l.FirstRequest.IsZero() && l.FirstRequest.Before(l.Ready) {
			return nil
		}
	}
	if starts == 0 {
		return nil
	}
	rate := c.PriceTable.USDPerVCPUSecond
	basis := map[string]float64{"startups": float64(starts), "boost_vcpu_seconds": c.BoostVCPUSeconds, "usd_per_vcpu_second": rate}
	return []Waste{newWaste(in, WasteCPUBoostUnused, analyze.SeverityInfo, c.BoostVCPUSeconds*rate,
		"system log (instance starts and startup probes), request logs, cost model's boost vCPU-seconds", basis,
		"turn startup CPU boost off (gcloud run services update --no-cpu-boost)",
		fmt.Sprintf("startup CPU boost billed %.0f extra vCPU-seconds over %d startups, and no request waited for any of them", c.BoostVCPUSeconds, starts))}
}

// staleRevisions: revisions the service's traffic gives no percent. One
// still billed in the window while it served no request holds minimum
// instances (a tagged revision keeps its revision-level minimum): the
// saving is its billable time at what an idle minimum instance of the
// service costs (the revision is assumed of the service's size). A tag on
// a revision that was neither billed nor requested is only clutter: a
// finding without saving.
func staleRevisions(in wasteInput) []Waste {
	if in.ds == nil || in.ds.Service == nil {
		return nil
	}
	billed := analyze.RevisionSums(in.ds, model.MetricBillableTime, in.rpt.Window)
	requested := analyze.RevisionSums(in.ds, model.MetricRequestCount, in.rpt.Window)
	var out []Waste
	for _, t := range in.ds.Service.Traffic {
		if t.Percent > 0 || t.Latest || t.Revision == "" || requested[t.Revision] > 0 {
			continue
		}
		tag := ""
		if t.Tag != "" {
			tag = fmt.Sprintf(" (tag %s)", t.Tag)
		}
		if s := billed[t.Revision]; s > 0 {
			rate := minInstanceUSDPerSecond(in.rpt.Cost)
			basis := map[string]float64{"billable_instance_seconds": s, "usd_per_idle_instance_second": rate}
			source := wasteSourceBillable + " by revision_name, request_count by revision_name, service traffic_statuses"
			holds := "it holds minimum instances"
			if t.MinInstances != nil {
				basis["revision_min_instances"] = float64(*t.MinInstances)
				source += ", the revision's scaling (Revisions API)"
				holds = "its own scaling keeps " + english.Plural(int64(*t.MinInstances), "minimum instance", "minimum instances")
			}
			out = append(out, newWaste(in, WasteStaleRevisionMin, analyze.SeverityWarn, s*rate, source, basis,
				"remove the tag, or set the revision's min instances to 0",
				fmt.Sprintf("revision %s%s has no traffic and served no request, yet was billed %.0f instance-seconds: %s",
					t.Revision, tag, s, holds)))
			continue
		}
		if t.Tag != "" {
			out = append(out, newWaste(in, WasteUnusedTag, analyze.SeverityInfo, 0,
				"service traffic_statuses, request_count by revision_name", map[string]float64{"requests": 0},
				"remove the tag (gcloud run services update-traffic --remove-tags "+t.Tag+")",
				fmt.Sprintf("tag %s on revision %s has no traffic and no request in the window", t.Tag, t.Revision)))
		}
	}
	return out
}
