package render

import (
	"fmt"

	"github.com/runlens/runlens/analyze/audit"
)

// chartAuditLogs is the chart of the chattiest logs.
const chartAuditLogs = "chart_audit_logs"

// aroundTitle heads the section of the costs around the services.
const aroundTitle = "Around the services: Cloud Logging and egress"

// auditAround is the page's section of the costs around the services.
type auditAround struct {
	Notes  []string
	Tables []htmlTable
}

// newAuditAround is the section, nil when no service has its metrics.
func newAuditAround(a *audit.Audit) *auditAround {
	if a.Around == nil {
		return nil
	}
	v := &auditAround{Notes: aroundNotes(a)}
	svc, logs := aroundServiceTable(a), aroundLogsTable(a)
	for _, t := range []table{svc, logs} {
		ht := htmlTable{Title: t.title, Head: t.header, Empty: "No log bytes were reported."}
		for _, row := range t.rows {
			var cells []htmlCell
			for i, c := range row {
				if i < t.left {
					cells = append(cells, cellText(c))
				} else {
					cells = append(cells, cellNum(c))
				}
			}
			ht.Rows = append(ht.Rows, cellRow(cells...))
		}
		v.Tables = append(v.Tables, ht)
	}
	return v
}

// aroundNotes say where the figures come from and what they leave out.
func aroundNotes(a *audit.Audit) []string {
	t := a.Around
	p := t.Prices
	return []string{
		fmt.Sprintf("Logging bytes from %s (by log), egress from %s (by kind).", audit.SourceLogBytesMetric, audit.SourceSentBytesMetric),
		fmt.Sprintf("Cloud Logging: %s per GiB beyond %s GiB a month per project (%s, read %s); the free allotment prorated to this window is %s, of which the audited services wrote %s.",
			pageUSD(p.USDPerLoggingGiB), pageFloat(p.FreeLoggingGiBPerMonth, 0), p.LoggingSource, p.Date, ingestSize(int64(t.FreeLoggingBytes)), ingestSize(t.LoggingBytes)),
		fmt.Sprintf("Internet egress: %s per GiB (%s).", pageUSD(p.USDPerInternetEgressGiB), p.EgressSource),
		t.Note,
	}
}

// aroundServiceTable has a row per service with the costs around it.
func aroundServiceTable(a *audit.Audit) table {
	t := table{title: "Logging and egress by service", left: 1,
		header: []string{"Service", "Log bytes", "Beyond free", "Logging cost", "A month", "Internet egress", "Egress cost", "Around cost", "Of the service's cost"}}
	for _, s := range a.Services {
		if s.Around == nil {
			continue
		}
		row := []string{pageText(s.Name), "—", "—", "—", "—", "—", "—", pageUSD(s.Around.CostUSD), optPct(s.Around.ShareOfService)}
		if l := s.Around.Logging; l != nil {
			row[1], row[2], row[3], row[4] = ingestSize(l.Bytes), ingestSize(int64(l.BillableBytes)), pageUSD(l.CostUSD), pageUSD(l.MonthlyCostUSD)
		}
		if e := s.Around.Egress; e != nil {
			row[5], row[6] = ingestSize(e.InternetBytes), pageUSD(e.CostUSD)
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// aroundLogsTable lists the chattiest logs of the project.
func aroundLogsTable(a *audit.Audit) table {
	t := table{title: "Chattiest logs", left: 1, header: []string{"Service: log", "Bytes", "Cost"}}
	for _, l := range a.Around.Logs {
		t.rows = append(t.rows, []string{pageText(l.Log), ingestSize(l.Bytes), pageUSD(l.CostUSD)})
	}
	return t
}

// auditAroundSections are the text outputs' sections.
func auditAroundSections(a *audit.Audit) []section {
	if a.Around == nil {
		return nil
	}
	return []section{list{heading: aroundTitle, items: aroundNotes(a)}, aroundServiceTable(a), aroundLogsTable(a)}
}

// auditLogsChart is a horizontal bar per log, the chattiest on top: the
// bytes of Audit.Around.Logs as they are.
func auditLogsChart(a *audit.Audit) (chartSpec, optioner) {
	var names []string
	var bytes []float64
	for _, l := range a.Around.Logs {
		names, bytes = append(names, pageText(l.Log)), append(bytes, float64(l.Bytes))
	}
	return horizontalBars(chartAuditLogs, names, bytes, "bytes", "bytes", "no log bytes", colorWarn, 240)
}

// ingestSize writes a byte count in binary units: "6.25 GiB".
func ingestSize(n int64) string {
	f := float64(n)
	for _, u := range []string{"B", "KiB", "MiB", "GiB"} {
		if f < 1024 || u == "GiB" {
			if u == "B" {
				return pageCount(n) + " B"
			}
			return pageFloat(f, 2) + " " + u
		}
		f /= 1024
	}
	return ""
}
