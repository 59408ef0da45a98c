package analyze

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSKUCategory(t *testing.T) {
	for sku, want := range map[string]string{
		"CPU Allocation Time":                      SKUCPU,
		"Idle Min-Instance CPU Allocation Time":    SKUCPU,
		"Memory Allocation Time (tier 2)":          SKUMemory,
		"Idle Min-Instance Memory Allocation Time": SKUMemory,
		"Requests":                                  SKURequests,
		"Services Nvidia L4 GPU Allocation Time":    SKUGPU,
		"Network Internet Egress from EMEA to APAC": SKUNetworking,
		"Networking Traffic Egress GCP Premium":     SKUNetworking,
		"Cloud Run Jobs Task Attempts":              SKUOther,
	} {
		if got := SKUCategory(sku); got != want {
			t.Errorf("SKUCategory(%q) = %s, want %s", sku, got, want)
		}
	}
}

// billedReport is a report of 10:00 to 14:00 whose billable time is spread
// evenly, costing $1 of CPU, $0.10 of memory and $0.01 of requests.
func billedReport() *Report {
	start := time.Date(2024, 6, 4, 10, 0, 0, 0, time.UTC)
	rpt := &Report{Window: Window{Start: start, End: start.Add(4 * time.Hour)},
		Cost: Cost{CPUUSD: 1, MemoryUSD: 0.1, RequestsUSD: 0.01, GPUCostIncluded: true}}
	rpt.Series.MetricStepS = 60
	for m := 1; m <= 240; m++ {
		rpt.Series.Billable = append(rpt.Series.Billable, ValuePoint{Time: start.Add(time.Duration(m) * time.Minute), Value: 60})
	}
	return rpt
}

// With the export billed until 12:00, half of the window's model is
// compared, the two later hours are named unbilled, and a category beyond
// both tolerances is a finding; one beyond 5 % but under $0.01 is not, nor
// one under 5 %.
func TestAttachBilledLag(t *testing.T) {
	rpt := billedReport()
	until := rpt.Window.Start.Add(2 * time.Hour)
	AttachBilled(rpt, BilledInput{Window: rpt.Window, BilledUntil: until, ExportedAt: until.Add(3 * time.Hour),
		Source: BilledSource{Export: "detailed"},
		Rows: []BilledRow{
			{SKU: "CPU Allocation Time", Category: SKUCPU, CostUSD: 0.52},            // +4 % of $0.50
			{SKU: "Memory Allocation Time", Category: SKUMemory, CostUSD: 0.058},     // +16 %, +$0.008
			{SKU: "Requests", Category: SKURequests, CostUSD: 0.005},                 // even
			{SKU: "Network <b>Egress</b>", Category: SKUNetworking, CostUSD: 0.0201}, // not modelled
		}})
	b := rpt.Billed
	if b.ComparedShare != 0.5 {
		t.Errorf("compared share %v, want 0.5", b.ComparedShare)
	}
	h := rpt.Window.Start
	if d := cmp.Diff([]time.Time{h.Add(2 * time.Hour), h.Add(3 * time.Hour)}, b.UnbilledHours); d != "" {
		t.Errorf("unbilled hours (-want +got):\n%s", d)
	}
	exceeds := map[string]bool{}
	for _, s := range b.SKUs {
		exceeds[s.Category] = s.Exceeds
	}
	if d := cmp.Diff(map[string]bool{SKUCPU: false, SKUMemory: false, SKURequests: false, SKUNetworking: true}, exceeds); d != "" {
		t.Errorf("exceeds (-want +got):\n%s", d)
	}
	if len(rpt.Findings) != 1 || rpt.Findings[0].ID != "billed_differs" || !strings.Contains(rpt.Findings[0].Message, `not modelled: "Network <b>Egress</b>"`) {
		t.Errorf("findings %+v", rpt.Findings)
	}
	if !strings.Contains(strings.Join(b.Notes, "\n"), "2 of the window's hours are not billed yet") {
		t.Errorf("notes %q", b.Notes)
	}
}

// An export with no row yet compares nothing of the window: every hour is
// unbilled and the bill's zero is no finding.
func TestAttachBilledNothingYet(t *testing.T) {
	rpt := billedReport()
	AttachBilled(rpt, BilledInput{Window: rpt.Window})
	b := rpt.Billed
	if len(b.UnbilledHours) != 4 || b.BilledUntil != nil || len(rpt.Findings) != 0 || b.ComparedShare != 0 || b.ModelledUSD != 0 {
		t.Errorf("unbilled %v, billed until %v, findings %+v, compared share %v, modelled $%v", b.UnbilledHours, b.BilledUntil, rpt.Findings, b.ComparedShare, b.ModelledUSD)
	}
}
