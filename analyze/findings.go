package analyze

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/runlens/runlens/internal/english"
)

// findingInput is what the finding rules look at.
type findingInput struct {
	rpt         *Report
	unexplained int64
	recon       reconcileTotals
}

// findings applies every rule and sorts the results, most severe first.
func findings(in findingInput) []Finding {
	out := []Finding{}
	for _, rule := range []func(findingInput) []Finding{
		coldStartFinding, churnFinding, memoryFindings, idleFinding, cpuFinding, errorFindings, reconcileFinding, strayFindings, approximateFinding, gpuIdleFinding,
	} {
		out = append(out, rule(in)...)
	}
	rank := map[string]int{SeverityCrit: 0, SeverityWarn: 1, SeverityInfo: 2}
	slices.SortStableFunc(out, func(a, b Finding) int { return cmp.Compare(rank[a.Severity], rank[b.Severity]) })
	return out
}

func coldStartFinding(in findingInput) []Finding {
	cs, c := in.rpt.ColdStarts, in.rpt.Cost
	if cs.Count == 0 {
		return nil
	}
	waited := int64(cs.ShareOfRequests*float64(in.rpt.Server.Total.Requests) + 0.5)
	sev := SeverityInfo
	if cs.ShareOfRequests >= 0.001 && cs.PenaltyP50MS >= 1000 {
		sev = SeverityWarn
	}
	return []Finding{{ID: "cold_starts", Severity: sev, Value: float64(cs.Count), Message: fmt.Sprintf(
		"%s added %s p50 to %s (%s); min-instances=1 would cost up to $%.2f/month",
		english.Plural(int64(cs.Count), "cold start", "cold starts"), seconds(cs.PenaltyP50MS), english.Plural(waited, "request", "requests"),
		percent(cs.ShareOfRequests), c.MinInstance1USDPerMonth)}}
}

// minChurn is the least number of steady-traffic starts that is called churn.
const minChurn = 3

func churnFinding(in findingInput) []Finding {
	cs := in.rpt.ColdStarts
	if cs.Churn < minChurn {
		return nil
	}
	return []Finding{{ID: "cold_start_churn", Severity: SeverityWarn, Value: float64(cs.Churn), Message: fmt.Sprintf(
		"%s of %s happened while traffic was steady: instances keep being replaced and the service never reaches a steady state (penalty p95 %s)",
		english.Count(int64(cs.Churn)), english.Plural(int64(cs.Count), "cold start", "cold starts"), seconds(cs.PenaltyP95MS))}}
}

func memoryFindings(in findingInput) []Finding {
	r, svc := in.rpt.Resources, in.rpt.Service
	var out []Finding
	if r.MemoryLimitExceededEvents > 0 {
		out = append(out, Finding{ID: "memory_limit_exceeded", Severity: SeverityCrit, Value: float64(r.MemoryLimitExceededEvents),
			Message: fmt.Sprintf("the memory limit of %s was exceeded %s: instances were killed", mib(svc.MemoryMiB), times(int64(r.MemoryLimitExceededEvents)))})
	}
	if r.CrashEvents > 0 {
		out = append(out, Finding{ID: "crashes", Severity: SeverityWarn, Value: float64(r.CrashEvents),
			Message: english.Plural(int64(r.CrashEvents), "container crash or exit was logged", "container crashes or exits were logged")})
	}
	if r.HasMemory && r.MemoryP99 >= 0.8 {
		sev := SeverityInfo
		if r.MemoryP99 >= 0.9 {
			sev = SeverityWarn
		}
		out = append(out, Finding{ID: "memory_high", Severity: sev, Value: r.MemoryP99,
			Message: fmt.Sprintf("memory p99 reached %s of the %s limit (p50 %s)", percent(r.MemoryP99), mib(svc.MemoryMiB), percent(r.MemoryP50))})
	}
	return out
}

func idleFinding(in findingInput) []Finding {
	c := in.rpt.Cost
	if c.BillableInstanceSeconds <= 0 || c.IdleShare < 0.4 {
		return nil
	}
	return []Finding{{ID: "idle_time", Severity: SeverityWarn, Value: c.IdleShare, Message: fmt.Sprintf(
		"%s of billable instance time had no request in flight (%s of %s instance-seconds)",
		percent(c.IdleShare), wholeCount(c.IdleShare*c.BillableInstanceSeconds), wholeCount(c.BillableInstanceSeconds))}}
}

func cpuFinding(in findingInput) []Finding {
	r, c := in.rpt.Resources, in.rpt.Cost
	if !r.HasCPU || c.BillableInstanceSeconds <= 0 || r.CPUP95 >= 0.3 {
		return nil
	}
	return []Finding{{ID: "cpu_waiting", Severity: SeverityInfo, Value: r.CPUP95, Message: fmt.Sprintf(
		"CPU p95 was only %s while %s instance-seconds were billed: instances mostly waited", percent(r.CPUP95), wholeCount(c.BillableInstanceSeconds))}}
}

func errorFindings(in findingInput) []Finding {
	var out []Finding
	t := in.rpt.Server.Total
	if t.Requests > 0 {
		bad := t.Requests - t.Status2xx - t.Status3xx - t.Status4xx
		if f, ok := rateFinding("server_errors", bad, t.Requests, "server requests failed (5xx or no response)"); ok {
			out = append(out, f)
		}
	}
	if c := in.rpt.Client; c != nil && c.Total.Requests > 0 {
		if f, ok := rateFinding("client_failures", c.Total.Failures, c.Total.Requests, "client requests failed"); ok {
			out = append(out, f)
		}
	}
	return out
}

func rateFinding(id string, bad, total int64, what string) (Finding, bool) {
	rate := float64(bad) / float64(total)
	if rate < 0.01 {
		return Finding{}, false
	}
	sev := SeverityWarn
	if rate >= 0.05 {
		sev = SeverityCrit
	}
	return Finding{ID: id, Severity: sev, Value: rate, Message: fmt.Sprintf("%s of %s (%s of %s)", percent(rate), what, english.Count(bad), english.Count(total))}, true
}

func reconcileFinding(in findingInput) []Finding {
	if in.unexplained == 0 {
		return nil
	}
	n := in.unexplained
	if n < 0 {
		n = -n
	}
	return []Finding{{ID: "unexplained_difference", Severity: SeverityWarn, Value: float64(n), Message: english.Plural(n,
		"request differs", "requests differ") + " between client and server with no explanation"}}
}

func approximateFinding(in findingInput) []Finding {
	c := in.rpt.Client
	if c == nil || !c.ApproximatePercentiles {
		return nil
	}
	return []Finding{{ID: "client_percentiles_approximate", Severity: SeverityInfo, Value: 1, Message: fmt.Sprintf(
		"%s rounds response times into buckets (147 ms becomes 150): client percentiles are approximate, server percentiles exact", c.Tool)}}
}

func percent(f float64) string {
	if f > 0 && f < 0.001 {
		return fmt.Sprintf("%.2f %%", f*100) // 0.03 %, not 0.0 %
	}
	if f < 0.1 {
		return fmt.Sprintf("%.1f %%", f*100)
	}
	return fmt.Sprintf("%.0f %%", f*100)
}

func seconds(msv float64) string {
	if msv < 1000 {
		return fmt.Sprintf("%.0f ms", msv)
	}
	return fmt.Sprintf("%.1f s", msv/1000)
}

func mib(m int64) string {
	if m%1024 == 0 {
		return english.Count(m/1024) + " GiB"
	}
	return english.Count(m) + " MiB"
}

// times says how often: once, twice, 3 times, 1,250 times.
func times(n int64) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return english.Count(n) + " times"
}

// wholeCount writes a quantity rounded to a whole number, grouped in
// thousands.
func wholeCount(v float64) string { return english.Count(int64(math.Round(v))) }
