package render

import (
	"github.com/runlens/runlens/analyze/audit"
)

// wasteHead is the waste table's header, on every output.
var wasteHead = []string{"Service", "Waste", "Saving", "Saving a month", "What it rests on", "What to do"}

// wasteRows are the audit's waste findings, one row per finding in the
// services' order, then the total; nil when there is none.
func wasteRows(a *audit.Audit) (rows [][]string, total []string) {
	var window, month float64
	for _, s := range a.Services {
		for _, w := range s.Waste {
			rows = append(rows, []string{clip(s.Name), clip(w.ID), pageUSD(w.SavingUSD), pageUSD(w.SavingUSDPerMonth), clip(w.Message), clip(w.Recommendation)})
		}
		sw, sm := audit.TotalSavingUSD(s.Waste)
		window, month = window+sw, month+sm
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows, []string{"Total", "", pageUSD(window), pageUSD(month), "", ""}
}

// wasteNote says what the savings are.
const wasteNote = "What each service spends for nothing it needs, and what the change saves at the prices of its cost: over the window, and at the same rate over a 30-day month."

// auditWasteTable is the waste as a terminal or Markdown table; nothing
// when there is none.
func auditWasteTable(a *audit.Audit) section {
	rows, total := wasteRows(a)
	if rows == nil {
		return list{heading: "Waste"}
	}
	t := table{title: "Waste", note: wasteNote, header: wasteHead, left: 2, lastText: true}
	for _, r := range append(rows, total) {
		// the explanation goes under the table on a terminal: fold the
		// basis into it
		t.rows = append(t.rows, []string{r[0], r[1], r[2], r[3], joinNonEmpty(r[5], r[4])})
	}
	t.header = []string{wasteHead[0], wasteHead[1], wasteHead[2], wasteHead[3], wasteHead[5]}
	return t
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " (" + b + ")"
}

// auditWasteHTML is the waste as a table of the page.
func auditWasteHTML(a *audit.Audit) htmlTable {
	t := htmlTable{Title: "Waste", Notes: []string{wasteNote}, Head: wasteHead, Empty: "No waste found."}
	rows, total := wasteRows(a)
	if rows == nil {
		return t
	}
	for i, r := range append(rows, total) {
		t.Rows = append(t.Rows, htmlRow{Total: i == len(rows), Cells: []htmlCell{{Text: r[0]}, {Text: r[1]}, {Text: r[2], Num: true},
			{Text: r[3], Num: true}, {Text: r[4]}, {Text: r[5]}}})
	}
	return t
}
