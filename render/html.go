package render

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/runlens/runlens/analyze"
)

//go:embed page.html
var pageSource string

// echartsJS is the vendored chart library (see assets/VERSIONS), inlined in
// every page.
//
//go:embed assets/echarts.min.js
var echartsJS string

var pageTemplate = template.Must(template.Must(template.New("page").Parse(pageSource)).Parse(partsSource))

// partsSource defines the templates both pages use: the head up to the
// title, and the header with the summary cards.
//
//go:embed parts.html
var partsSource string

// Caps on what the page lists; the JSON report has everything.
const (
	defaultMaxPoints = 2000
	maxWarningsShown = 200
	maxColdStartRows = 200
	collapseNotesAt  = 5 // more missing sources and warnings than this start collapsed
)

// HTML writes rpt as one self-contained HTML page: summary cards, findings,
// the charts of Charts drawn by the inlined echarts library, and tables. The page
// fetches nothing. Every string from the report reaches the page through
// html/template escaping or as escaped JSON.
func HTML(w io.Writer, rpt *analyze.Report, opts Options) error {
	return writeHTML(w, rpt, opts, echartsJS)
}

// writeHTML is HTML with the chart library given, so that goldens can leave
// the 1 MB library out.
func writeHTML(w io.Writer, rpt *analyze.Report, opts Options, library string) error {
	if rpt == nil {
		return errors.New("rendering html: no report")
	}
	view, err := newPageView(rpt, opts, library)
	if err != nil {
		return fmt.Errorf("rendering html: %w", err)
	}
	return executePage(w, pageTemplate, view, "html")
}

// executePage renders a page whole before writing it, so that a template
// error leaves w untouched; what names the page in errors.
func executePage(w io.Writer, t *template.Template, view any, what string) error {
	var buf bytes.Buffer
	if err := t.Execute(&buf, view); err != nil {
		return fmt.Errorf("rendering %s: %w", what, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing %s: %w", what, err)
	}
	return nil
}

// pageView is everything page.html shows, already formatted.
type pageView struct {
	Title     string
	Meta      []string
	Cards     []htmlCard
	Missing   []string
	Warnings  []string
	NotesOpen bool
	Verdict   htmlVerdict
	Findings  []htmlFinding
	Charts    []chartSpec
	NotDrawn  []string // charts left out for want of data, and why
	ChartsJS  template.JS
	Library   template.JS
	Tables    []htmlTable
}

type htmlCard struct{ Label, Value, Sub string }

type htmlFinding struct{ Severity, Message string }

// htmlVerdict is the report's sentence and its recommendations.
type htmlVerdict struct {
	Summary         string
	Recommendations []string
}

// htmlTable is one table of the page; rows are formatted text.
type htmlTable struct {
	Title string
	Notes []string
	Head  []string
	Rows  []htmlRow
	Empty string // shown instead of the table when there are no rows
}

type htmlRow struct {
	Cells []htmlCell
	Total bool
}

type htmlCell struct {
	Text  string
	Num   bool     // right-aligned
	Items []string // a list instead of Text
	Hover string   // shown on hover (the title attribute)
}

func newPageView(rpt *analyze.Report, opts Options, library string) (*pageView, error) {
	maxPoints := opts.MaxPoints
	if maxPoints <= 0 {
		maxPoints = defaultMaxPoints
	}
	all, err := buildCharts(rpt, maxPoints)
	if err != nil {
		return nil, err
	}
	var specs []chartSpec
	var notDrawn []string
	for _, s := range all {
		if s.Empty {
			notDrawn = append(notDrawn, s.Title+": "+s.Why)
			continue
		}
		specs = append(specs, s)
	}
	chartsJS, err := htmlChartsScript(specs)
	if err != nil {
		return nil, err
	}
	v := &pageView{
		Title:    htmlTitle(rpt, opts),
		Meta:     htmlMeta(rpt),
		Cards:    htmlCards(rpt),
		Missing:  pageTexts(rpt.Missing),
		Warnings: htmlCapList(rpt.Warnings, maxWarningsShown),
		Verdict:  htmlVerdictOf(rpt.Verdict),
		Findings: htmlFindings(rpt.Findings),
		Charts:   specs,
		NotDrawn: pageTexts(notDrawn),
		ChartsJS: chartsJS,
		Library:  template.JS(library),
		Tables: []htmlTable{
			htmlClientTable(rpt), htmlServerTable(rpt), htmlUserAgentTable(rpt), htmlPercentileTable(rpt), htmlReconciliationTable(rpt),
			htmlColdStartTable(rpt), htmlCostTable(rpt), htmlPriceTable(rpt), htmlResourceTable(rpt), htmlSourceTable(rpt),
		},
	}
	if rpt.Billed != nil {
		v.Tables = append(v.Tables, htmlBilledTable(rpt.Billed))
	}
	v.NotesOpen = len(rpt.Missing)+len(rpt.Warnings) <= collapseNotesAt
	return v, nil
}

// htmlChartsScript is the JSON array of {id, option} that the page draws,
// with the chart's heights, wide and below narrowWidth px, where they
// differ. It holds no <, > or & (marshalled as encoding/json does, they
// are escaped), so it cannot end the script element; the check makes that
// a promise.
func htmlChartsScript(specs []chartSpec) (template.JS, error) {
	type item struct {
		ID     string          `json:"id"`
		Option json.RawMessage `json:"option"`
		// Heights is [below, px; the height there; the height wider].
		Heights []int `json:"heights,omitempty"`
	}
	items := make([]item, len(specs))
	for i, s := range specs {
		items[i] = item{ID: s.ID, Option: s.Option}
		if s.Narrow > 0 {
			items[i].Heights = []int{narrowWidth, s.Narrow, s.Height}
		}
	}
	b, err := marshalPageJSON(items)
	if err != nil {
		return "", fmt.Errorf("encoding charts: %w", err)
	}
	if bytes.ContainsAny(b, "<>&") {
		return "", errors.New("encoding charts: unescaped markup in chart options")
	}
	return template.JS(b), nil
}

func htmlTitle(rpt *analyze.Report, opts Options) string {
	switch {
	case opts.Title != "":
		return pageText(opts.Title)
	case rpt.Service.Name != "":
		return "runlens report: " + pageText(rpt.Service.Name)
	}
	return "runlens report"
}

// htmlMeta is the lines under the title: window, service, client, clock.
func htmlMeta(rpt *analyze.Report) []string {
	var m []string
	if w := rpt.Window; !w.Start.IsZero() {
		m = append(m, "Window: "+htmlWindow(w.Start, w.End))
	}
	m = append(m, "Service: "+htmlService(rpt.Service))
	if c := rpt.Client; c != nil {
		m = append(m, fmt.Sprintf("Client: %s, %s s", c.Tool, pageFloat(c.DurationSeconds, 1)))
	}
	if a := rpt.Alignment; a.Method != "" && a.Method != "none" {
		m = append(m, fmt.Sprintf("Clock: client minus server %s ms (%s)", pageSigned(a.ClockOffsetMS), a.Method))
	}
	if !rpt.Generated.IsZero() {
		m = append(m, "Generated: "+rpt.Generated.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return m
}

func htmlWindow(start, end time.Time) string {
	start, end = start.UTC(), end.UTC()
	endFmt := "2006-01-02 15:04:05"
	if start.Format("2006-01-02") == end.Format("2006-01-02") {
		endFmt = "15:04:05"
	}
	return fmt.Sprintf("%s to %s UTC (%s)", start.Format("2006-01-02 15:04:05"), end.Format(endFmt),
		pageDuration(end.Sub(start)))
}

// pageDuration writes a duration in whole seconds: "1 h 2 min 5 s".
func pageDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var parts []string
	if h > 0 {
		parts = append(parts, strconv.Itoa(h)+" h")
	}
	if m > 0 {
		parts = append(parts, strconv.Itoa(m)+" min")
	}
	if s > 0 || len(parts) == 0 {
		parts = append(parts, strconv.Itoa(s)+" s")
	}
	return strings.Join(parts, " ")
}

func htmlService(s analyze.Service) string {
	name := strings.Trim(strings.Join(pageTexts([]string{s.Project, s.Region, s.Name}), "/"), "/")
	if name == "" {
		name = "unnamed"
	}
	out := fmt.Sprintf("%s: %s vCPU, %s MiB, concurrency %d, instances %d to %d, %s billing",
		name, strconv.FormatFloat(s.CPU, 'f', -1, 64), pageCount(s.MemoryMiB), s.Concurrency, s.MinInstances, s.MaxInstances, pageText(s.Billing))
	if s.GPUs > 0 {
		out += fmt.Sprintf(", %d GPU %s per instance", s.GPUs, pageText(s.Accelerator))
	}
	if s.Assumed {
		out += " (assumed: no service configuration was given)"
	}
	return out
}

func htmlCards(rpt *analyze.Report) []htmlCard {
	cl := htmlClientTotal(rpt)
	srv := rpt.Server.Total
	cs := rpt.ColdStarts
	cost := rpt.Cost
	return []htmlCard{
		{"Requests", clientOrDash(cl, func(c analyze.ClientEndpoint) string { return pageCount(c.Requests) }) + " / " + pageCount(srv.Requests),
			"client / server"},
		{"Failures", clientOrDash(cl, func(c analyze.ClientEndpoint) string { return pageCount(c.Failures) }) + " / " + pageCount(srv.Status5xx),
			"client failures / server 5xx"},
		{"Client latency", clientOrDash(cl, func(c analyze.ClientEndpoint) string { return pageMSTriple(c.P50MS, c.P95MS, c.P99MS) }),
			"p50 / p95 / p99, ms"},
		{"Server latency", pageMSTriple(srv.P50MS, srv.P95MS, srv.P99MS), "p50 / p95 / p99, ms"},
		{"Cold starts", strconv.Itoa(cs.Count),
			fmt.Sprintf("%s of requests; penalty p50 %s ms", pagePct(cs.ShareOfRequests), pageMS(cs.PenaltyP50MS))},
		{"Cost", pageUSD(cost.TotalUSD), pageUSD(cost.USDPer1kRequests) + " per 1,000 requests; gross"},
		{"Idle share", pagePct(cost.IdleShare), "of billable instance time had no request in flight"},
	}
}

// htmlClientTotal is the client's total row, or nil without client data.
func htmlClientTotal(rpt *analyze.Report) *analyze.ClientEndpoint {
	if rpt.Client == nil {
		return nil
	}
	return &rpt.Client.Total
}

func clientOrDash(c *analyze.ClientEndpoint, f func(analyze.ClientEndpoint) string) string {
	if c == nil {
		return "—"
	}
	return f(*c)
}

func pageMSTriple(a, b, c float64) string {
	return pageMS(a) + " / " + pageMS(b) + " / " + pageMS(c)
}

func htmlVerdictOf(v analyze.Verdict) htmlVerdict {
	out := htmlVerdict{Summary: pageText(v.Summary)}
	for _, r := range v.Recommendations {
		out.Recommendations = append(out.Recommendations, pageText(r.Text))
	}
	return out
}

func htmlFindings(fs []analyze.Finding) []htmlFinding {
	out := make([]htmlFinding, len(fs))
	for i, f := range fs {
		out[i] = htmlFinding{Severity: f.Severity, Message: pageText(f.Message)}
	}
	return out
}

// htmlCapList keeps the first n items, each cut to MaxTextBytes, and says
// how many were left out.
func htmlCapList(items []string, n int) []string {
	if len(items) <= n {
		return pageTexts(items)
	}
	out := pageTexts(items[:n])
	return append(out, fmt.Sprintf("… and %d more (the JSON report lists all)", len(items)-n))
}

// Cell makers: text is cut to MaxTextBytes.
func cellText(s string) htmlCell        { return htmlCell{Text: pageText(s)} }
func cellNum(s string) htmlCell         { return htmlCell{Text: pageText(s), Num: true} }
func cellList(s []string) htmlCell      { return htmlCell{Items: pageTexts(s)} }
func cellRow(cells ...htmlCell) htmlRow { return htmlRow{Cells: cells} }

func htmlClientTable(rpt *analyze.Report) htmlTable {
	t := htmlTable{Title: "Client request statistics",
		Head:  []string{"Method", "Name", "Requests", "Failures", "Avg ms", "Min ms", "Max ms", "Avg size (B)", "Req/s", "Failures/s"},
		Empty: "No client data: no load-test results were given."}
	if rpt.Client == nil {
		return t
	}
	t.Notes = []string{"From " + rpt.Client.Tool + "."}
	return htmlEndpointRows(t, rpt.Client.Endpoints, rpt.Client.Total, htmlClientRow)
}

func htmlClientRow(e analyze.ClientEndpoint) htmlRow {
	return cellRow(cellText(e.Method), cellText(e.Name), cellNum(pageCount(e.Requests)), cellNum(pageCount(e.Failures)),
		cellNum(pageMS(e.AvgMS)), cellNum(pageMS(e.MinMS)), cellNum(pageMS(e.MaxMS)), cellNum(pageFloat(e.AvgContentBytes, 0)),
		cellNum(pageFloat(e.RequestsPerSec, 2)), cellNum(pageFloat(e.FailuresPerSec, 2)))
}

// htmlEndpointRows gives t a row for each endpoint, then the total's row,
// its second cell "Total".
func htmlEndpointRows[E any](t htmlTable, endpoints []E, total E, row func(E) htmlRow) htmlTable {
	for _, e := range endpoints {
		t.Rows = append(t.Rows, row(e))
	}
	r := row(total)
	r.Total = true
	r.Cells[1] = cellText("Total")
	t.Rows = append(t.Rows, r)
	return t
}

func htmlServerTable(rpt *analyze.Report) htmlTable {
	t := htmlTable{Title: "Server request statistics",
		Head:  []string{"Method", "Path", "Requests", "2xx", "3xx", "4xx", "5xx", "Avg ms", "Min ms", "Max ms", "Avg size (B)", "Req/s"},
		Empty: "No server request logs."}
	if len(rpt.Server.Endpoints) == 0 {
		return t
	}
	t.Notes = []string{"From the request logs; latency is the time the service took."}
	return htmlEndpointRows(t, rpt.Server.Endpoints, rpt.Server.Total, htmlServerRow)
}

// htmlUserAgentTable lists who sent the requests the service logged.
func htmlUserAgentTable(rpt *analyze.Report) htmlTable {
	t := htmlTable{Title: "User agents", Head: []string{"User agent", "Requests"}, Empty: "No server request logs."}
	for _, u := range rpt.Server.UserAgents {
		t.Rows = append(t.Rows, cellRow(cellText(u.UserAgent), cellNum(pageCount(u.Requests))))
	}
	return t
}

func htmlServerRow(e analyze.ServerEndpoint) htmlRow {
	return cellRow(cellText(e.Method), cellText(e.Path), cellNum(pageCount(e.Requests)), cellNum(pageCount(e.Status2xx)),
		cellNum(pageCount(e.Status3xx)), cellNum(pageCount(e.Status4xx)), cellNum(pageCount(e.Status5xx)),
		cellNum(pageMS(e.AvgMS)), cellNum(pageMS(e.MinMS)), cellNum(pageMS(e.MaxMS)), cellNum(pageFloat(e.AvgResponseBytes, 0)),
		cellNum(pageFloat(e.RequestsPerSec, 2)))
}

// htmlPercentileTable shows each endpoint's client and server percentiles on
// consecutive rows; endpoints match by method and name or path.
func htmlPercentileTable(rpt *analyze.Report) htmlTable {
	ps := rpt.Percentiles
	if len(ps) == 0 {
		ps = []float64{50, 95, 99}
	}
	t := htmlTable{Title: "Response time percentiles (ms)", Head: []string{"Endpoint", "Side"},
		Empty: "No client or server requests."}
	for _, p := range ps {
		t.Head = append(t.Head, "p"+strconv.FormatFloat(p, 'f', -1, 64))
	}
	if rpt.Client != nil && rpt.Client.ApproximatePercentiles {
		t.Notes = append(t.Notes, "Client percentiles are approximate: "+rpt.Client.Tool+" rounds response times into buckets.")
	}
	for _, ep := range htmlEndpointPairs(rpt) {
		if ep.client != nil {
			t.Rows = append(t.Rows, htmlQuantileRow(ep.name, "client", ps, ep.client.Percentiles, ep.client.P50MS, ep.client.P95MS, ep.client.P99MS))
		}
		if ep.server != nil {
			t.Rows = append(t.Rows, htmlQuantileRow(ep.name, "server", ps, ep.server.Percentiles, ep.server.P50MS, ep.server.P95MS, ep.server.P99MS))
		}
	}
	return t
}

type htmlEndpointPair struct {
	name   string
	client *analyze.ClientEndpoint
	server *analyze.ServerEndpoint
}

// htmlEndpointPairs pairs client and server endpoints in report order,
// client first, then the server's unmatched ones, then the totals.
func htmlEndpointPairs(rpt *analyze.Report) []htmlEndpointPair {
	var out []htmlEndpointPair
	index := map[string]int{}
	if rpt.Client != nil {
		for i := range rpt.Client.Endpoints {
			e := &rpt.Client.Endpoints[i]
			key := strings.TrimSpace(e.Method + " " + e.Name)
			index[key] = len(out)
			out = append(out, htmlEndpointPair{name: key, client: e})
		}
	}
	for i := range rpt.Server.Endpoints {
		e := &rpt.Server.Endpoints[i]
		key := strings.TrimSpace(e.Method + " " + e.Path)
		if j, ok := index[key]; ok && out[j].server == nil {
			out[j].server = e
			continue
		}
		out = append(out, htmlEndpointPair{name: key, server: e})
	}
	if len(out) == 0 {
		return nil
	}
	total := htmlEndpointPair{name: "Total", server: &rpt.Server.Total}
	if rpt.Client != nil {
		total.client = &rpt.Client.Total
	}
	return append(out, total)
}

func htmlQuantileRow(name, side string, ps []float64, qs []analyze.Quantile, p50, p95, p99 float64) htmlRow {
	r := cellRow(cellText(name), cellText(side))
	for _, p := range ps {
		r.Cells = append(r.Cells, cellNum(htmlQuantileAt(p, qs, p50, p95, p99)))
	}
	r.Total = name == "Total"
	return r
}

// htmlQuantileAt finds the value at p, falling back to the p50/p95/p99 fields.
func htmlQuantileAt(p float64, qs []analyze.Quantile, p50, p95, p99 float64) string {
	for _, q := range qs {
		if math.Abs(q.P-p) < 1e-9 {
			if q.Missing {
				return "—"
			}
			return pageMS(q.MS)
		}
	}
	switch p {
	case 50:
		return pageMS(p50)
	case 95:
		return pageMS(p95)
	case 99:
		return pageMS(p99)
	}
	return "—"
}

func htmlReconciliationTable(rpt *analyze.Report) htmlTable {
	t := htmlTable{Title: "Reconciliation",
		Head: []string{"Endpoint", "Client requests", "Client failures", "Server log entries", "request_count metric",
			"Difference", "Explanations"},
		Notes: []string{"Difference is server log entries minus client requests."},
		Empty: "Nothing to reconcile."}
	for _, r := range rpt.Reconciliation {
		cr, cf := pageCount(r.ClientRequests), pageCount(r.ClientFailures)
		if rpt.Client == nil {
			cr, cf = "—", "—"
		}
		metric := "—"
		if r.MetricRequests >= 0 {
			metric = pageCount(r.MetricRequests)
		}
		expl := r.Explanations
		if len(expl) == 0 && r.Difference != 0 {
			expl = []string{"unexplained"}
		}
		t.Rows = append(t.Rows, htmlRow{Cells: []htmlCell{cellText(r.Endpoint), cellNum(cr), cellNum(cf), cellNum(pageCount(r.ServerRequests)),
			cellNum(metric), cellNum(pageSignedInt(r.Difference)), cellList(expl)}, Total: r.Endpoint == "total"})
	}
	return t
}

func htmlColdStartTable(rpt *analyze.Report) htmlTable {
	cs := rpt.ColdStarts
	t := htmlTable{Title: "Cold starts",
		Head: []string{"Instance (lane)", "Started (UTC)", "Reason", "Evidence", "Startup ms", "First request",
			"First request ms", "Penalty ms"},
		Notes: []string{fmt.Sprintf("%d cold starts, %s of requests; penalty p50 %s ms, p95 %s ms. "+
			"Penalty is the first request's latency minus the warm median of its endpoint.",
			cs.Count, pagePct(cs.ShareOfRequests), pageMS(cs.PenaltyP50MS), pageMS(cs.PenaltyP95MS))},
		Empty: "No cold starts found."}
	number := map[string]int{}
	for _, l := range rpt.Series.Lanes {
		number[l.InstanceID] = l.Number
	}
	for _, c := range cs.Instances[:min(len(cs.Instances), maxColdStartRows)] {
		id := cellText(c.InstanceID)
		if n := number[c.InstanceID]; n > 0 {
			id = htmlCell{Text: "#" + strconv.Itoa(n), Hover: pageText(c.InstanceID)}
		}
		t.Rows = append(t.Rows, cellRow(id, cellText(c.StartedAt.UTC().Format("2006-01-02 15:04:05.000")),
			cellText(c.Reason), cellText(strings.Join(c.Evidence, ", ")), cellNum(pageMS(c.StartupMS)), cellText(c.FirstRequest),
			cellNum(pageMS(c.FirstRequestMS)), cellNum(pageMS(c.PenaltyMS))))
	}
	if len(cs.Instances) > maxColdStartRows {
		t.Notes = append(t.Notes, fmt.Sprintf("The first %d of %d are listed; the JSON report has all.",
			maxColdStartRows, len(cs.Instances)))
	}
	return t
}

func htmlCostTable(rpt *analyze.Report) htmlTable {
	c := rpt.Cost
	source := map[string]string{"metric": "the billable_instance_time metric", "request_logs": "the request logs"}[c.BillableSource]
	if source == "" {
		source = c.BillableSource
	}
	t := htmlTable{Title: "Cost", Head: []string{"Item", "Value"},
		Notes: []string{"Gross cost at the prices below: the free tier is per billing account and is not subtracted."},
		Rows: []htmlRow{
			cellRow(cellText("Billable instance time (s), from "+source), cellNum(pageFloat(c.BillableInstanceSeconds, 1))),
			cellRow(cellText("vCPU-seconds"+resourceSource(c.ResourceSource)), cellNum(pageFloat(c.VCPUSeconds, 1))),
			cellRow(cellText("GiB-seconds"+resourceSource(c.ResourceSource)), cellNum(pageFloat(c.MemoryGiBSeconds, 1))),
			cellRow(cellText("Requests"), cellNum(pageCount(c.Requests))),
			cellRow(cellText("CPU"), cellNum(pageUSD(c.CPUUSD))),
			cellRow(cellText("Memory"), cellNum(pageUSD(c.MemoryUSD))),
			cellRow(cellText("Request fees"), cellNum(pageUSD(c.RequestsUSD))),
			{Cells: []htmlCell{cellText("Total"), cellNum(pageUSD(c.TotalUSD))}, Total: true},
			cellRow(cellText("Per 1,000 requests"), cellNum(pageUSD(c.USDPer1kRequests))),
			cellRow(cellText("Idle share of billable time"), cellNum(pagePct(c.IdleShare))),
		}}
	if row, ok := gpuCostRow(c); ok {
		t.Rows = slices.Insert(t.Rows, 7, row) // before the total
	}
	return t
}

// resourceSource says where the vCPU- and GiB-seconds come from
// (Cost.ResourceSource), after a comma; nothing when it is not known.
func resourceSource(s string) string {
	switch s {
	case "allocation_time":
		return ", from the allocation_time metrics (what was billed)"
	case "limits":
		return ", from billable time × every container's limits"
	case "":
		return ""
	}
	return ", from " + s
}

// gpuCostRow is the GPU time's cost, or says it is not included; no row
// without GPUs.
func gpuCostRow(c analyze.Cost) (htmlRow, bool) {
	what := cellText(fmt.Sprintf("GPU (%s GPU-seconds)", pageFloat(c.GPUSeconds, 1)))
	switch {
	case c.GPUSeconds <= 0:
		return htmlRow{}, false
	case c.GPUCostIncluded:
		return cellRow(what, cellNum(pageUSD(c.GPUUSD))), true
	}
	return cellRow(what, cellText("not included: no price")), true
}

// clientRequests is the client's total requests; zero without a client.
func clientRequests(rpt *analyze.Report) int64 {
	if rpt.Client == nil {
		return 0
	}
	return rpt.Client.Total.Requests
}

func htmlPriceTable(rpt *analyze.Report) htmlTable {
	p := rpt.Cost.PriceTable
	return htmlTable{Title: "Prices used",
		Head: []string{"Read on", "Source", "Tier", "Billing", "USD per vCPU-second", "USD per GiB-second", "USD per million requests"},
		Rows: []htmlRow{cellRow(cellText(p.Date), cellText(p.Source), cellNum(strconv.Itoa(p.Tier)), cellText(p.Billing),
			cellNum(pageUSD(p.USDPerVCPUSecond)), cellNum(pageUSD(p.USDPerGiBSecond)), cellNum(pageUSD(p.USDPerMillionReqs)))}}
}

func htmlResourceTable(rpt *analyze.Report) htmlTable {
	r, s, in := rpt.Resources, rpt.Service, rpt.Instances
	cpu, mem := "no CPU utilization metric", "no memory utilization metric"
	if r.HasCPU {
		cpu = strings.Join([]string{pagePct(r.CPUP50), pagePct(r.CPUP95), pagePct(r.CPUP99)}, " / ")
	}
	if r.HasMemory {
		mem = strings.Join([]string{pagePct(r.MemoryP50), pagePct(r.MemoryP95), pagePct(r.MemoryP99)}, " / ")
		if s.MemoryMiB > 0 {
			mem += fmt.Sprintf(" (p99 %s of %s MiB)", pageFloat(r.MemoryP99*float64(s.MemoryMiB), 0), pageCount(s.MemoryMiB))
		}
	}
	return htmlTable{Title: "Resources", Head: []string{"Item", "Value"}, Rows: []htmlRow{
		cellRow(cellText("CPU utilization p50 / p95 / p99"), cellNum(cpu)),
		cellRow(cellText("Memory utilization p50 / p95 / p99"), cellNum(mem)),
		cellRow(cellText("Memory limit exceeded"), cellNum(strconv.Itoa(r.MemoryLimitExceededEvents))),
		cellRow(cellText("Crashes"), cellNum(strconv.Itoa(r.CrashEvents))),
		cellRow(cellText("Instances seen"), cellNum(strconv.Itoa(in.Distinct))),
		cellRow(cellText("Most instances active at once"), cellNum(strconv.Itoa(in.MaxActive))),
		cellRow(cellText("Requests per instance, median"), cellNum(pageFloat(in.RequestsPerInstanceP50, 1))),
		cellRow(cellText("Highest concurrency seen / configured"), cellNum(fmt.Sprintf("%d / %d", in.MaxConcurrency, s.Concurrency))),
	}}
}

func htmlSourceTable(rpt *analyze.Report) htmlTable {
	t := htmlTable{Title: "Sources", Head: []string{"File", "Format", "Items"}, Empty: "No sources recorded."}
	for _, s := range rpt.Sources {
		items := cellNum(pageCount(int64(s.Items)))
		if s.Items < 0 { // one of a load-test run's files: the run has the count
			items = cellNum("part of the client's " + pageCount(clientRequests(rpt)) + " requests")
		}
		t.Rows = append(t.Rows, cellRow(cellText(s.Path), cellText(s.Format), items))
	}
	return t
}

// Number formatting: analyze keeps raw values; the page rounds them.
