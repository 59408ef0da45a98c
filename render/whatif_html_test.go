package render

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/internal/browser"
)

// hostileAgent is a load test's user agent that would run if the page
// let it through unescaped.
const hostileAgent = "<script>alert(1)</script>"

// sampleWhatIf is a what-if analysis of four settings, its user agent,
// service and assumption hostile.
func sampleWhatIf() *analyze.WhatIf {
	set := func(conc int, mem int64) analyze.WhatIfSetting {
		return analyze.WhatIfSetting{MinInstances: 0, MaxInstances: 10, Concurrency: conc, Billing: "request", MemoryMiB: mem}
	}
	bound := map[string]float64{"cost_usd": 0.08, "p95_ms": 0.2, "cold_starts": 0.1}
	out := func(s analyze.WhatIfSetting, cost, p95 float64, cold int, pareto bool) analyze.WhatIfOutcome {
		return analyze.WhatIfOutcome{WhatIfSetting: s, Instances: cold, ColdStarts: cold, CostUSD: cost, P50MS: p95 / 2, P95MS: p95,
			BillableSeconds: cost * 30000, Bound: bound, Pareto: pareto}
	}
	r := &analyze.WhatIf{
		Schema:   analyze.WhatIfSchema,
		Service:  "svc " + evilImg,
		Observed: analyze.WhatIfOutcome{WhatIfSetting: set(80, 2048), Instances: 12, ColdStarts: 12, CostUSD: 0.0539, P50MS: 3553, P95MS: 8443, Failed: 22, MemoryKills: 8},
		Backtest: out(set(80, 2048), 0.0524, 9223, 13, false),
		Error:    map[string]float64{"cost_usd": -0.028, "p95_ms": 0.092, "cold_starts": 0.083},
		Predictions: []analyze.WhatIfOutcome{
			out(set(80, 2048), 0.0524, 9223, 13, true), out(set(80, 4096), 0.0651, 7852, 4, true),
			out(set(2, 2048), 0.0552, 8720, 11, true), out(set(2, 4096), 0.0663, 7852, 4, false),
		},
		Best: []int{0, 2, 1, 3},
		Calibration: analyze.WhatIfCalibration{Requests: 602, StartupMS: [3]float64{21704, 23350, 27643}, IdleKeepS: [2]float64{300, 900},
			LoopAgent: hostileAgent, LoopUsers: 8, Memory: &analyze.WhatIfMemory{Kills: 8, BaseMiB: 1494, RetainedMiB: 6.3, HeldMiB: 89},
			Assumed: []string{"idle retention: " + evilScript}},
	}
	for i, p := range r.Predictions {
		kind := analyze.AdviceNoGain
		if p.MemoryMiB == 4096 {
			kind = analyze.AdviceFixes
		}
		r.Advice = append(r.Advice, analyze.WhatIfAdvice{Setting: p.WhatIfSetting, Kind: kind, Text: "advice " + strconv.Itoa(i+1)})
	}
	return r
}

func renderWhatIf(t *testing.T, r *analyze.WhatIf) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WhatIfHTML(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var specsRE = regexp.MustCompile(`var specs = (.*);\n`)

// whatIfSpecs reads back the charts' options of a page.
func whatIfSpecs(t *testing.T, page string) map[string]map[string]any {
	t.Helper()
	m := specsRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("page has no chart options")
	}
	var items []struct {
		ID     string         `json:"id"`
		Option map[string]any `json:"option"`
	}
	if err := json.Unmarshal([]byte(m[1]), &items); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, it := range items {
		out[it.ID] = it.Option
	}
	return out
}

// optionSeries is the named series of a chart option.
func optionSeries(o map[string]any, name string) map[string]any {
	series, _ := o["series"].([]any)
	for _, s := range series {
		if m, _ := s.(map[string]any); m["name"] == name {
			return m
		}
	}
	return nil
}

// The page inlines echarts and fetches nothing: no external URL in an
// attribute, a style or a link.
func TestWhatIfHTMLFetchesNothing(t *testing.T) {
	page := renderWhatIf(t, sampleWhatIf())
	if !strings.Contains(page, echartsJS) {
		t.Error("page does not inline echarts")
	}
	rest := strings.Replace(page, echartsJS, "", 1)
	for _, bad := range []string{`src="http`, `href="http`, `src='http`, `href='http`, `<script src`, `<link`, `@import`, `url(`, `<iframe`, `<img`} {
		if strings.Contains(rest, bad) {
			t.Errorf("page holds %q: it must fetch nothing", bad)
		}
	}
	if u := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`).FindString(rest); u != "" {
		t.Errorf("page outside the library holds the address %q", u)
	}
	if n := strings.Count(page, "<script"); n != 2 {
		t.Errorf("page has %d <script elements, want 2 (library, charts)", n)
	}
}

// Log-derived text reaches the page escaped: the user agent, the service,
// an assumption.
func TestWhatIfHTMLEscapes(t *testing.T) {
	page := renderWhatIf(t, sampleWhatIf())
	rest := strings.Replace(page, echartsJS, "", 1)
	for _, raw := range []string{hostileAgent, evilImg, evilScript} {
		if strings.Contains(rest, raw) {
			t.Errorf("page holds %q unescaped", raw)
		}
	}
	for _, want := range []string{"The load test&#39;s requests (&lt;script&gt;alert(1)&lt;/script&gt;)", "svc &lt;img src=x onerror=alert(1)&gt;",
		"idle retention: &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// A long agent is cut, saying how long it was.
	r := sampleWhatIf()
	r.Calibration.LoopAgent = strings.Repeat("a", 3*MaxTextBytes)
	if page := renderWhatIf(t, r); strings.Contains(page, r.Calibration.LoopAgent) || !strings.Contains(page, "…(1536 bytes)") {
		t.Error("a 1,536-byte user agent is not cut")
	}
}

// Every configuration is on the page: in the table, the cost-p95 chart
// (at its cost and p95) and the cold-start chart; the advice too,
// recommended first.
func TestWhatIfHTMLHoldsEveryConfiguration(t *testing.T) {
	r := sampleWhatIf()
	page := renderWhatIf(t, r)
	for _, row := range []string{"observed", "backtest", "setting 1", "setting 2", "setting 3", "setting 4"} {
		if !strings.Contains(page, "<td>"+row+"</td>") {
			t.Errorf("the table has no row %q", row)
		}
	}
	specs := whatIfSpecs(t, page)
	for _, c := range WhatIfCharts {
		if specs[c.ID] == nil || !strings.Contains(page, `<div class="chart" id="`+c.ID+`"`) {
			t.Errorf("chart %s missing", c.ID)
		}
	}
	front := specs[ChartWhatIfFront]
	settings := optionSeries(front, WhatIfSettingsSeries)
	data, _ := settings["data"].([]any)
	if len(data) != len(r.Predictions) {
		t.Fatalf("%d settings drawn, want %d", len(data), len(r.Predictions))
	}
	for i, d := range data {
		m, _ := d.(map[string]any)
		v, _ := m["value"].([]any)
		p := r.Predictions[i]
		if m["name"] != "setting "+strconv.Itoa(i+1) || len(v) != 2 || v[0] != p.CostUSD || v[1] != p.P95MS {
			t.Errorf("point %d drawn as %v, want setting %d at (%v, %v)", i, d, i+1, p.CostUSD, p.P95MS)
		}
	}
	for name, o := range map[string]analyze.WhatIfOutcome{WhatIfObservedSeries: r.Observed, WhatIfBacktestSeries: r.Backtest} {
		d, _ := optionSeries(front, name)["data"].([]any)
		if len(d) != 1 || !strings.Contains(mustJSON(t, d[0]), mustJSON(t, []float64{o.CostUSD, o.P95MS})) {
			t.Errorf("%s drawn as %v", name, d)
		}
	}
	if d, _ := optionSeries(front, WhatIfFrontSeries)["data"].([]any); len(d) != 3 {
		t.Errorf("the front joins %d points, want 3", len(d))
	}
	if d, _ := optionSeries(front, WhatIfBoundSeries)["data"].([]any); len(d) != 6*len(r.Predictions) {
		t.Errorf("error bars of %d items, want 6 a setting", len(d))
	}
	bars, _ := optionSeries(specs[ChartWhatIfColdStarts], WhatIfColdStartSeries)["data"].([]any)
	if len(bars) != 2+len(r.Predictions) {
		t.Errorf("%d cold-start bars, want %d", len(bars), 2+len(r.Predictions))
	}
	// Recommended advice first: settings 2 and 4 fix, 1 and 3 do not.
	i2, i4, i1 := strings.Index(page, "advice 2"), strings.Index(page, "advice 4"), strings.Index(page, "advice 1")
	if i2 < 0 || i4 < 0 || i1 < 0 || !(i2 < i4 && i4 < i1) {
		t.Errorf("advice order 2 at %d, 4 at %d, 1 at %d: want the recommended first, cheapest first", i2, i4, i1)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// With limits, the best are said and highlighted; with none within, the
// page says so.
func TestWhatIfHTMLBest(t *testing.T) {
	r := sampleWhatIf()
	r.Constraint, r.Best = analyze.WhatIfConstraint{MaxP95MS: 8000}, []int{1, 3}
	page := renderWhatIf(t, r)
	for _, want := range []string{"Best within p95 at most 8,000 ms, cheapest first:", "setting 2 (memory 4,096 MiB): $0.0651, p95 7,852 ms",
		`<tr class="front best"><td>setting 2</td>`, `<tr class="best"><td>setting 4</td>`, `"max p95"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	r.Best = nil
	if page := renderWhatIf(t, r); !strings.Contains(page, "None of the settings keeps within p95 at most 8,000 ms.") {
		t.Error("no best: the page does not say so")
	}
}

// In Chromium the hostile page draws both charts, shows the hostile
// strings as text and runs none of them.
func TestWhatIfHTMLInChromium(t *testing.T) {
	path := filepath.Join(t.TempDir(), "whatif.html")
	if err := os.WriteFile(path, []byte(renderWhatIf(t, sampleWhatIf())), 0o644); err != nil {
		t.Fatal(err)
	}
	res := browser.Open(t, path)
	browser.AssertQuietAndDrawn(t, res, []string{ChartWhatIfFront, ChartWhatIfColdStarts})
	for _, want := range []string{hostileAgent, evilImg, evilScript, "setting 4"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("page text lacks %q shown as text", want)
		}
	}
}
