package main

import (
	"encoding/json"
	stdhtml "html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runlens/runlens/analyze"
)

// runlens whatif replays a fixture under the settings given: one per
// combination, beside the backtest, as JSON or a table.
func TestWhatIfCommand(t *testing.T) {
	stdout, stderr, err := runCLI(t, "whatif", "../../fixtures/orchestrator-waiting", "-billing", "request,instance", "-min-instances", "1,2", "-format", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var res analyze.WhatIf
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Schema != analyze.WhatIfSchema || len(res.Predictions) != 4 || res.Error["billable_seconds"] == 0 {
		t.Fatalf("schema %q, %d predictions, errors %v: want %s, four, a billable-time error", res.Schema, len(res.Predictions), res.Error, analyze.WhatIfSchema)
	}
	for _, p := range res.Predictions {
		if p.Billing == "request" && p.CostUSD >= res.Observed.CostUSD {
			t.Errorf("%+v: request-based billing predicted at no less than the observed $%.4f", p, res.Observed.CostUSD)
		}
	}
	mem, _, err := runCLI(t, "whatif", "../../fixtures/orchestrator-waiting", "-memory", "1Gi,2048", "-format", "json")
	var byMemory analyze.WhatIf
	if err != nil || json.Unmarshal([]byte(mem), &byMemory) != nil || len(byMemory.Predictions) != 2 ||
		byMemory.Predictions[0].MemoryMiB != 1024 || byMemory.Predictions[1].MemoryMiB != 2048 {
		t.Errorf("-memory 1Gi,2048: %v, predictions %+v: want 1,024 and 2,048 MiB", err, byMemory.Predictions)
	}
	table, _, err := runCLI(t, "whatif", "../../fixtures/orchestrator-waiting")
	if err != nil || !strings.Contains(table, "backtest") || !strings.Contains(table, "Backtest (the observed setting replayed)") {
		t.Errorf("table: %v\n%s", err, table)
	}
	// -o writes the page beside the JSON: every setting, the charts, the
	// advice; -o - writes it to stdout.
	dir := t.TempDir()
	page, js := filepath.Join(dir, "whatif.html"), filepath.Join(dir, "whatif.json")
	out, stderr, err := runCLI(t, "whatif", "../../fixtures/orchestrator-waiting", "-billing", "request,instance", "-o", page, "-json", js)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(out, "backtest") {
		t.Errorf("-o FILE: the table is not on stdout:\n%s", out)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	var byPage analyze.WhatIf
	readJSON(t, js, &byPage)
	for _, want := range []string{"<!DOCTYPE html>", `id="chart_whatif_front"`, `id="chart_whatif_cold_starts"`, "<td>observed</td>", "<td>backtest</td>",
		"<td>setting 1</td>", "<td>setting 2</td>", "runlens what-if: " + byPage.Service} {
		if !strings.Contains(string(html), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, a := range byPage.Advice {
		if !strings.Contains(stdhtml.UnescapeString(string(html)), a.Text) {
			t.Errorf("page lacks the advice %q", a.Text)
		}
	}
	if out, _, err := runCLI(t, "whatif", "../../fixtures/orchestrator-waiting", "-o", "-"); err != nil || !strings.HasPrefix(out, "<!DOCTYPE html>") {
		t.Errorf("-o -: err %v, stdout starts %.40q: want the page", err, out)
	}

	for _, args := range [][]string{{"-min-instances", "x"}, {"-billing", "free"}, {"-concurrency", "0"}, {"-min-instances", "5", "-max-instances", "2"}, {"-memory", "64Mi"}, {"-memory", "lots"},
		{"-o", "-", "-format", "table"}, {"-o", "-", "-json", "-"}, {"-max-p95", "-1s"}} {
		// A usage error writes nothing: neither the page nor the JSON.
		page, js := filepath.Join(dir, "bad.html"), filepath.Join(dir, "bad.json")
		_, _, err := runCLI(t, append([]string{"whatif", "../../fixtures/orchestrator-waiting", "-o", page, "-json", js}, args...)...)
		if err == nil || exitCode(err) != exitUsage {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
		for _, p := range []string{page, js} {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("%v: %s written on a usage error (%v)", args, filepath.Base(p), err)
			}
		}
	}
}

// report -whatif replays the traffic and holds the verdict's billing and
// min-instances recommendations to the predictions: orchestrator-waiting's
// billing switch is kept with its replayed figures; continuous-coldstarts'
// min-instances=1, which the replay finds within its error, is dropped and
// the summary says why.
func TestReportWhatIf(t *testing.T) {
	read := func(fixture string) analyze.Report {
		t.Helper()
		stdout, stderr, err := runCLI(t, "report", "../../fixtures/"+fixture, "-whatif", "-format", "none", "-json", "-")
		if err != nil {
			t.Fatalf("%s: %v\n%s", fixture, err, stderr)
		}
		var rpt analyze.Report
		if err := json.Unmarshal([]byte(stdout), &rpt); err != nil {
			t.Fatal(err)
		}
		if rpt.WhatIf == nil || len(rpt.WhatIf.Predictions) == 0 {
			t.Fatalf("%s: no replay in the report", fixture)
		}
		return rpt
	}
	orch := read("orchestrator-waiting")
	if r := orch.Verdict.Recommendations; len(r) == 0 || r[0].ID != "switch_billing" || !strings.HasPrefix(r[0].Text, "Replayed: Switch to request-based billing") || r[0].SavingUSD < 0.02 {
		t.Errorf("orchestrator-waiting recommendations %+v: want the replayed billing switch first, saving about $0.03", r)
	}
	cold := read("continuous-coldstarts")
	for _, r := range cold.Verdict.Recommendations {
		if r.ID == "min_instances" {
			t.Errorf("continuous-coldstarts: %q kept, though the replay finds no change beyond its error", r.Text)
		}
	}
	if !strings.Contains(cold.Verdict.Summary, "Not recommended after replaying the traffic") {
		t.Errorf("continuous-coldstarts summary %q: want why min-instances is not recommended", cold.Verdict.Summary)
	}
	if _, _, err := runCLI(t, "report", "-whatif", "-summary", "x.json"); err == nil || exitCode(err) != exitUsage {
		t.Errorf("-whatif with -summary: err = %v, want a usage error", err)
	}
}
