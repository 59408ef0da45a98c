package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
)

// The bill against the model (report and audit -billing-export): a row per
// SKU category with the billed and the modelled cost and their difference.
// SKU descriptions come from the export and are escaped like log text.

var billedHead = []string{"Category", "Billed", "Modelled", "Difference", "Difference %", "Status", "SKUs"}

// billedCells are a category's cells, in billedHead's order.
func billedCells(s analyze.BilledSKU) []string {
	pct := "n/a"
	if s.Difference != nil {
		pct = pageSignedPct(100 * *s.Difference)
	}
	status := "within tolerance"
	switch {
	case s.Exceeds && !s.Modelled:
		status = "differs: not modelled"
	case s.Exceeds:
		status = "differs"
	case !s.Modelled:
		status = "not modelled"
	}
	return []string{s.Category, pageUSD(s.BilledUSD), pageUSD(s.ModelledUSD), signedUSD(s.DifferenceUSD), pct, status, billedSKUs(s.SKUs)}
}

// billedTotal is the totals row.
func billedTotal(b *analyze.Billed) []string {
	return []string{"total", pageUSD(b.BilledUSD), pageUSD(b.ModelledUSD), signedUSD(b.BilledUSD - b.ModelledUSD), "",
		fmt.Sprintf("%d of %d differ", b.Exceeds, len(b.SKUs)), ""}
}

// billedSKUs names a category's SKUs, at most four.
func billedSKUs(skus []string) string {
	if len(skus) <= 4 {
		return strings.Join(skus, "; ")
	}
	return strings.Join(skus[:4], "; ") + fmt.Sprintf("; and %d more", len(skus)-4)
}

func signedUSD(v float64) string {
	if v < 0 {
		return "-" + pageUSD(-v)
	}
	return "+" + pageUSD(v)
}

// billedNotes say where the bill was read, which hours it covers and what
// limits the comparison.
func billedNotes(b *analyze.Billed) []string {
	src := b.Source
	out := []string{fmt.Sprintf("From the Cloud Billing export's %s table %s (job %s, %s processed); hours %s to %s; tolerance %.0f %% and $%.2f.",
		src.Export, src.Table, src.JobID, pagePlural(src.ProcessedBytes, "byte", "bytes"),
		b.Hours.Start.UTC().Format("2006-01-02 15:04"), b.Hours.End.UTC().Format("2006-01-02 15:04 UTC"),
		100*analyze.BilledTolerance, analyze.BilledToleranceUSD)}
	if n := len(b.UnbilledHours); n > 0 {
		out = append(out, fmt.Sprintf("Not billed yet: %s from %s.", pagePlural(int64(n), "hour", "hours"),
			b.UnbilledHours[0].UTC().Format(time.DateTime+" UTC")))
	}
	for _, n := range b.Notes {
		out = append(out, strings.ToUpper(n[:1])+n[1:]+".")
	}
	return out
}

// billedTable is the report's table, for a terminal or Markdown.
func billedTable(b *analyze.Billed) table {
	t := table{title: "Billed against modelled", left: 1, lastText: true, totals: 1, header: billedHead,
		note: strings.Join(billedNotes(b), " ")}
	for _, s := range b.SKUs {
		t.rows = append(t.rows, billedCells(s))
	}
	t.rows = append(t.rows, billedTotal(b))
	return t
}

// auditBilledTable is the audit's table, a row per service and category;
// nil rows when no service was compared.
func auditBilledTable(a *audit.Audit) table {
	t := table{title: "Billed against modelled", left: 2, keys: 2, lastText: true,
		header: append([]string{"Service"}, billedHead...)}
	var note string
	add := func(name string, b *analyze.Billed) {
		for _, s := range b.SKUs {
			t.rows = append(t.rows, append([]string{name}, billedCells(s)...))
		}
		if note == "" {
			note = strings.Join(billedNotes(b), " ")
		}
	}
	if a.Billed != nil {
		add("(project)", a.Billed)
	}
	for i := range a.Services {
		if b := a.Services[i].Billed; b != nil {
			add(a.Services[i].Name, b)
		}
	}
	t.note = note
	return t
}

// htmlBilledTable is the page's table of one comparison.
func htmlBilledTable(b *analyze.Billed) htmlTable {
	t := htmlTable{Title: "Billed against modelled", Head: billedHead, Notes: pageTexts(billedNotes(b)),
		Empty: "The export has no Cloud Run row for this service in the window's hours, and the model no cost."}
	row := func(cells []string) htmlRow {
		r := htmlRow{}
		for i, c := range cells {
			if i >= 1 && i <= 4 {
				r.Cells = append(r.Cells, cellNum(c))
			} else {
				r.Cells = append(r.Cells, cellText(c))
			}
		}
		return r
	}
	for _, s := range b.SKUs {
		t.Rows = append(t.Rows, row(billedCells(s)))
	}
	if len(t.Rows) > 0 {
		total := row(billedTotal(b))
		total.Total = true
		t.Rows = append(t.Rows, total)
	}
	return t
}
