package pipeline

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/internal/billtest"
	"github.com/runlens/runlens/internal/bqemu"
)

// simTolerance is how close the model must come to a bill made from the
// simulator's own billable time: on real projects, a larger difference
// then means something.
const simTolerance = 0.01

// Each bundled fixture's modelled cost is within 1 % per SKU category of
// a billing table built from the simulator's ground truth (its instances'
// billable spans and its requests, at the price table's rates), read back
// from the BigQuery emulator: no billed_differs finding, every hour billed.
func TestModelAgainstSimulatedBill(t *testing.T) {
	e := bqemu.Start(t)
	c := e.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, scenario := range sim.Scenarios() {
		t.Run(scenario, func(t *testing.T) {
			svc, usage, err := sim.BilledUsage(scenario, sim.DefaultSeed)
			if err != nil {
				t.Fatal(err)
			}
			dataset := e.CreateDataset(t, "bill_"+strings.ReplaceAll(scenario, "-", "_"))
			rows := billtest.Rows(svc, usage, billtest.Options{Detailed: true})
			if err := bqemu.LoadBilling(ctx, c, dataset, bqemu.BillingTable(true, billtest.Account), true, rows); err != nil {
				t.Fatal(err)
			}
			ds, err := Load(Sources{Snapshot: fixture(scenario)})
			if err != nil {
				t.Fatal(err)
			}
			rpt := analyze.Run(ds, analyze.Options{Generated: time.Unix(1700000000, 0).UTC()})
			if err := AttachBill(ctx, &BillingExport{Ref: e.Project + "." + dataset, Endpoint: e.Endpoint}, rpt); err != nil {
				t.Fatal(err)
			}
			b := rpt.Billed
			if len(b.SKUs) == 0 {
				t.Fatalf("no SKU compared: %+v", b)
			}
			for _, s := range b.SKUs {
				t.Logf("%s: billed $%.6f, modelled $%.6f, difference %+.6f (%s)", s.Category, s.BilledUSD, s.ModelledUSD, s.DifferenceUSD, pct(s.Difference))
				if s.Difference == nil || math.Abs(*s.Difference) >= simTolerance {
					t.Errorf("%s: billed $%.6f against $%.6f modelled: %s, want under %.0f %%", s.Category, s.BilledUSD, s.ModelledUSD, pct(s.Difference), 100*simTolerance)
				}
			}
			if b.Exceeds != 0 || len(b.UnbilledHours) != 0 || b.ComparedShare != 1 {
				t.Errorf("exceeds %d, unbilled hours %v, compared share %v; want 0, none, 1", b.Exceeds, b.UnbilledHours, b.ComparedShare)
			}
			for _, f := range rpt.Findings {
				if f.ID == "billed_differs" {
					t.Errorf("finding %s", f.Message)
				}
			}
			if b.Source.JobID == "" || b.APICalls["bigquery.jobs.insert"] < 2 || b.APICalls["bigquery.tables.get"] != 1 {
				t.Errorf("source %+v, calls %v: want the job and its dry run, and the table's metadata", b.Source, b.APICalls)
			}
		})
	}
}

func pct(d *float64) string {
	if d == nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.3g %%", 100**d)
}
