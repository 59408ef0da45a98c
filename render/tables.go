package render

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/runlens/runlens/analyze"
)

// table is one titled table, shared by the terminal and Markdown forms.
type table struct {
	title  string
	note   string
	header []string
	rows   [][]string
	left   int // the first left columns are text; the rest are numbers
	// keys is how many first columns name a row, repeated in each part of
	// a table cut to fit a terminal; zero means left.
	keys int
	// lastText says the last column is long text (explanations): left
	// aligned in Markdown, and listed under the table on a terminal.
	lastText bool
	// markdown says the rows are Markdown already, escaped by the caller.
	markdown bool
	// totals is how many last rows are totals, kept when rows are left
	// out; omitted is how many rows were left out (see writeDoc).
	totals, omitted int
	limit           int // the size the Markdown was kept under, for the note
}

// align is the alignment of the table's columns.
func (t table) align() []tw.Align {
	align := make([]tw.Align, len(t.header))
	for i := range align {
		align[i] = tw.AlignRight
		if i < t.left || (t.lastText && i == len(align)-1) {
			align[i] = tw.AlignLeft
		}
	}
	return align
}

// write renders t with tablewriter, as Markdown when md is set, else for
// a terminal of width columns. Every cell is escaped for the output: input
// text is cut to MaxTextBytes, and control characters never reach a
// terminal.
func (t table) write(w io.Writer, md bool, width int) error {
	if !md {
		return t.writeTerminal(w, width)
	}
	align := t.align()
	opts := []tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithRenderer(renderer.NewMarkdown()),
	}
	fmt.Fprintf(w, "### %s\n\n", t.title)
	if t.note != "" {
		fmt.Fprintf(w, "%s\n\n", markdownText(t.note))
	}
	if len(t.rows) > 0 || t.omitted == 0 {
		tbl := tablewriter.NewTable(w, opts...)
		tbl.Header(anySlice(escapeMarkdownRow(t.header))...)
		for _, r := range t.rows {
			if !t.markdown {
				r = escapeMarkdownRow(r)
			}
			if err := tbl.Append(r); err != nil {
				return err
			}
		}
		if err := tbl.Render(); err != nil {
			return err
		}
	}
	if t.omitted > 0 {
		if len(t.rows) > 0 {
			fmt.Fprintln(w) // a line of text right after a table is a row of it
		}
		fmt.Fprintf(w, "%s\n", omittedNote(t.omitted, "row", t.limit))
	}
	_, err := fmt.Fprintln(w)
	return err
}

// writeTerminal writes the table for a terminal of width columns: its
// title and note wrapped, the table in as many parts as it needs to fit
// (see fitColumns), and the last column's text under it when it is long
// text.
func (t table) writeTerminal(w io.Writer, width int) error {
	io.WriteString(w, wrapLines(terminalText(t.title)+"\n", width, ""))
	if t.note != "" {
		io.WriteString(w, wrapLines(terminalText(t.note)+"\n", width, ""))
	}
	header, rows := terminalRow(t.header), make([][]string, len(t.rows))
	for i, r := range t.rows {
		rows[i] = terminalRow(r)
	}
	var under []string
	if last := len(header) - 1; t.lastText && last > 0 {
		for i, r := range rows {
			if len(r) > last && r[last] != "" {
				under = append(under, "- "+strings.Join(r[:min(max(t.left, 1), last)], " ")+": "+r[last])
			}
			rows[i] = r[:min(len(r), last)]
		}
		header = header[:last]
	}
	if len(rows) > 0 || t.omitted == 0 {
		align := t.align()
		keys := t.keys
		if keys == 0 {
			keys = t.left
		}
		for _, p := range fitColumns(header, rows, keys, t.left, width) {
			if err := writeTablePart(w, header, rows, align, p); err != nil {
				return err
			}
		}
	}
	for _, u := range under {
		io.WriteString(w, strings.Join(wrapText(u, width, "  "), "\n")+"\n")
	}
	if t.omitted > 0 {
		io.WriteString(w, wrapLines(omittedNote(t.omitted, "row", t.limit)+"\n", width, ""))
	}
	_, err := fmt.Fprintln(w)
	return err
}

// writeTablePart writes the columns of part as one table; with widths set,
// tablewriter wraps each cell at spaces to its column's width (a word
// wider than that is broken first).
func writeTablePart(w io.Writer, header []string, rows [][]string, align []tw.Align, p tablePart) error {
	pick := func(r []string) []string {
		out := make([]string, len(p.cols))
		for j, c := range p.cols {
			if c >= len(r) {
				continue // a short row: its last cells are empty
			}
			out[j] = r[c]
			if p.widths != nil && longestWord(out[j]) > p.widths[j] {
				out[j] = breakWords(out[j], p.widths[j])
			}
		}
		return out
	}
	cellAlign := make([]tw.Align, len(p.cols))
	for j, c := range p.cols {
		cellAlign[j] = align[c]
	}
	opts := []tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: cellAlign}),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: cellAlign}),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
	}
	if p.widths != nil {
		widths := tw.NewMapper[int, int]()
		for j, cw := range p.widths {
			widths.Set(j, cw+2) // and a space either side
		}
		opts = append(opts, tablewriter.WithColumnWidths(widths),
			tablewriter.WithRowAutoWrap(tw.WrapNormal), tablewriter.WithHeaderAutoWrap(tw.WrapNormal))
	}
	tbl := tablewriter.NewTable(w, opts...)
	tbl.Header(anySlice(pick(header))...)
	for _, r := range rows {
		if err := tbl.Append(pick(r)); err != nil {
			return err
		}
	}
	return tbl.Render()
}

// rowCount is the rows that may be left out: all but the totals.
func (t table) rowCount() int { return max(0, len(t.rows)-t.totals) }

// first keeps the first n rows and the totals.
func (t table) first(n, limit int) section {
	if n >= t.rowCount() {
		return t
	}
	kept := append(slices.Clone(t.rows[:n]), t.rows[len(t.rows)-t.totals:]...)
	t.omitted, t.limit = len(t.rows)-len(kept), limit
	t.rows = kept
	return t
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// requestTable is the benchmark's request statistics, client and server
// rows side by side per endpoint.
func requestTable(rpt *analyze.Report) table {
	t := table{title: "Request statistics", left: 3,
		header: []string{"Method", "Name", "Source", "Requests", "Fails", "Avg ms", "Min ms", "Max ms", "Avg size B", "Req/s"}}
	for _, p := range pairs(rpt) {
		t.totals = p.totalRows()
		if c := p.client; c != nil {
			t.rows = append(t.rows, []string{c.Method, c.Name, "client", pageCount(c.Requests), pageCount(c.Failures),
				pageMS(c.AvgMS), pageMS(c.MinMS), pageMS(c.MaxMS), pageBytes(c.AvgContentBytes), pageRate(c.RequestsPerSec)})
		}
		if s := p.server; s != nil {
			t.rows = append(t.rows, []string{s.Method, s.Path, "server", pageCount(s.Requests), pageCount(s.Requests - s.Status2xx - s.Status3xx - s.Status4xx),
				pageMS(s.AvgMS), pageMS(s.MinMS), pageMS(s.MaxMS), pageBytes(s.AvgResponseBytes), pageRate(s.RequestsPerSec)})
		}
	}
	return t
}

// percentileTable is the benchmark's response-time percentiles.
func percentileTable(rpt *analyze.Report) table {
	t := table{title: "Response time percentiles (ms)", left: 3, header: []string{"Method", "Name", "Source"}}
	for _, p := range rpt.Percentiles {
		t.header = append(t.header, pctLabel(p))
	}
	if rpt.Client != nil && rpt.Client.ApproximatePercentiles {
		t.note = fmt.Sprintf("client percentiles are approximate: %s rounds response times into buckets", rpt.Client.Tool)
	}
	for _, p := range pairs(rpt) {
		t.totals = p.totalRows()
		if c := p.client; c != nil {
			t.rows = append(t.rows, append([]string{c.Method, c.Name, "client"}, quantiles(c.Percentiles)...))
		}
		if s := p.server; s != nil {
			t.rows = append(t.rows, append([]string{s.Method, s.Path, "server"}, quantiles(s.Percentiles)...))
		}
	}
	return t
}

func quantiles(qs []analyze.Quantile) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = "-"
		if !q.Missing {
			out[i] = pageMS(q.MS)
		}
	}
	return out
}

// pair is a client endpoint and the server endpoint it maps to; either may be nil.
type pair struct {
	client *analyze.ClientEndpoint
	server *analyze.ServerEndpoint
	total  bool // the aggregate, last
}

// totalRows is the rows the pair adds to a table when it is the
// aggregate: the totals, kept when rows are left out.
func (p pair) totalRows() int {
	if !p.total {
		return 0
	}
	n := 0
	if p.client != nil {
		n++
	}
	if p.server != nil {
		n++
	}
	return n
}

// pairs lines up client and server endpoints, aggregate last.
func pairs(rpt *analyze.Report) []pair {
	var out []pair
	used := map[string]bool{}
	byKey := map[string]*analyze.ServerEndpoint{}
	for i := range rpt.Server.Endpoints {
		s := &rpt.Server.Endpoints[i]
		byKey[s.Method+" "+s.Path] = s
	}
	if rpt.Client != nil {
		for i := range rpt.Client.Endpoints {
			c := &rpt.Client.Endpoints[i]
			p := pair{client: c}
			if s := byKey[c.Server]; s != nil && !used[c.Server] {
				p.server, used[c.Server] = s, true
			}
			out = append(out, p)
		}
	}
	for i := range rpt.Server.Endpoints {
		s := &rpt.Server.Endpoints[i]
		if !used[s.Method+" "+s.Path] {
			out = append(out, pair{server: s})
		}
	}
	total := pair{total: true}
	if rpt.Client != nil {
		total.client = &rpt.Client.Total
	}
	if rpt.Server.Total.Requests > 0 {
		total.server = &rpt.Server.Total
	}
	if total.client != nil || total.server != nil {
		out = append(out, total)
	}
	return out
}

// reconciliationTable compares counts and gives the explanations.
func reconciliationTable(rpt *analyze.Report) table {
	t := table{title: "Reconciliation", left: 1, lastText: true,
		header: []string{"Endpoint", "Client", "Client fails", "Server logs", "Metric", "Difference", "Explanation"}}
	for _, r := range rpt.Reconciliation {
		metric := "-"
		if r.MetricRequests >= 0 {
			metric = pageCount(r.MetricRequests)
		}
		t.rows = append(t.rows, []string{r.Endpoint, pageCount(r.ClientRequests), pageCount(r.ClientFailures), pageCount(r.ServerRequests),
			metric, pageSignedInt(r.Difference), strings.Join(r.Explanations, "; ")})
	}
	if n := len(rpt.Reconciliation); n > 0 && rpt.Reconciliation[n-1].Endpoint == "total" {
		t.totals = 1
	}
	return t
}

// coldStartTable lists the cold starts.
func coldStartTable(rpt *analyze.Report) table {
	t := table{title: "Cold starts", left: 4, keys: 1,
		header: []string{"Instance", "Started", "Reason", "First request", "Startup ms", "First request ms", "Penalty ms"}}
	for _, c := range rpt.ColdStarts.Instances {
		t.rows = append(t.rows, []string{shortID(c.InstanceID), c.StartedAt.Format("15:04:05.000"), c.Reason, c.FirstRequest,
			pageMS(c.StartupMS), pageMS(c.FirstRequestMS), pageMS(c.PenaltyMS)})
	}
	return t
}

// costTable is the cost breakdown.
func costTable(rpt *analyze.Report) table {
	c := rpt.Cost
	p := c.PriceTable
	return table{title: "Cost", left: 1,
		note:   fmt.Sprintf("prices: Tier %d, %s-based billing, read %s from %s; gross, before the free tier", p.Tier, p.Billing, p.Date, p.Source),
		header: []string{"Item", "Quantity", "USD"},
		rows: [][]string{
			{"billable instance time (" + c.BillableSource + ")", fmt.Sprintf("%.1f s", c.BillableInstanceSeconds), ""},
			{"vCPU" + parenthesized(c.ResourceSource), fmt.Sprintf("%.1f vCPU-s", c.VCPUSeconds), pageUSD(c.CPUUSD)},
			{"memory" + parenthesized(c.ResourceSource), fmt.Sprintf("%.1f GiB-s", c.MemoryGiBSeconds), pageUSD(c.MemoryUSD)},
			{"requests", pageCount(c.Requests), pageUSD(c.RequestsUSD)},
			{"total", "", pageUSD(c.TotalUSD)},
			{"per 1,000 requests", "", pageUSD(c.USDPer1kRequests)},
			{"idle share of billable time", pagePct(c.IdleShare), ""},
		}}
}

// parenthesized is " (s)", or nothing for an empty s.
func parenthesized(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
