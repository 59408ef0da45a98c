package analyze

import (
	"fmt"
	"strings"

	"github.com/runlens/runlens/internal/english"
)

// Verdict is the report in one sentence, and what to do, with numbers.
type Verdict struct {
	Summary         string           `json:"summary"`
	Recommendations []Recommendation `json:"recommendations"`
}

// Recommendation is one thing to do, and what it would save or cost.
type Recommendation struct {
	// ID is one of switch_billing, min_instances, memory, explain_counts,
	// stray_traffic, connection_errors.
	ID   string `json:"id"`
	Text string `json:"text"`
	// SavingUSD is what the window would have cost less; CostUSDPerMonth
	// what the change costs a month. Zero where it does not apply.
	SavingUSD       float64 `json:"saving_usd,omitempty"`
	CostUSDPerMonth float64 `json:"cost_usd_per_month,omitempty"`
}

// minSaving is the least share of the window's cost a billing switch must
// save to be recommended: below it the estimate's own error may decide.
const minSaving = 0.1

// verdictOf sums the report up and recommends, most valuable first: the
// cheaper billing mode, minimum instances against cold starts, memory after
// kills, then what the count comparison could not explain or found that
// was not the load test's.
func verdictOf(rpt *Report, recon reconcileTotals) Verdict {
	v := Verdict{Summary: verdictSummary(rpt), Recommendations: []Recommendation{}}
	add := func(r Recommendation) { v.Recommendations = append(v.Recommendations, r) }
	c, cs, svc := rpt.Cost, rpt.ColdStarts, rpt.Service
	if o := c.OtherBilling; o != nil && c.TotalUSD > 0 && c.TotalUSD-o.TotalUSD >= minSaving*c.TotalUSD {
		add(Recommendation{ID: "switch_billing", SavingUSD: c.TotalUSD - o.TotalUSD, Text: fmt.Sprintf(
			"Switch to %s-based billing: this window would have cost $%.4g instead of $%.4g (%s less).",
			o.Billing, o.TotalUSD, c.TotalUSD, percent((c.TotalUSD-o.TotalUSD)/c.TotalUSD))})
	}
	if cs.Count > 0 && svc.MinInstances == 0 && (cs.PenaltyP50MS >= 1000 || cs.Churn >= minChurn) {
		waited := int64(cs.ShareOfRequests*float64(rpt.Server.Total.Requests) + 0.5)
		add(Recommendation{ID: "min_instances", CostUSDPerMonth: c.MinInstance1USDPerMonth, Text: fmt.Sprintf(
			"Set min-instances=1 (about $%.2f a month): %s added %s (p50) to %s; "+
				"an instance kept warm takes the first of them.", c.MinInstance1USDPerMonth, english.Plural(int64(cs.Count), "cold start", "cold starts"),
			seconds(cs.PenaltyP50MS), english.Plural(waited, "request", "requests"))})
	}
	if n := rpt.Resources.MemoryLimitExceededEvents; n > 0 {
		add(Recommendation{ID: "memory", Text: fmt.Sprintf(
			"Raise memory above %s, or lower concurrency from %s: instances were killed %s for exceeding their memory%s.",
			mib(svc.MemoryMiB), english.Count(int64(svc.Concurrency)), times(int64(n)), memoryP99(rpt.Resources))})
	}
	if recon.unexplained != 0 {
		add(Recommendation{ID: "explain_counts", Text: fmt.Sprintf(
			"Explain %s between client and server with nothing to account for them: "+
				"look for log exclusion filters, sampling, or a second load generator.",
			english.Plural(abs64(recon.unexplained), "request that differs", "requests that differ"))})
	}
	if s := recon.strays; s.outside+s.otherClient > 0 {
		add(Recommendation{ID: "stray_traffic", Text: fmt.Sprintf(
			"Leave out the %s not the load test's (%s) before comparing: "+
				"filter the logs by user agent or time (-filter), or collect a window that fits the run.",
			english.Plural(s.outside+s.otherClient, "server request that was", "server requests that were"), strayParts(s))})
	}
	if recon.connFail > 0 {
		add(Recommendation{ID: "connection_errors", Text: fmt.Sprintf(
			"Look at the load generator: %s that never reached the service.",
			english.Plural(recon.connFail, "of its failures was a connection error", "of its failures were connection errors"))})
	}
	return v
}

// verdictSummary says in one sentence what happened and what it cost.
func verdictSummary(rpt *Report) string {
	var b strings.Builder
	name := rpt.Service.Name
	if name == "" {
		name = "The service"
	}
	t := rpt.Server.Total
	switch {
	case t.Requests > 0:
		fmt.Fprintf(&b, "%s served %s (p50 %s, p95 %s)", name, english.Plural(t.Requests, "request", "requests"), seconds(t.P50MS), seconds(t.P95MS))
	case rpt.Client != nil:
		fmt.Fprintf(&b, "The client sent %s (p50 %s, p95 %s; no server logs)", english.Plural(rpt.Client.Total.Requests, "request", "requests"),
			seconds(rpt.Client.Total.P50MS), seconds(rpt.Client.Total.P95MS))
	default:
		fmt.Fprintf(&b, "%s: no request logs and no client results", name)
	}
	if rpt.Client != nil && t.Requests > 0 {
		fmt.Fprintf(&b, " to a client that counted %s with %s", english.Count(rpt.Client.Total.Requests),
			english.Plural(rpt.Client.Total.Failures, "failure", "failures"))
	}
	if n := rpt.ColdStarts.Count; n > 0 {
		fmt.Fprintf(&b, ", with %s", english.Plural(int64(n), "cold start", "cold starts"))
	}
	if c := rpt.Cost; c.TotalUSD > 0 {
		fmt.Fprintf(&b, ", for $%.4g (%s of its billable time idle)", c.TotalUSD, percent(c.IdleShare))
	}
	b.WriteString(".")
	return b.String()
}

func memoryP99(r Resources) string {
	if !r.HasMemory {
		return ""
	}
	return fmt.Sprintf(" (memory p99 %s of the limit)", percent(r.MemoryP99))
}

func strayParts(s strays) string {
	var parts []string
	if s.outside > 0 {
		parts = append(parts, english.Count(s.outside)+" outside the client's run")
	}
	if s.otherClient > 0 {
		parts = append(parts, english.Count(s.otherClient)+" from other clients during it")
	}
	return strings.Join(parts, ", ")
}

// strayFindings report server traffic that was not the load test's, and
// client failures that never reached the service.
func strayFindings(in findingInput) []Finding {
	var out []Finding
	if s := in.recon.strays; s.outside+s.otherClient > 0 {
		out = append(out, Finding{ID: "stray_traffic", Severity: SeverityInfo, Value: float64(s.outside + s.otherClient),
			Message: english.Plural(s.outside+s.otherClient, "server request was", "server requests were") + " not the load test's: " + strayParts(s)})
	}
	if n := in.recon.connFail; n > 0 {
		out = append(out, Finding{ID: "connection_errors", Severity: SeverityWarn, Value: float64(n),
			Message: english.Plural(n, "client failure was a connection error", "client failures were connection errors") + " that never reached the service"})
	}
	return out
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// ApplyWhatIf puts a what-if analysis (package whatif) of the report's
// own traffic into it, and holds the billing and min-instances
// recommendations to it: a prediction that saves or fixes beyond its error
// bound makes (or keeps) the recommendation, with the replayed figures and
// their error; one that changes nothing beyond its bound, or makes things
// worse, removes it, and the summary says why.
func ApplyWhatIf(rpt *Report, w *WhatIf) {
	rpt.WhatIf = w
	if w == nil {
		return
	}
	recs := rpt.Verdict.Recommendations[:0:0]
	has := map[string]bool{}
	for _, r := range rpt.Verdict.Recommendations {
		if r.ID != "switch_billing" && r.ID != "min_instances" {
			recs = append(recs, r)
		}
		has[r.ID] = true
	}
	var replayed []Recommendation
	for i, a := range w.Advice {
		p := w.Predictions[i]
		var id string
		switch {
		case p.Billing != w.Observed.Billing && p.MinInstances == w.Observed.MinInstances:
			id = "switch_billing"
		case p.Billing == w.Observed.Billing && p.MinInstances > w.Observed.MinInstances:
			id = "min_instances"
		default:
			continue
		}
		if a.Kind != AdviceSaves && a.Kind != AdviceFixes {
			if has[id] {
				rpt.Verdict.Summary += fmt.Sprintf(" Not recommended after replaying the traffic: %s", a.Text)
			}
			continue
		}
		r := Recommendation{ID: id, Text: "Replayed: " + a.Text}
		if id == "switch_billing" {
			r.SavingUSD = w.Observed.CostUSD - p.CostUSD
		} else {
			r.CostUSDPerMonth = rpt.Cost.MinInstance1USDPerMonth * float64(p.MinInstances-w.Observed.MinInstances)
		}
		replayed = append(replayed, r)
	}
	rpt.Verdict.Recommendations = append(append([]Recommendation{}, replayed...), recs...)
}
