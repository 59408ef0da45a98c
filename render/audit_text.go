package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
)

// AuditText writes the audit as terminal tables: a summary, a row per
// service sorted by cost, the thresholds crossed, and what was not read.
func AuditText(w io.Writer, a *audit.Audit, opts Options) error { return writeAudit(w, a, opts, false) }

// AuditMarkdown writes the same as Markdown, for a CI job summary or a
// pull-request comment. Log-derived text is escaped.
func AuditMarkdown(w io.Writer, a *audit.Audit, opts Options) error {
	return writeAudit(w, a, opts, true)
}

func writeAudit(w io.Writer, a *audit.Audit, opts Options, md bool) error {
	var crossed []string
	for _, r := range a.CrossedAt(analyze.SeverityInfo) {
		crossed = append(crossed, fmt.Sprintf("[%s] %s: %s", r.Severity, r.Service, r.Message))
	}
	width := termWidth(opts)
	secs := []section{auditServiceTable(a), auditWasteTable(a)}
	if billed := auditBilledTable(a); len(billed.rows) > 0 {
		secs = append(secs, billed)
	}
	secs = append(secs, list{heading: "Thresholds crossed", items: crossed})
	secs = append(secs, recSections(a)...)
	secs = append(secs, auditAroundSections(a)...)
	secs = append(secs, list{heading: "Logs not read whole, and warnings", items: auditNotes(a)})
	return writeDoc(w, md, markdownLimit(opts), width, docHead(auditTitle(a, opts), md, width)+auditSummary(a)+"\n\n", secs)
}

// auditSummary is the headline paragraph.
func auditSummary(a *audit.Audit) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Window %s to %s UTC; %s; %s. Cost: %s", a.Window.Start.UTC().Format("2006-01-02 15:04"),
		a.Window.End.UTC().Format("2006-01-02 15:04"), pagePlural(int64(len(a.Services)), "service", "services"),
		pagePlural(a.TotalRequests, "request", "requests"), pageUSD(a.TotalCostUSD))
	if t := a.Baseline; t != nil && t.CostChangePct != nil {
		fmt.Fprintf(&b, " (%s against the median of %s, %s)", pageSignedPct(*t.CostChangePct), pagePlural(int64(t.Runs), "earlier run", "earlier runs"),
			pageUSD(t.BaselineCostUSD))
	}
	fmt.Fprintf(&b, ".\nThresholds: %s crossed of %s checked. Cloud Logging: %s made", pageCount(int64(a.Crossed)), pageCount(int64(len(a.Thresholds))),
		pagePlural(int64(a.LogBudget.Used), "entries.list call", "entries.list calls"))
	if a.LogBudget.MaxCalls >= 0 {
		fmt.Fprintf(&b, " of a budget of %s", pageCount(int64(a.LogBudget.MaxCalls)))
	}
	b.WriteString(".")
	return b.String()
}

func auditServiceTable(a *audit.Audit) table {
	t := table{title: "Services by cost", left: 3,
		header: []string{"#", "Service", "Region", "Requests", "Cost", "vs median", "Idle", "Cold starts", "Errors", "p95 ms", "Logs", "Findings"}}
	for i := range a.Services {
		r := auditRowOf(i+1, "", &a.Services[i])
		t.rows = append(t.rows, []string{strconv.Itoa(r.Rank), r.Name, r.Region, r.Requests, r.Cost, r.Change, r.Idle, r.ColdStarts,
			r.ErrorRate, r.P95, r.Logs, r.Flags})
	}
	return t
}
