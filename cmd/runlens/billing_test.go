package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/internal/billtest"
	"github.com/runlens/runlens/internal/bqemu"
)

// report -billing-export reads the bill from the emulator (its dry run on
// stderr) and puts it beside the model in the Markdown and the JSON.
func TestReportBillingExport(t *testing.T) {
	emu := bqemu.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	svc, usage, err := sim.BilledUsage(sim.PaperMobileNet, sim.DefaultSeed)
	must(t, err)
	ds := emu.CreateDataset(t, "billing")
	must(t, bqemu.LoadBilling(ctx, emu.Client(t), ds, bqemu.BillingTable(false, billtest.Account), false,
		billtest.Rows(svc, usage, billtest.Options{})))
	out, page := filepath.Join(t.TempDir(), "report.json"), filepath.Join(t.TempDir(), "report.html")
	stdout, stderr, err := runCLI(t, "report", "../../fixtures/paper-mobilenet", "-billing-export", emu.Project+"."+ds,
		"-bigquery-endpoint", emu.Endpoint, "-format", "markdown", "-json", out, "-o", page)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "query billing_standard would scan") {
		t.Errorf("no dry run on stderr:\n%s", stderr)
	}
	if !strings.Contains(stdout, "### Billed against modelled") || !strings.Contains(stdout, "standard table") {
		t.Errorf("no bill in the Markdown:\n%s", stdout)
	}
	html, err := os.ReadFile(page)
	must(t, err)
	if !strings.Contains(string(html), "<h3>Billed against modelled</h3>") || !strings.Contains(string(html), "CPU Allocation Time") {
		t.Error("no bill on the report's page")
	}
	var rpt analyze.Report
	readJSON(t, out, &rpt)
	if rpt.Billed == nil || len(rpt.Billed.SKUs) != 3 || rpt.Billed.Exceeds != 0 || rpt.Billed.Source.Export != "standard" {
		t.Errorf("report.json's billed: %+v", rpt.Billed)
	}
}

// -bigquery-endpoint is for reading BigQuery: the audit refuses it alone,
// without -bigquery or -billing-export,
// and -billing-export refuses what is not PROJECT.DATASET[.TABLE].
func TestBillingExportFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", "-project", "p", "-since", "1h", "-bigquery-endpoint", "http://127.0.0.1:1"}, "-bigquery-endpoint needs -bigquery or -billing-export"},
		{[]string{"audit", "-project", "p", "-since", "1h", "-billing-export", "p.d", "-max-bytes", "0"}, "-max-bytes: want a positive number"},
		{[]string{"report", "../../fixtures/paper-mobilenet", "-billing-export", "nodots", "-bigquery-endpoint", "http://127.0.0.1:1", "-format", "none"}, "want PROJECT.DATASET or PROJECT.DATASET.TABLE"},
	} {
		_, _, err := runCLI(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("runlens %s: %v, want %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}
