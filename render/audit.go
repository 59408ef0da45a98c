package render

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/model"
)

//go:embed audit_page.html
var auditPageSource string

var auditTemplate = template.Must(template.Must(template.New("audit").Parse(auditPageSource)).Parse(partsSource))

// pageStyle is the report page's style sheet, shared by the audit page so
// that both read alike.
var pageStyle = func() template.CSS {
	_, after, _ := strings.Cut(pageSource, "<style>")
	css, _, _ := strings.Cut(after, "</style>")
	return template.CSS(css)
}()

// Caps on the audit page; the JSON has everything.
const (
	maxEndpointRows = 20
	openDetails     = 1 // the most expensive services start open
)

// AuditHTML writes the audit as one self-contained page: summary cards, the
// thresholds crossed, a row per service sorted by cost, the cost by service
// and night as charts, and each service's detail in a collapsible section.
// The page fetches nothing; every string reaches it through html/template
// escaping or as escaped JSON.
func AuditHTML(w io.Writer, a *audit.Audit, opts Options) error {
	return writeAuditHTML(w, a, opts, echartsJS)
}

func writeAuditHTML(w io.Writer, a *audit.Audit, opts Options, library string) error {
	if a == nil {
		return errors.New("rendering audit html: no audit")
	}
	specs, err := auditCharts(a)
	if err != nil {
		return fmt.Errorf("rendering audit html: %w", err)
	}
	js, err := htmlChartsScript(specs)
	if err != nil {
		return fmt.Errorf("rendering audit html: %w", err)
	}
	v := newAuditView(a, opts)
	v.Charts, v.ChartsJS, v.Library = specs, js, template.JS(library)
	return executePage(w, auditTemplate, v, "audit html")
}

// AuditJSON writes the audit contract, indented.
func AuditJSON(w io.Writer, a *audit.Audit) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}

// auditView is everything audit_page.html shows, formatted.
type auditView struct {
	Title        string
	Style        template.CSS
	Meta         []string
	Cards        []htmlCard
	Notes        []string
	NotesOpen    bool
	Crossed      []htmlFinding
	NoneCrossed  string
	ServiceNotes []string
	Head         []string
	Rows         []auditRow
	Recs         *htmlTable // Google's recommendations; nil when not read
	Charts       []chartSpec
	ChartsJS     template.JS
	Library      template.JS
	Details      []auditDetail
	Around       *auditAround
	AroundTitle  string
	Waste        htmlTable
	// Billed is the project's bill against the sum of the models (a
	// standard export, which names no service).
	Billed []htmlTable
}

type auditRow struct {
	Rank                                   int
	Anchor, Name, Region, Requests, Cost   string
	Change, ChangeClass, Idle, ColdStarts  string
	ErrorRate, P95, Logs, LogStatus, Flags string
	Flagged                                bool
}

type auditDetail struct {
	Anchor, Name, Summary, Error, LogNote string
	Open                                  bool
	Findings                              []htmlFinding
	Tables                                []htmlTable
}

func newAuditView(a *audit.Audit, opts Options) *auditView {
	v := &auditView{Title: auditTitle(a, opts), Style: pageStyle, Meta: auditMeta(a), Cards: auditCards(a),
		Notes: htmlCapList(auditNotes(a), maxWarningsShown),
		Head: []string{"#", "Service", "Region", "Requests", "Cost", "vs median", "Idle share", "Cold starts", "Error rate",
			"p95 ms", "Logs", "Findings"},
		ServiceNotes: []string{"Most expensive first. \"vs median\" compares the cost with the median of the same service in the last " +
			strconv.Itoa(audit.MedianOf) + " runs, each scaled to this window's length. — means not measured: see the service's logs column."}}
	v.NotesOpen = len(v.Notes) <= collapseNotesAt
	if a.Billed != nil {
		v.Billed = []htmlTable{htmlBilledTable(a.Billed)}
	}
	for _, r := range a.CrossedAt(analyze.SeverityInfo) {
		v.Crossed = append(v.Crossed, htmlFinding{Severity: r.Severity, Message: pageText(r.Service) + ": " + pageText(r.Message)})
	}
	v.Around, v.AroundTitle = newAuditAround(a), aroundTitle
	v.Waste = auditWasteHTML(a)
	v.Recs = recView(a)
	v.NoneCrossed = fmt.Sprintf("No threshold was crossed (%s checked).", pageCount(int64(len(a.Thresholds))))
	for i := range a.Services {
		s := &a.Services[i]
		anchor := "svc-" + strconv.Itoa(i+1)
		v.Rows = append(v.Rows, auditRowOf(i+1, anchor, s))
		v.Details = append(v.Details, auditDetailOf(anchor, s, i < openDetails))
	}
	return v
}

func auditTitle(a *audit.Audit, opts Options) string {
	if opts.Title != "" {
		return clip(opts.Title)
	}
	if a.Project != "" {
		return "runlens audit: " + clip(a.Project)
	}
	return "runlens audit"
}

func auditMeta(a *audit.Audit) []string {
	region := a.Region
	if region == "" || region == "-" {
		region = "every region"
	}
	m := []string{"Window: " + htmlWindow(a.Window.Start, a.Window.End), "Project: " + pageText(a.Project) + ", " + pageText(region)}
	b := a.LogBudget
	budget := "no limit"
	if b.MaxCalls >= 0 {
		budget = "a budget of " + pageCount(int64(b.MaxCalls))
	}
	m = append(m, fmt.Sprintf("Cloud Logging: %s made, %s needed, %s, at most %s a minute",
		pagePlural(int64(b.Used), "entries.list call", "entries.list calls"), pageCount(int64(b.Needed)), budget, pageCount(int64(b.PerMinute))))
	if q := a.BigQuery; q != nil {
		m = append(m, auditBigQuery(q))
	}
	m = append(m, "API calls: "+apiCallList(a.APICalls))
	if len(a.History) > 0 {
		m = append(m, fmt.Sprintf("Compared with %s, %s to %s", pagePlural(int64(len(a.History)), "earlier run", "earlier runs"),
			a.History[0].Date, a.History[len(a.History)-1].Date))
	} else {
		m = append(m, "No earlier run to compare with")
	}
	if !a.Generated.IsZero() {
		m = append(m, "Generated: "+a.Generated.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return m
}

// auditBigQuery says where the logs were read in BigQuery and by which
// jobs: "BigQuery: logs read from P.D (log sink): summary job J, 1,234 bytes
// processed; system job K, ...".
func auditBigQuery(q *model.BigQueryRead) string {
	var jobs []string
	for _, j := range q.Queries {
		what := "refused"
		if !j.Refused {
			what = "job " + j.JobID + ", " + pagePlural(j.ProcessedBytes, "byte", "bytes") + " processed"
		}
		jobs = append(jobs, j.Name+" "+what)
	}
	return pageText("BigQuery: logs read from " + q.Dataset + " (" + q.Layout + "): " + strings.Join(jobs, "; "))
}

// apiCallList writes calls by method, sorted: "GetService 3, ListLogEntries 12".
func apiCallList(calls map[string]int) string {
	if len(calls) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKeys(calls) {
		parts = append(parts, fmt.Sprintf("%s %s", k, pageCount(int64(calls[k]))))
	}
	return strings.Join(parts, ", ")
}

func auditCards(a *audit.Audit) []htmlCard {
	change := "no earlier run"
	if b := a.Baseline; b != nil {
		change = "median of the last runs " + pageUSD(b.BaselineCostUSD)
		if b.CostChangePct != nil {
			change = pageSignedPct(*b.CostChangePct) + " against " + change
		}
	}
	logs := map[string]int{}
	for _, s := range a.Services {
		logs[s.Logs.Status]++
	}
	return []htmlCard{
		{"Cost", pageUSD(a.TotalCostUSD), change},
		{"Services", pageCount(int64(len(a.Services))), pagePlural(a.TotalRequests, "request", "requests")},
		{"Thresholds crossed", pageCount(int64(a.Crossed)), "of " + pageCount(int64(len(a.Thresholds))) + " checked"},
		{"Logs read whole", pageCount(int64(logs[audit.LogsFull]+logs[audit.LogsPartial])) + " of " + pageCount(int64(len(a.Services))),
			fmt.Sprintf("%s sampled, %s skipped, %s with no request", pageCount(int64(logs[audit.LogsSampled])), pageCount(int64(logs[audit.LogsSkipped])),
				pageCount(int64(logs[audit.LogsNone])))},
	}
}

// auditNotes says which services' logs were not read whole, then the warnings.
func auditNotes(a *audit.Audit) []string {
	var out []string
	for _, s := range a.Services {
		switch {
		case s.Error != "":
			out = append(out, s.Name+": "+s.Error)
		case s.Logs.Status != audit.LogsFull && s.Logs.Status != audit.LogsNone:
			out = append(out, s.Name+": "+s.Logs.Note)
		}
	}
	return append(out, a.Warnings...)
}

func auditRowOf(rank int, anchor string, s *audit.Service) auditRow {
	r := auditRow{Rank: rank, Anchor: anchor, Name: clip(s.Name), Region: clip(s.Region), Requests: pageCount(s.Requests), Cost: pageUSD(s.CostUSD),
		Change: "—", Idle: optPct(s.IdleShare), ColdStarts: optInt(s.ColdStarts), ErrorRate: optPct(s.ErrorRate), P95: optMS(s.P95MS),
		Logs: logLabel(s.Logs), LogStatus: s.Logs.Status, Flags: flagSummary(s.Findings)}
	if t := s.Trend; t != nil && t.CostChangePct != nil {
		r.Change = pageSignedPct(*t.CostChangePct)
		switch {
		case *t.CostChangePct >= 10:
			r.ChangeClass = "up"
		case *t.CostChangePct <= -10:
			r.ChangeClass = "down"
		}
	}
	if s.Error != "" {
		r.Logs, r.LogStatus = "failed", audit.LogsFailed
	}
	for _, th := range s.Thresholds {
		r.Flagged = r.Flagged || th.Status == analyze.ThresholdFail
	}
	return r
}

func logLabel(l audit.LogCoverage) string {
	switch l.Status {
	case audit.LogsSampled:
		return fmt.Sprintf("sampled (%s of %s)", pageCount(int64(l.CallsMade)), pagePlural(int64(l.CallsNeeded), "call", "calls"))
	case audit.LogsNone:
		return "none needed"
	}
	return l.Status
}

// flagSummary counts findings by severity: "1 crit, 2 warn".
func flagSummary(fs []analyze.Finding) string {
	n := map[string]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var parts []string
	for _, s := range []string{analyze.SeverityCrit, analyze.SeverityWarn, analyze.SeverityInfo} {
		if n[s] > 0 {
			parts = append(parts, pageCount(int64(n[s]))+" "+s)
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

func optPct(p *float64) string {
	if p == nil {
		return "—"
	}
	return pagePct(*p)
}

func optMS(p *float64) string {
	if p == nil {
		return "—"
	}
	return pageMS(*p)
}

func optInt(p *int) string {
	if p == nil {
		return "—"
	}
	return pageCount(int64(*p))
}

// pageSignedPct writes a change in percent with its sign: "+101 %".
func pageSignedPct(p float64) string {
	s := pageFloat(p, 0)
	if p >= 0.5 {
		s = "+" + s
	}
	return s + " %"
}
