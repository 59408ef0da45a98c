package render

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
)

// auditDetailOf is a service's collapsible section: what its logs covered,
// its findings, and its numbers, thresholds, history and endpoints.
func auditDetailOf(anchor string, s *audit.Service, open bool) auditDetail {
	d := auditDetail{Anchor: anchor, Name: pageText(s.Name), Open: open, Error: pageText(s.Error), LogNote: pageText(s.Logs.Note),
		Summary:  fmt.Sprintf("%s, %s · %s requests", pageText(s.Region), pageUSD(s.CostUSD), pageCount(s.Requests)),
		Findings: htmlFindings(s.Findings)}
	if s.Report != nil {
		d.Tables = []htmlTable{auditNumbers(s), auditThresholdTable(s), auditTrendTable(s), auditEndpointTable(s.Report)}
	}
	if s.Billed != nil {
		d.Tables = append(d.Tables, htmlBilledTable(s.Billed))
	}
	return d
}

// auditNumbers is the service's figures and configuration.
func auditNumbers(s *audit.Service) htmlTable {
	r := s.Report
	c, cs, res := r.Cost, r.ColdStarts, r.Resources
	rows := []htmlRow{
		cellRow(cellText("Requests"), cellNum(pageCount(s.Requests))),
		cellRow(cellText("Cost"), cellNum(pageUSD(s.CostUSD))),
		cellRow(cellText("Cost per 1,000 requests"), cellNum(pageUSD(s.USDPer1kRequests))),
		cellRow(cellText("Billable instance time (s), from "+c.BillableSource), cellNum(pageFloat(c.BillableInstanceSeconds, 1))),
		cellRow(cellText("Idle share of billable time"), cellNum(optPct(s.IdleShare))),
		cellRow(cellText("Cold starts (share of requests)"), cellNum(optInt(s.ColdStarts)+" ("+optPct(s.ColdStartShare)+")")),
		cellRow(cellText("Cold start penalty p50 / p95 ms"), cellNum(pageMS(cs.PenaltyP50MS)+" / "+pageMS(cs.PenaltyP95MS))),
		cellRow(cellText("Error rate"+sourceNote(s.ErrorRateSource)), cellNum(optPct(s.ErrorRate))),
		cellRow(cellText("p95 ms"+sourceNote(s.P95Source)), cellNum(optMS(s.P95MS))),
		cellRow(cellText("Most instances active at once"), cellNum(pageCount(int64(r.Instances.MaxActive)))),
	}
	if res.HasCPU {
		rows = append(rows, cellRow(cellText("CPU utilization p95"), cellNum(pagePct(res.CPUP95))))
	}
	if res.HasMemory {
		rows = append(rows, cellRow(cellText("Memory utilization p99"), cellNum(pagePct(res.MemoryP99))))
	}
	rows = append(rows, cellRow(cellText("Configuration"), cellText(htmlService(r.Service))))
	if c := s.Cheapest; c != nil {
		rows = append(rows, cellRow(cellText("Cheapest within today's p95 (replayed)"), cellText(pageText(c.Text))))
	}
	return htmlTable{Title: "Figures", Head: []string{"Item", "Value"}, Rows: rows}
}

func sourceNote(src string) string {
	switch src {
	case audit.SourceMetric:
		return " (from the metric)"
	case audit.SourceSample:
		return " (from a sample of the request log)"
	}
	return ""
}

func auditThresholdTable(s *audit.Service) htmlTable {
	t := htmlTable{Title: "Thresholds", Head: []string{"Threshold", "Severity", "Value", "Status", "From"}, Empty: "No threshold was checked."}
	for _, r := range s.Thresholds {
		value := "—"
		if r.Status != analyze.ThresholdNoData {
			value = analyze.FormatValue(r.Value)
		}
		t.Rows = append(t.Rows, cellRow(cellText(r.Key+" "+r.Op+" "+analyze.FormatValue(r.Limit)), cellText(r.Severity),
			cellNum(value), cellText(strings.ReplaceAll(r.Status, "_", " ")), cellText(r.Source)))
	}
	return t
}

func auditTrendTable(s *audit.Service) htmlTable {
	t := htmlTable{Title: "Earlier runs", Head: []string{"Date", "Cost", "Requests"}, Empty: "No earlier run had this service."}
	if s.Trend == nil {
		return t
	}
	t.Notes = []string{fmt.Sprintf("Median of the %s, scaled to this window: %s.", pagePlural(int64(s.Trend.Runs), "earlier run", "earlier runs"),
		pageUSD(s.Trend.BaselineCostUSD))}
	for i, p := range s.Trend.Points {
		row := cellRow(cellText(p.Date), cellNum(pageUSD(p.CostUSD)), cellNum(pageCount(p.Requests)))
		row.Total = i == len(s.Trend.Points)-1
		t.Rows = append(t.Rows, row)
	}
	return t
}

// auditEndpointTable lists the busiest endpoints of the request logs read.
func auditEndpointTable(r *analyze.Report) htmlTable {
	t := htmlTable{Title: "Busiest endpoints", Head: []string{"Method", "Path", "Requests", "5xx", "p50 ms", "p95 ms", "p99 ms"},
		Empty: "No request logs were read."}
	eps := slices.Clone(r.Server.Endpoints)
	slices.SortStableFunc(eps, func(a, b analyze.ServerEndpoint) int { return cmp.Compare(b.Requests, a.Requests) })
	if len(eps) > maxEndpointRows {
		t.Notes = []string{fmt.Sprintf("The %s busiest of %s; the JSON has all.", pageCount(maxEndpointRows), pageCount(int64(len(eps))))}
		eps = eps[:maxEndpointRows]
	}
	for _, e := range eps {
		t.Rows = append(t.Rows, cellRow(cellText(e.Method), cellText(e.Path), cellNum(pageCount(e.Requests)), cellNum(pageCount(e.Status5xx)),
			cellNum(pageMS(e.P50MS)), cellNum(pageMS(e.P95MS)), cellNum(pageMS(e.P99MS))))
	}
	return t
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
