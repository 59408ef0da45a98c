package analyze

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// The tolerance of the bill against the model: a SKU category whose billed
// cost differs from the modelled one by more than BilledTolerance of the
// modelled cost and by more than BilledToleranceUSD is a finding
// (billed_differs). 5 % leaves room for what the model rounds (metric
// sampling, the 100 ms rounding rebuilt from logs); $0.01 keeps cents of
// a quiet service from raising it.
const (
	BilledTolerance    = 0.05
	BilledToleranceUSD = 0.01
)

// SKU categories of Cloud Run's billed cost. Runlens models CPU, memory,
// requests and GPU; networking and other SKUs are billed but not modelled.
const (
	SKUCPU        = "cpu"
	SKUMemory     = "memory"
	SKURequests   = "requests"
	SKUGPU        = "gpu"
	SKUNetworking = "networking"
	SKUOther      = "other"
)

// SKUCategories lists the categories in the order reports show them.
var SKUCategories = []string{SKUCPU, SKUMemory, SKURequests, SKUGPU, SKUNetworking, SKUOther}

// modelledCategory tells which categories the cost model prices.
var modelledCategory = map[string]bool{SKUCPU: true, SKUMemory: true, SKURequests: true, SKUGPU: true}

// SKUCategory puts a Cloud Run SKU description in a category, from the
// words Google's Cloud Run SKUs use: "CPU Allocation Time", "Memory
// Allocation Time", "Idle Min-Instance CPU Allocation Time", "Requests",
// "... GPU ...", "Network Internet Egress ...", "Networking Traffic
// Egress ...". Idle minimum-instance SKUs count as CPU and memory, as the
// model prices them.
func SKUCategory(description string) string {
	d := strings.ToLower(description)
	switch {
	case strings.Contains(d, "gpu"):
		return SKUGPU
	case strings.Contains(d, "network") || strings.Contains(d, "egress") || strings.Contains(d, "internet"):
		return SKUNetworking
	case strings.Contains(d, "cpu"):
		return SKUCPU
	case strings.Contains(d, "memory"):
		return SKUMemory
	case strings.Contains(d, "request"):
		return SKURequests
	}
	return SKUOther
}

// BilledRow is one SKU's billed usage and cost over the billed hours, as
// the Cloud Billing export gives them, in USD.
type BilledRow struct {
	SKUID       string  `json:"sku_id"`
	SKU         string  `json:"sku"` // sku.description
	Category    string  `json:"category"`
	UsageAmount float64 `json:"usage_amount"`
	UsageUnit   string  `json:"usage_unit"`
	// CostUSD is the cost before credits; CreditsUSD the credits applied
	// to it (free tier, discounts), zero or negative.
	CostUSD    float64 `json:"cost_usd"`
	CreditsUSD float64 `json:"credits_usd"`
}

// BilledSource is where the billed rows were read: the export's table and
// the BigQuery job that read them.
type BilledSource struct {
	Table string `json:"table"` // PROJECT.DATASET.TABLE
	// Export is "detailed" (rows per Cloud Run service, from
	// resource.name) or "standard" (rows per project: every service
	// together).
	Export         string `json:"export"`
	Query          string `json:"query"`
	JobID          string `json:"job_id"`
	EstimatedBytes int64  `json:"estimated_bytes"`
	ProcessedBytes int64  `json:"processed_bytes"`
	BilledBytes    int64  `json:"billed_bytes"`
}

// BilledInput is what the export gave for one service (or, from a standard
// export, one project).
type BilledInput struct {
	Source BilledSource
	// APICalls are the BigQuery calls reading the export cost, by method,
	// shared by every service the query answered for.
	APICalls map[string]int
	// Window is the report's window.
	Window Window
	// BilledUntil is the latest usage_end_time in the export and
	// ExportedAt its latest export_time; zero when the export has no row.
	BilledUntil, ExportedAt time.Time
	Rows                    []BilledRow
}

// Billed is the bill against the model for one service over the report's
// window: the billed cost per SKU category beside the modelled cost of the
// hours billed so far, and their difference.
type Billed struct {
	Source   BilledSource   `json:"source"`
	APICalls map[string]int `json:"api_calls"`
	// Hours are the whole hours the export's rows cover for the window:
	// billed usage is hourly, so a window that is not whole hours is
	// compared with the bill of the hours around it.
	Hours Window `json:"hours"`
	// BilledUntil is the latest usage_end_time in the export and
	// ExportedAt its latest export_time; null when the export had no row.
	BilledUntil *time.Time `json:"billed_until"`
	ExportedAt  *time.Time `json:"exported_at"`
	// UnbilledHours are the starts of the window's hours that end after
	// BilledUntil: the export lags usage by hours to a day.
	UnbilledHours []time.Time `json:"unbilled_hours"`
	// ComparedShare is the share of the window's modelled cost that falls
	// before BilledUntil (by billable instance time, else requests, else
	// time), which is what the modelled column holds.
	ComparedShare float64     `json:"compared_share"`
	Rows          []BilledRow `json:"rows"`
	// SKUs has a row per category billed or modelled, in SKUCategories
	// order.
	SKUs        []BilledSKU `json:"skus"`
	BilledUSD   float64     `json:"billed_usd"`
	ModelledUSD float64     `json:"modelled_usd"`
	CreditsUSD  float64     `json:"credits_usd"`
	// Exceeds counts the categories whose difference exceeds the
	// tolerance.
	Exceeds int `json:"exceeds"`
	// Notes say what limits the comparison.
	Notes []string `json:"notes"`
}

// BilledSKU is one category's billed cost against the model.
type BilledSKU struct {
	Category string `json:"category"`
	// SKUs are the billed SKU descriptions of the category.
	SKUs        []string `json:"skus"`
	BilledUSD   float64  `json:"billed_usd"`
	ModelledUSD float64  `json:"modelled_usd"`
	// DifferenceUSD is billed minus modelled; Difference the same
	// relative to the modelled cost, null when that is zero.
	DifferenceUSD float64  `json:"difference_usd"`
	Difference    *float64 `json:"difference"`
	// Modelled is false for what runlens does not model (networking,
	// other): the whole billed cost is the difference.
	Modelled bool `json:"modelled"`
	// Exceeds is set when the difference exceeds the tolerance
	// (BilledTolerance and BilledToleranceUSD).
	Exceeds bool `json:"exceeds"`
}

// ModelledBySKU is the report's modelled cost per SKU category before
// until (the export's BilledUntil; zero when the export has no row, so
// that nothing is billed), and the share of the window's cost that is.
func ModelledBySKU(rpt *Report, until time.Time) (map[string]float64, float64) {
	c := rpt.Cost
	m := map[string]float64{SKUCPU: c.CPUUSD, SKUMemory: c.MemoryUSD, SKURequests: c.RequestsUSD}
	if c.GPUCostIncluded {
		m[SKUGPU] = c.GPUUSD
	}
	share := billedShare(rpt, until)
	for k := range m {
		m[k] *= share
	}
	return m, share
}

// billedShare is the share of the window's billable instance time (else
// of its requests, else of its time) before until.
func billedShare(rpt *Report, until time.Time) float64 {
	w := rpt.Window
	if until.IsZero() || !until.After(w.Start) {
		return 0
	}
	if !until.Before(w.End) {
		return 1
	}
	var before, total float64
	step := time.Duration(cmp.Or(rpt.Series.MetricStepS, 60) * float64(time.Second))
	for _, p := range rpt.Series.Billable { // stamped at their interval's end
		total += p.Value
		before += p.Value * overlapShare(p.Time.Add(-step), p.Time, until)
	}
	if total > 0 {
		return before / total
	}
	step = time.Duration(cmp.Or(rpt.Series.ServerStepS, 1) * float64(time.Second))
	for _, p := range rpt.Series.Server { // stamped at their step's start
		total += float64(p.Requests)
		before += float64(p.Requests) * overlapShare(p.Time, p.Time.Add(step), until)
	}
	if total > 0 {
		return before / total
	}
	return until.Sub(w.Start).Seconds() / w.End.Sub(w.Start).Seconds()
}

// overlapShare is the share of [from, to) before until.
func overlapShare(from, to, until time.Time) float64 {
	switch {
	case !until.After(from):
		return 0
	case !until.Before(to) || !to.After(from):
		return 1
	}
	return until.Sub(from).Seconds() / to.Sub(from).Seconds()
}

// CompareBilled sets the billed rows beside the modelled cost per category
// (ModelledBySKU, whose share is share) and finds the differences beyond
// the tolerance.
func CompareBilled(in BilledInput, modelled map[string]float64, share float64) *Billed {
	b := &Billed{Source: in.Source, APICalls: in.APICalls, Hours: wholeHours(in.Window), ComparedShare: share,
		Rows: slices.Clone(in.Rows), UnbilledHours: []time.Time{}, Notes: []string{}}
	if b.Rows == nil {
		b.Rows = []BilledRow{}
	}
	if !in.BilledUntil.IsZero() {
		b.BilledUntil, b.ExportedAt = ptrTime(in.BilledUntil), ptrTime(in.ExportedAt)
	}
	billed, skus := map[string]float64{}, map[string][]string{}
	for _, r := range in.Rows {
		billed[r.Category] += r.CostUSD
		b.CreditsUSD += r.CreditsUSD
		if !slices.Contains(skus[r.Category], r.SKU) {
			skus[r.Category] = append(skus[r.Category], r.SKU)
		}
	}
	for _, cat := range SKUCategories {
		if billed[cat] == 0 && modelled[cat] == 0 {
			continue
		}
		s := BilledSKU{Category: cat, SKUs: skus[cat], BilledUSD: billed[cat], ModelledUSD: modelled[cat], Modelled: modelledCategory[cat]}
		if s.SKUs == nil {
			s.SKUs = []string{}
		}
		slices.Sort(s.SKUs)
		s.DifferenceUSD = s.BilledUSD - s.ModelledUSD
		if s.ModelledUSD != 0 {
			d := s.DifferenceUSD / s.ModelledUSD
			s.Difference = &d
		}
		s.Exceeds = math.Abs(s.DifferenceUSD) > BilledToleranceUSD && (s.Difference == nil || math.Abs(*s.Difference) > BilledTolerance)
		if s.Exceeds {
			b.Exceeds++
		}
		b.BilledUSD += s.BilledUSD
		b.ModelledUSD += s.ModelledUSD
		b.SKUs = append(b.SKUs, s)
	}
	b.unbilled(in.Window, in.BilledUntil)
	b.notes(in)
	return b
}

// unbilled lists the window's hours that end after until.
func (b *Billed) unbilled(w Window, until time.Time) {
	for h := b.Hours.Start; h.Before(b.Hours.End); h = h.Add(time.Hour) {
		if until.IsZero() || h.Add(time.Hour).After(until) {
			b.UnbilledHours = append(b.UnbilledHours, h)
		}
	}
}

func (b *Billed) notes(in BilledInput) {
	w := in.Window
	if !w.Start.Equal(b.Hours.Start) || !w.End.Equal(b.Hours.End) {
		b.Notes = append(b.Notes, fmt.Sprintf("the export bills whole hours: the billed hours %s to %s include usage outside the window %s to %s, which the model leaves out",
			hm(b.Hours.Start), hm(b.Hours.End), hm(w.Start), hm(w.End)))
	}
	switch {
	case in.BilledUntil.IsZero():
		b.Notes = append(b.Notes, "the export has no usage yet (no row): nothing of the window is billed")
	case len(b.UnbilledHours) > 0:
		b.Notes = append(b.Notes, fmt.Sprintf("the export lags: usage is billed until %s (exported %s), so %d of the window's hours are not billed yet; the modelled column holds the %.0f %% of the model before then",
			hm(in.BilledUntil), hm(in.ExportedAt), len(b.UnbilledHours), 100*b.ComparedShare))
	}
	if in.Source.Export == "standard" {
		b.Notes = append(b.Notes, "standard export: its rows are the project's Cloud Run cost, every service together (the detailed export names the service)")
	}
	if b.CreditsUSD != 0 {
		b.Notes = append(b.Notes, fmt.Sprintf("billed cost is before credits (%.4f USD of credits: free tier, discounts), as the model is gross", b.CreditsUSD))
	}
}

// Finding is the billed_differs finding, nil when no category exceeds
// the tolerance.
func (b *Billed) Finding() *Finding {
	var parts []string
	var total float64
	for _, s := range b.SKUs {
		if !s.Exceeds {
			continue
		}
		total += math.Abs(s.DifferenceUSD)
		what := fmt.Sprintf("%s billed $%.4f against $%.4f modelled (%+.4f", s.Category, s.BilledUSD, s.ModelledUSD, s.DifferenceUSD)
		if s.Difference != nil {
			what += fmt.Sprintf(", %+.1f %%)", 100**s.Difference)
		} else {
			what += ")"
		}
		if !s.Modelled {
			what += ", not modelled: " + quoteSKUs(s.SKUs)
		}
		parts = append(parts, what)
	}
	if len(parts) == 0 {
		return nil
	}
	return &Finding{ID: "billed_differs", Severity: SeverityWarn, Value: total, Message: fmt.Sprintf(
		"The bill differs from the model beyond %.0f %% and $%.2f: %s", 100*BilledTolerance, BilledToleranceUSD, strings.Join(parts, "; "))}
}

// AttachBilled compares the export's rows with the report's model, sets
// rpt.Billed and adds the billed_differs finding when there is one.
func AttachBilled(rpt *Report, in BilledInput) {
	modelled, share := ModelledBySKU(rpt, in.BilledUntil)
	rpt.Billed = CompareBilled(in, modelled, share)
	if f := rpt.Billed.Finding(); f != nil {
		rpt.Findings = append(rpt.Findings, *f)
	}
}

// quoteSKUs names at most three SKUs, each cut to 60 characters.
func quoteSKUs(skus []string) string {
	var q []string
	for _, s := range skus[:min(3, len(skus))] {
		if r := []rune(s); len(r) > 60 {
			s = string(r[:60]) + "…"
		}
		q = append(q, fmt.Sprintf("%q", s))
	}
	if len(skus) > 3 {
		q = append(q, fmt.Sprintf("and %d more", len(skus)-3))
	}
	return strings.Join(q, ", ")
}

// wholeHours widens w to whole UTC hours.
func wholeHours(w Window) Window {
	start := w.Start.UTC().Truncate(time.Hour)
	end := w.End.UTC().Truncate(time.Hour)
	if end.Before(w.End) {
		end = end.Add(time.Hour)
	}
	return Window{Start: start, End: end}
}

func hm(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func ptrTime(t time.Time) *time.Time { t = t.UTC(); return &t }
