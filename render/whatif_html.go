package render

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/runlens/runlens/analyze"
)

//go:embed whatif_page.html
var whatIfPageSource string

var whatIfTemplate = template.Must(template.Must(template.New("whatif").Parse(whatIfPageSource)).Parse(partsSource))

// What-if chart ids: element ids and JS names, [a-z0-9_], starting "chart_".
const (
	ChartWhatIfFront      = "chart_whatif_front"
	ChartWhatIfColdStarts = "chart_whatif_cold_starts"
)

// WhatIfCharts are the what-if page's charts, in page order.
var WhatIfCharts = []Chart{
	{ID: ChartWhatIfFront, Title: "Cost against p95"},
	{ID: ChartWhatIfColdStarts, Title: "Cold starts"},
}

// Series names of the what-if charts, which the page's tests read back.
const (
	WhatIfSettingsSeries = "settings"
	WhatIfFrontSeries    = "front"
	WhatIfObservedSeries = "observed"
	WhatIfBacktestSeries = "backtest"
	WhatIfBoundSeries    = "error bound"
	WhatIfLimitSeries    = "limits"
)

// What the verdict shows before its collapsed parts: the recommended
// advice, the advice not recommended (all collapsed past this many) and
// the best settings.
const (
	maxAdviceShown = 6
	maxOthersShown = 4
	maxBestShown   = 5
)

// The what-if charts' layout, px.
const (
	whatIfFrontHeight = 440
	whatIfBarHeight   = 26 // a configuration's row in the cold-start chart
	// A row where there are more than 12 configurations: labels 12 px
	// high and a few px apart.
	whatIfBarHeightMany = 18
	whatIfGridTop       = 48
	whatIfGridBottom    = 58 // the axis name and the legend's row
)

// Colors of the what-if charts: the observed as the page's text, the
// backtest hollow beside it, the settings on the front in the accent.
const (
	colorObserved = "#1f2933"
	colorBacktest = "#9a60b4"
	colorSetting  = "#8aa2d8"
	colorFront    = "#e8590c"
	colorBound    = "#9aa5b1"
	colorLimit    = "#c53030"
)

// WhatIfHTML writes a what-if analysis as one self-contained page: the
// advice on top, recommended first; cost against p95 per setting, the
// front of the two joined, each prediction with its error bars, and cold
// starts per setting, drawn by the inlined echarts library; the settings
// table and what the replay was calibrated with. The page fetches
// nothing; every string reaches it through html/template escaping or as
// escaped JSON.
func WhatIfHTML(w io.Writer, r *analyze.WhatIf, opts Options) error {
	return writeWhatIfHTML(w, r, opts, echartsJS)
}

func writeWhatIfHTML(w io.Writer, r *analyze.WhatIf, opts Options, library string) error {
	if r == nil {
		return errors.New("rendering what-if html: no analysis")
	}
	specs, err := whatIfChartSpecs(r)
	if err != nil {
		return fmt.Errorf("rendering what-if html: %w", err)
	}
	js, err := whatIfChartsScript(specs)
	if err != nil {
		return fmt.Errorf("rendering what-if html: %w", err)
	}
	v := newWhatIfView(r, opts)
	v.Charts, v.ChartsJS, v.Library = specs, js, template.JS(library)
	return executePage(w, whatIfTemplate, v, "what-if html")
}

// whatIfView is everything whatif_page.html shows, formatted.
type whatIfView struct {
	Title      string
	Style      template.CSS
	Meta       []string
	Cards      []htmlCard
	Headline   string
	Advice     []whatIfAdvice // the first recommended
	AdviceMore []whatIfAdvice // the other recommended, collapsed
	Others     []whatIfAdvice // not recommended
	OthersOpen bool           // few enough to show uncollapsed
	Best       string
	BestItems  []string
	BestMore   []string // collapsed
	BestMoreAt int      // the first collapsed's number
	Charts     []whatIfChart
	ChartNotes []string
	Stacked    bool // the charts one under the other, for a tall cold-start chart
	ChartsJS   template.JS
	Library    template.JS
	Head       []string
	Rows       []whatIfRow
	TableNotes []string
	Facts      []string
}

type whatIfAdvice struct {
	Setting, Kind, Label, Text string
	Recommended                bool
}

type whatIfRow struct {
	Cells []htmlCell
	Class string // observed, backtest, front, best
}

// whatIfChart is one chart of the page: its container, its option as JSON
// safe in a <script>, and its heights, wide and narrow.
type whatIfChart struct {
	ID, Title     string
	Height        int // px, wider than narrowWidth
	Narrow        int // px, at narrowWidth or narrower
	Option        json.RawMessage
	Alt           string // what the chart shows, for the aria-label
	legendEntries []string
}

// adviceLabels name the kinds of advice on the page's badges.
var adviceLabels = map[string]string{
	analyze.AdviceSaves: "saves", analyze.AdviceFixes: "fixes", analyze.AdviceNoGain: "no gain", analyze.AdviceWorse: "worse",
}

func recommended(kind string) bool { return kind == analyze.AdviceSaves || kind == analyze.AdviceFixes }

func newWhatIfView(r *analyze.WhatIf, opts Options) *whatIfView {
	v := &whatIfView{Title: whatIfTitle(r, opts), Style: pageStyle}
	v.Meta = []string{
		"Service: " + orDash(pageText(r.Service)),
		fmt.Sprintf("The observed traffic (%s) replayed under each setting through the Cloud Run model, and analyzed as an observation.",
			pagePlural(int64(r.Calibration.Requests), "request", "requests")),
	}
	v.Cards = whatIfCards(r)
	var rec []whatIfAdvice
	for _, a := range whatIfAdviceList(r) {
		if a.Recommended {
			rec = append(rec, a)
		} else {
			v.Others = append(v.Others, a)
		}
	}
	n := len(rec)
	v.Advice, v.AdviceMore = rec[:min(n, maxAdviceShown)], rec[min(n, maxAdviceShown):]
	v.OthersOpen = len(v.Others) <= maxOthersShown
	switch {
	case len(r.Predictions) == 0:
		v.Headline = "No setting was predicted."
	case n == 0:
		v.Headline = fmt.Sprintf("None of the %s is recommended: none changes cost, failures, memory kills or cold starts for the better beyond the prediction's error without making one of them worse.",
			pagePlural(int64(len(r.Predictions)), "setting", "settings"))
	default:
		v.Headline = fmt.Sprintf("%s of %s recommended, each for what it changes beyond the prediction's error:",
			pageCount(int64(n)), pagePlural(int64(len(r.Predictions)), "setting", "settings"))
	}
	v.Best, v.BestItems = whatIfBest(r)
	v.BestItems, v.BestMore = v.BestItems[:min(len(v.BestItems), maxBestShown)], v.BestItems[min(len(v.BestItems), maxBestShown):]
	v.BestMoreAt = len(v.BestItems) + 1
	v.ChartNotes = []string{
		"Each setting at its predicted cost over the window and p95, with error bars: the prediction's error bound (the backtest's error plus twice the spread of its replays). " +
			"Lower left is better. The front (joined) are the settings none other beats on both. Hover over a point for its settings.",
	}
	if within := whatIfLimits(r.Constraint); len(within) > 0 {
		v.ChartNotes = append(v.ChartNotes, "Limits (dashed): "+strings.Join(within, " and ")+"; the settings within them are ringed.")
	}
	v.Stacked = 2+len(r.Predictions) > 12
	v.Head = []string{"Run", "Min", "Max", "Concurrency", "Billing", "Memory MiB", "CPU boost", "Instances", "Cold starts", "Startup ms", "Memory kills",
		"Billable s", "Cost USD", "Cost error", "p50 ms", "p95 ms", "Failed", "Front", "Best"}
	v.Rows = whatIfRows(r)
	v.TableNotes = []string{"Observed: what the logs and metrics show. Backtest: the observed setting replayed, whose difference from the observed is the replay's own error. " +
		"Front: no other setting costs no more with a p95 no higher. Best: within the limits (-max-p95, -max-cost), cheapest first."}
	if c := r.Constraint; c.MaxP95MS > 0 || c.MaxCostUSD > 0 {
		v.TableNotes = append(v.TableNotes, "Highlighted: the best settings within the limits.")
	}
	v.Facts = append(whatIfCalibrationLines(r), whatIfReplayFacts(r)...) // log-derived parts clipped
	return v
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func whatIfTitle(r *analyze.WhatIf, opts Options) string {
	switch {
	case opts.Title != "":
		return pageText(opts.Title)
	case r.Service != "":
		return "runlens what-if: " + pageText(r.Service)
	}
	return "runlens what-if"
}

// settingName names prediction i (from 0) as the tables do.
func settingName(i int) string { return "setting " + strconv.Itoa(i+1) }

// settingText is a setting's values: "min 0, max 10, concurrency 80,
// request billing, 2,048 MiB, CPU boost off".
func settingText(s analyze.WhatIfSetting) string {
	return fmt.Sprintf("min %d, max %d, concurrency %d, %s billing, %s MiB, CPU boost %s", s.MinInstances, s.MaxInstances, s.Concurrency,
		orDash(pageText(s.Billing)), pageCount(s.MemoryMiB), orDash(pageText(s.CPUBoost)))
}

// settingChange says how a setting differs from the observed one:
// "concurrency 2, memory 4,096 MiB", or "the observed setting".
func settingChange(obs, s analyze.WhatIfSetting) string {
	var parts []string
	if s.MinInstances != obs.MinInstances {
		parts = append(parts, "min instances "+strconv.Itoa(s.MinInstances))
	}
	if s.MaxInstances != obs.MaxInstances {
		parts = append(parts, "max instances "+strconv.Itoa(s.MaxInstances))
	}
	if s.Concurrency != obs.Concurrency {
		parts = append(parts, "concurrency "+strconv.Itoa(s.Concurrency))
	}
	if s.Billing != obs.Billing {
		parts = append(parts, pageText(s.Billing)+" billing")
	}
	if s.MemoryMiB != obs.MemoryMiB {
		parts = append(parts, "memory "+pageCount(s.MemoryMiB)+" MiB")
	}
	if s.CPUBoost != obs.CPUBoost {
		parts = append(parts, "CPU boost "+pageText(s.CPUBoost))
	}
	if len(parts) == 0 {
		return "the observed setting"
	}
	return strings.Join(parts, ", ")
}

func whatIfCards(r *analyze.WhatIf) []htmlCard {
	o := r.Observed
	cards := []htmlCard{
		{"Observed cost", pageUSD(o.CostUSD), fmt.Sprintf("p95 %s ms, %s, %s failed", pageMS(o.P95MS),
			pagePlural(int64(o.ColdStarts), "cold start", "cold starts"), pageCount(o.Failed))},
	}
	front := 0
	for _, p := range r.Predictions {
		if p.Pareto {
			front++
		}
	}
	rec := -1
	for i, a := range r.Advice {
		if i < len(r.Predictions) && recommended(a.Kind) && (rec < 0 || r.Predictions[i].CostUSD < r.Predictions[rec].CostUSD) {
			rec = i
		}
	}
	if rec >= 0 {
		p := r.Predictions[rec]
		cards = append(cards, htmlCard{"Cheapest recommended", settingName(rec), fmt.Sprintf("%s: %s, p95 %s ms",
			settingChange(r.Observed.WhatIfSetting, p.WhatIfSetting), pageUSD(p.CostUSD), pageMS(p.P95MS))})
	} else {
		cards = append(cards, htmlCard{"Recommended", "none", "no setting changes anything for the better beyond the error"})
	}
	cards = append(cards, htmlCard{"Settings predicted", pageCount(int64(len(r.Predictions))),
		pageCount(int64(front)) + " on the front of cost against p95"})
	if e, ok := r.Error["cost_usd"]; ok {
		sub := "the observed setting replayed"
		if p, ok := r.Error["p95_ms"]; ok {
			sub = "p95 " + pageSignedPct(100*p) + "; " + sub
		}
		cards = append(cards, htmlCard{"Backtest cost error", pageSignedPct(100 * e), sub})
	}
	return cards
}

// whatIfAdviceList is the advice, recommended first, cheapest first; then
// the rest in the settings' order.
func whatIfAdviceList(r *analyze.WhatIf) []whatIfAdvice {
	idx := make([]int, len(r.Advice))
	for i := range idx {
		idx[i] = i
	}
	cost := func(i int) float64 {
		if i < len(r.Predictions) {
			return r.Predictions[i].CostUSD
		}
		return math.Inf(1)
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ra, rb := recommended(r.Advice[a].Kind), recommended(r.Advice[b].Kind)
		switch {
		case ra != rb && ra:
			return -1
		case ra != rb:
			return 1
		case ra:
			return cmp.Compare(cost(a), cost(b))
		}
		return 0
	})
	out := make([]whatIfAdvice, 0, len(idx))
	for _, i := range idx {
		a := r.Advice[i]
		label := adviceLabels[a.Kind]
		if label == "" {
			label = pageText(a.Kind)
		}
		out = append(out, whatIfAdvice{Setting: settingName(i), Kind: a.Kind, Label: label, Text: pageText(a.Text), Recommended: recommended(a.Kind)})
	}
	return out
}

// whatIfLimits are the user's limits in words, or nil.
func whatIfLimits(c analyze.WhatIfConstraint) []string {
	var within []string
	if c.MaxP95MS > 0 {
		within = append(within, "p95 at most "+pageMS(c.MaxP95MS)+" ms")
	}
	if c.MaxCostUSD > 0 {
		within = append(within, "cost at most "+pageUSD(c.MaxCostUSD))
	}
	return within
}

// whatIfBest says which settings are best, and lists them.
func whatIfBest(r *analyze.WhatIf) (string, []string) {
	if len(r.Predictions) == 0 {
		return "", nil
	}
	var items []string
	for _, i := range r.Best {
		if i < 0 || i >= len(r.Predictions) {
			continue
		}
		p := r.Predictions[i]
		items = append(items, fmt.Sprintf("%s (%s): %s, p95 %s ms", settingName(i), settingChange(r.Observed.WhatIfSetting, p.WhatIfSetting),
			pageUSD(p.CostUSD), pageMS(p.P95MS)))
	}
	within := whatIfLimits(r.Constraint)
	switch {
	case len(within) == 0:
		return "No limit given (-max-p95, -max-cost): every setting, cheapest first:", items
	case len(items) == 0:
		return "None of the settings keeps within " + strings.Join(within, " and ") + ".", nil
	}
	return "Best within " + strings.Join(within, " and ") + ", cheapest first:", items
}

func whatIfRows(r *analyze.WhatIf) []whatIfRow {
	rank := map[int]int{}
	for k, i := range r.Best {
		rank[i] = k + 1
	}
	limited := r.Constraint.MaxP95MS > 0 || r.Constraint.MaxCostUSD > 0
	row := func(name, class string, o analyze.WhatIfOutcome, best int) whatIfRow {
		costErr := ""
		if b, ok := o.Bound["cost_usd"]; ok {
			costErr = "±" + pageFloat(100*b, 0) + " %"
		}
		front, bestText := "", ""
		if o.Pareto {
			front = "yes"
		}
		if best > 0 {
			bestText = strconv.Itoa(best)
		}
		num := func(s string) htmlCell { return htmlCell{Text: s, Num: true} }
		return whatIfRow{Class: class, Cells: []htmlCell{
			{Text: name}, num(strconv.Itoa(o.MinInstances)), num(strconv.Itoa(o.MaxInstances)), num(strconv.Itoa(o.Concurrency)),
			{Text: pageText(o.Billing)}, num(pageCount(o.MemoryMiB)), {Text: orDash(pageText(o.CPUBoost))}, num(pageCount(int64(o.Instances))), num(pageCount(int64(o.ColdStarts))), num(pageMS(o.StartupMS)),
			num(pageCount(int64(o.MemoryKills))), num(pageFloat(o.BillableSeconds, 1)), num(pageUSD(o.CostUSD)), num(costErr),
			num(pageMS(o.P50MS)), num(pageMS(o.P95MS)), num(pageCount(o.Failed)), {Text: front}, num(bestText),
		}}
	}
	rows := []whatIfRow{row("observed", "observed", r.Observed, 0), row("backtest", "backtest", r.Backtest, 0)}
	for i, p := range r.Predictions {
		class := ""
		if p.Pareto {
			class = "front"
		}
		if limited && rank[i] > 0 {
			class = strings.TrimSpace(class + " best")
		}
		rows = append(rows, row(settingName(i), class, p, rank[i]))
	}
	return rows
}

// whatIfReplayFacts are what the replay took from the observation beyond
// the calibration lines of the terminal table: startups, idle retention,
// scaling.
func whatIfReplayFacts(r *analyze.WhatIf) []string {
	c := r.Calibration
	var out []string
	if s := c.StartupMS; s[2] > 0 {
		out = append(out, fmt.Sprintf("Startups drawn from the observed: %s ms fastest, %s ms median, %s ms slowest.", pageMS(s[0]), pageMS(s[1]), pageMS(s[2])))
	}
	if k := c.IdleKeepS; k[1] > 0 {
		line := fmt.Sprintf("Idle instances kept %s to %s s before they shut down", pageFloat(k[0], 0), pageFloat(k[1], 0))
		if c.IdleSpells > 0 {
			line += fmt.Sprintf(", estimated from %s (%s ended with a shutdown)", pagePlural(int64(c.IdleSpells), "idle spell", "idle spells"), pageCount(int64(c.IdleShutdowns)))
		}
		out = append(out, line+".")
	}
	if c.ScaleOutAt > 0 {
		out = append(out, fmt.Sprintf("Another instance starts when one has %s in flight (CPU-driven scaling, seen as instances added before any was full).",
			pagePlural(int64(c.ScaleOutAt), "request", "requests")))
	}
	return out
}

// whatIfChartSpecs are the page's charts, in WhatIfCharts' order.
func whatIfChartSpecs(r *analyze.WhatIf) ([]whatIfChart, error) {
	var out []whatIfChart
	for _, build := range []func(*analyze.WhatIf) (whatIfChart, optioner, func(map[string]any)){whatIfFrontChart, whatIfColdStartChart} {
		sp, c, patch := build(r)
		opt, err := optionJSON(c)
		if err == nil {
			sp.Option, err = whatIfTidy(&sp, opt, patch)
		}
		if err != nil {
			return nil, fmt.Errorf("rendering chart %s: %w", sp.ID, err)
		}
		out = append(out, sp)
	}
	return out, nil
}

// whatIfTitleOf is the title of a what-if chart.
func whatIfTitleOf(id string) string {
	for _, c := range WhatIfCharts {
		if c.ID == id {
			return c.Title
		}
	}
	return id
}

// whatIfTidy patches a chart's option where go-echarts has no field, and
// lays its legend out for narrow screens: a plain legend at the bottom,
// in rows there, with the plot area moved up and the chart made taller by
// as much, so that the plot keeps its height.
func whatIfTidy(sp *whatIfChart, opt json.RawMessage, patch func(map[string]any)) (json.RawMessage, error) {
	o, err := decodeOption(opt)
	if err != nil {
		return nil, err
	}
	if patch != nil {
		patch(o)
	}
	if t, ok := o["tooltip"].(map[string]any); ok {
		t["confine"] = true // inside the chart: never wider than a phone's screen
	}
	extra := (legendRows(sp.legendEntries) - 1) * legendRowH
	sp.Narrow = sp.Height + extra
	// Narrow, fewer value labels (they would run into each other), and
	// the legend's rows below the plot.
	narrow := map[string]any{"grid": []any{map[string]any{"bottom": whatIfGridBottom + extra}}, "xAxis": []any{map[string]any{"splitNumber": 3}}}
	wide := map[string]any{"grid": []any{map[string]any{"bottom": whatIfGridBottom}}, "xAxis": []any{map[string]any{"splitNumber": 5}}}
	o["media"] = []any{
		map[string]any{"query": map[string]any{"maxWidth": narrowWidth}, "option": narrow},
		map[string]any{"option": wide},
	}
	return json.Marshal(o)
}

// whatIfGlobals are the options both what-if charts share.
func whatIfGlobals(id string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Theme: "white"}),
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Title: whatIfTitleOf(id), Left: "8", Top: "4"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "4", Left: "center"}),
		charts.WithGridOpts(opts.Grid{Left: "16", Right: "40", Top: strconv.Itoa(whatIfGridTop), Bottom: strconv.Itoa(whatIfGridBottom), ContainLabel: opts.Bool(true)}),
	}
}

// whatIfPoint is a data item of a what-if chart: its name, its value, the
// lines of its tooltip (the page joins them, escaped) and its own style.
type whatIfPoint struct {
	Name       string         `json:"name"`
	Value      any            `json:"value"`
	Tip        []string       `json:"tip,omitempty"`
	ItemStyle  map[string]any `json:"itemStyle,omitempty"`
	SymbolSize int            `json:"symbolSize,omitempty"`
	Label      map[string]any `json:"label,omitempty"`
}

// outcomeTip is the tooltip of a configuration: its settings and figures,
// each with its error bound where it has one.
func outcomeTip(name string, o analyze.WhatIfOutcome, extra ...string) []string {
	bound := func(key string) string {
		if b, ok := o.Bound[key]; ok {
			return " ±" + pageFloat(100*b, 0) + " %"
		}
		return ""
	}
	tip := []string{name, settingText(o.WhatIfSetting),
		"cost " + pageUSD(o.CostUSD) + bound("cost_usd") + ", p95 " + pageMS(o.P95MS) + " ms" + bound("p95_ms"),
		fmt.Sprintf("%s%s, %s failed, %s", pagePlural(int64(o.ColdStarts), "cold start", "cold starts"), bound("cold_starts"),
			pageCount(o.Failed), pagePlural(int64(o.MemoryKills), "memory kill", "memory kills")),
	}
	return append(tip, extra...)
}

// near1pct says whether two figures are within 1 % of each other: points
// drawn on top of one another.
func near1pct(a, b float64) bool {
	return math.Abs(a-b) <= 0.01*math.Max(math.Abs(a), math.Abs(b))
}

// whatIfFrontChart is cost (x) against p95 (y): a point per setting, each
// with its error bars, the front joined, the observed and the backtest
// marked apart, and the limits, when given, as lines.
func whatIfFrontChart(r *analyze.WhatIf) (whatIfChart, optioner, func(map[string]any)) {
	sp := whatIfChart{ID: ChartWhatIfFront, Title: whatIfTitleOf(ChartWhatIfFront), Height: whatIfFrontHeight,
		Alt: fmt.Sprintf("Cost against p95 of the observed setting, its backtest and %s", pagePlural(int64(len(r.Predictions)), "setting", "settings"))}
	limited := r.Constraint.MaxP95MS > 0 || r.Constraint.MaxCostUSD > 0
	inBest := map[int]bool{}
	for _, i := range r.Best {
		inBest[i] = true
	}
	type named struct {
		name       string
		o          analyze.WhatIfOutcome
		settingIdx int
	}
	all := []named{{"observed", r.Observed, -1}, {"backtest", r.Backtest, -1}}
	for i, p := range r.Predictions {
		all = append(all, named{settingName(i), p, i})
	}
	// sameAs names the other configurations drawn where this one is.
	sameAs := func(k int) []string {
		var same []string
		for j, n := range all {
			if j != k && near1pct(n.o.CostUSD, all[k].o.CostUSD) && near1pct(n.o.P95MS, all[k].o.P95MS) {
				same = append(same, n.name)
			}
		}
		if len(same) == 0 {
			return nil
		}
		return []string{"drawn with " + strings.Join(same, ", ")}
	}
	var settings []whatIfPoint
	var bars []any
	for k, n := range all[2:] {
		i, p := n.settingIdx, n.o
		extra := sameAs(k + 2)
		if p.Pareto {
			extra = append(extra, "on the front: none cheaper and as fast")
		}
		if limited && inBest[i] {
			extra = append(extra, "within the limits")
		}
		pt := whatIfPoint{Name: n.name, Value: []float64{p.CostUSD, p.P95MS}, Tip: outcomeTip(n.name, p, extra...)}
		if !p.Pareto { // the front's labels above it, the others' below: apart where they are near
			pt.Label = map[string]any{"position": "bottom"}
		}
		if p.Pareto {
			pt.ItemStyle, pt.SymbolSize = map[string]any{"color": colorFront}, 13
		}
		if limited && inBest[i] {
			if pt.ItemStyle == nil {
				pt.ItemStyle = map[string]any{}
			}
			pt.ItemStyle["borderColor"], pt.ItemStyle["borderWidth"] = colorObserved, 2
		}
		settings = append(settings, pt)
		bc, bp := p.Bound["cost_usd"], p.Bound["p95_ms"]
		bars = append(bars,
			[]float64{p.CostUSD * (1 - bc), p.P95MS}, []float64{p.CostUSD * (1 + bc), p.P95MS}, nil,
			[]float64{p.CostUSD, p.P95MS * (1 - bp)}, []float64{p.CostUSD, p.P95MS * (1 + bp)}, nil)
	}
	var front [][]float64
	for _, p := range r.Predictions {
		if p.Pareto {
			front = append(front, []float64{p.CostUSD, p.P95MS})
		}
	}
	slices.SortFunc(front, func(a, b []float64) int { return cmp.Compare(a[0], b[0]) })

	c := charts.NewScatter()
	c.SetGlobalOptions(whatIfGlobals(sp.ID)...)
	c.SetGlobalOptions(
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "cost USD", NameLocation: "middle", NameGap: 28, Scale: opts.Bool(true),
			// Its first label, at the corner, would run into the p95 axis's.
			AxisLabel: &opts.AxisLabel{HideOverlap: opts.Bool(true), ShowMinLabel: opts.Bool(false)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "p95 ms", Scale: opts.Bool(true)}),
	)
	data := func(v any) charts.SeriesOpts {
		return charts.WithSeriesOpts(func(ss *charts.SingleSeries) { ss.Data = v })
	}
	label := func(pos string) charts.SeriesOpts {
		return charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: pos, Formatter: "{b}", Color: colorObserved})
	}
	halo := func(m map[string]any) { // legible over the error bars
		if l, ok := m["label"].(map[string]any); ok {
			l["textBorderColor"], l["textBorderWidth"] = "#fff", 3
			// A line height of its own: ECharts otherwise measures one
			// with a CJK glyph, short where no CJK font is installed, and
			// lets labels that overlap through.
			l["lineHeight"] = 14
		}
	}
	sym := func(symbol string, size int) charts.SeriesOpts {
		return charts.WithSeriesOpts(func(ss *charts.SingleSeries) { ss.Symbol, ss.SymbolSize = symbol, size })
	}
	if len(bars) > 0 {
		c.AddSeries(WhatIfBoundSeries, nil, data(bars), charts.WithSeriesOpts(func(ss *charts.SingleSeries) {
			ss.Type, ss.ShowSymbol, ss.Symbol = "line", opts.Bool(false), "none"
		}), charts.WithItemStyleOpts(opts.ItemStyle{Color: colorBound}), charts.WithLineStyleOpts(opts.LineStyle{Color: colorBound, Width: 1.5}))
	}
	if len(front) > 0 {
		c.AddSeries(WhatIfFrontSeries, nil, data(front), charts.WithSeriesOpts(func(ss *charts.SingleSeries) {
			ss.Type, ss.ShowSymbol, ss.Symbol = "line", opts.Bool(false), "circle"
		}), charts.WithItemStyleOpts(opts.ItemStyle{Color: colorFront}), charts.WithLineStyleOpts(opts.LineStyle{Color: colorFront, Width: 2, Type: "dashed"}))
	}
	bt := whatIfPoint{Name: "backtest", Value: []float64{r.Backtest.CostUSD, r.Backtest.P95MS},
		Tip: outcomeTip("backtest: the observed setting replayed", r.Backtest, append(sameAs(1), whatIfBacktestError(r))...)}
	c.AddSeries(WhatIfBacktestSeries, nil, data([]whatIfPoint{bt}), sym("emptyCircle", 18),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: colorBacktest, BorderWidth: 2}))
	obs := whatIfPoint{Name: "observed", Value: []float64{r.Observed.CostUSD, r.Observed.P95MS}, Tip: outcomeTip("observed", r.Observed, sameAs(0)...)}
	c.AddSeries(WhatIfObservedSeries, nil, data([]whatIfPoint{obs}), sym("diamond", 16), label("bottom"),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: colorObserved}))
	// After the observed, whose label the page places first.
	c.AddSeries(WhatIfSettingsSeries, nil, data(settings), sym("circle", 10), label("top"), charts.WithItemStyleOpts(opts.ItemStyle{Color: colorSetting}))
	sp.legendEntries = []string{WhatIfSettingsSeries, WhatIfFrontSeries, WhatIfObservedSeries, WhatIfBacktestSeries, WhatIfBoundSeries}
	if limited { // the limits as lines of a series of their own: named in the legend, not over the points
		c.AddSeries(WhatIfLimitSeries, nil, data([]any{}), charts.WithSeriesOpts(func(ss *charts.SingleSeries) {
			ss.Type, ss.ShowSymbol, ss.Symbol = "line", opts.Bool(false), "none"
		}), charts.WithItemStyleOpts(opts.ItemStyle{Color: colorLimit}), charts.WithLineStyleOpts(opts.LineStyle{Color: colorLimit, Width: 1.5, Type: "dashed"}))
		sp.legendEntries = append(sp.legendEntries, WhatIfLimitSeries)
	}
	// The page places these labels one by one where they overlap none
	// placed before (whatif_page.html); ECharts hides those it cannot.
	placeApart := map[string]any{"hideOverlap": true, "placeApart": true}
	patch := func(o map[string]any) {
		series, _ := o["series"].([]any)
		for _, s := range series {
			m, _ := s.(map[string]any)
			switch m["name"] {
			case WhatIfBoundSeries, WhatIfFrontSeries:
				m["silent"], m["tooltip"], m["z"] = true, map[string]any{"show": false}, 1
				m["connectNulls"] = false
			case WhatIfSettingsSeries:
				m["z"] = 3
				halo(m)
				m["labelLayout"] = placeApart
				m["emphasis"] = map[string]any{"scale": 1.4}
			case WhatIfLimitSeries:
				m["silent"], m["tooltip"], m["z"] = true, map[string]any{"show": false}, 1
				m["markLine"] = whatIfLimitLines(r.Constraint)
			case WhatIfBacktestSeries:
				m["z"] = 2 // a ring under the setting it replays, not a white disc over it
			case WhatIfObservedSeries:
				m["z"] = 5
				halo(m)
				m["labelLayout"] = placeApart
			}
		}
		// The legend in the order a reader needs it.
		if l, ok := o["legend"].(map[string]any); ok {
			var names []any
			for _, n := range sp.legendEntries {
				for _, s := range series {
					if m, _ := s.(map[string]any); m["name"] == n {
						names = append(names, n)
					}
				}
			}
			l["data"] = names
		}
		// Room around the points for their labels and error bars.
		for _, k := range []string{"xAxis", "yAxis"} {
			if axes, _ := o[k].([]any); len(axes) > 0 {
				if a, _ := axes[0].(map[string]any); a != nil {
					a["boundaryGap"] = []string{"8%", "8%"}
				}
			}
		}
	}
	return sp, c, patch
}

// whatIfBacktestError is the backtest's error on cost and p95 in words.
func whatIfBacktestError(r *analyze.WhatIf) string {
	var parts []string
	for _, e := range []struct{ key, name string }{{"cost_usd", "cost"}, {"p95_ms", "p95"}} {
		if v, ok := r.Error[e.key]; ok {
			parts = append(parts, e.name+" "+pageSignedPct(100*v))
		}
	}
	if len(parts) == 0 {
		return "error against the observed: none measurable"
	}
	return "error against the observed: " + strings.Join(parts, ", ")
}

// whatIfLimitLines are the user's limits as dashed lines, unlabelled: the
// legend names them, and a label in the plot would run into the points'.
func whatIfLimitLines(c analyze.WhatIfConstraint) map[string]any {
	var lines []any
	if c.MaxCostUSD > 0 {
		lines = append(lines, map[string]any{"xAxis": c.MaxCostUSD, "name": "max cost"})
	}
	if c.MaxP95MS > 0 {
		lines = append(lines, map[string]any{"yAxis": c.MaxP95MS, "name": "max p95"})
	}
	return map[string]any{"silent": true, "symbol": "none", "data": lines, "label": map[string]any{"show": false},
		"lineStyle": map[string]any{"color": colorLimit, "type": "dashed", "width": 1.5}}
}

// whatIfColdStartChart is a bar of cold starts per configuration, the
// observed on top, each prediction's with its error bar, and its count
// written past the end of both.
func whatIfColdStartChart(r *analyze.WhatIf) (whatIfChart, optioner, func(map[string]any)) {
	n := 2 + len(r.Predictions)
	row := whatIfBarHeight
	if n > 12 {
		row = whatIfBarHeightMany
	}
	sp := whatIfChart{ID: ChartWhatIfColdStarts, Title: whatIfTitleOf(ChartWhatIfColdStarts),
		Height: whatIfGridTop + whatIfGridBottom + 30 + n*row,
		Alt:    "Cold starts of the observed setting, its backtest and each setting"}
	names := []string{"observed", "backtest"}
	bars := []whatIfPoint{
		{Name: "observed", Value: r.Observed.ColdStarts, Tip: outcomeTip("observed", r.Observed), ItemStyle: map[string]any{"color": colorObserved}},
		{Name: "backtest", Value: r.Backtest.ColdStarts, Tip: outcomeTip("backtest: the observed setting replayed", r.Backtest), ItemStyle: map[string]any{"color": colorBacktest}},
	}
	var whiskers []any
	ends := []float64{float64(r.Observed.ColdStarts), float64(r.Backtest.ColdStarts)} // where each count is written
	for i, p := range r.Predictions {
		pt := whatIfPoint{Name: settingName(i), Value: p.ColdStarts, Tip: outcomeTip(settingName(i), p)}
		if p.Pareto {
			pt.ItemStyle = map[string]any{"color": colorFront}
		}
		names, bars = append(names, settingName(i)), append(bars, pt)
		v, end := float64(p.ColdStarts), float64(p.ColdStarts)
		if b := p.Bound["cold_starts"]; b > 0 && p.ColdStarts > 0 {
			end = v * (1 + b)
			whiskers = append(whiskers, []float64{math.Max(0, v*(1-b)), float64(i + 2)}, []float64{end, float64(i + 2)}, nil)
		}
		ends = append(ends, end)
	}
	counts := make([]whatIfPoint, len(bars))
	for k, b := range bars {
		counts[k] = whatIfPoint{Name: strconv.Itoa(b.Value.(int)), Value: []float64{ends[k], float64(k)}}
	}
	c := charts.NewBar()
	c.SetGlobalOptions(whatIfGlobals(sp.ID)...)
	c.SetGlobalOptions(
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), Data: names}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "cold starts", NameLocation: "middle", NameGap: 28, Min: 0, MinInterval: 1,
			AxisLabel: &opts.AxisLabel{HideOverlap: opts.Bool(true)}}),
	)
	c.AddSeries(WhatIfColdStartSeries, nil, charts.WithSeriesOpts(func(ss *charts.SingleSeries) { ss.Data = bars; ss.BarMaxWidth = "18" }),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: colorSetting}))
	sp.legendEntries = []string{WhatIfColdStartSeries}
	if len(whiskers) > 0 {
		c.AddSeries(WhatIfBoundSeries, nil, charts.WithSeriesOpts(func(ss *charts.SingleSeries) {
			ss.Type, ss.Data, ss.ShowSymbol, ss.Symbol = "line", whiskers, opts.Bool(false), "none"
		}), charts.WithItemStyleOpts(opts.ItemStyle{Color: colorObserved}), charts.WithLineStyleOpts(opts.LineStyle{Color: colorObserved, Width: 1.5}))
		sp.legendEntries = append(sp.legendEntries, WhatIfBoundSeries)
	}
	c.AddSeries(whatIfCountSeries, nil, charts.WithSeriesOpts(func(ss *charts.SingleSeries) {
		ss.Type, ss.Data, ss.Symbol, ss.SymbolSize = "scatter", counts, "circle", 1
	}), charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Formatter: "{b}", Color: colorObserved}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "rgba(0,0,0,0)"}))
	patch := func(o map[string]any) {
		series, _ := o["series"].([]any)
		for _, s := range series {
			switch m, _ := s.(map[string]any); m["name"] {
			case WhatIfBoundSeries:
				m["silent"], m["tooltip"], m["z"], m["connectNulls"] = true, map[string]any{"show": false}, 3, false
			case whatIfCountSeries:
				m["silent"], m["tooltip"], m["z"] = true, map[string]any{"show": false}, 4
			}
		}
		if l, ok := o["legend"].(map[string]any); ok {
			l["data"] = sp.legendEntries
		}
	}
	return sp, c, patch
}

// whatIfCountSeries writes the cold-start chart's counts; it is not in
// the legend.
const whatIfCountSeries = "count"

// WhatIfColdStartSeries names the cold-start chart's bars.
const WhatIfColdStartSeries = "cold starts"

// whatIfChartsScript is the charts' script as the report page's
// (htmlChartsScript): {id, option, heights} for each, heights [at or below
// this width, px; the height there; the height wider].
func whatIfChartsScript(specs []whatIfChart) (template.JS, error) {
	charts := make([]chartSpec, len(specs))
	for i, s := range specs {
		charts[i] = chartSpec{ID: s.ID, Height: s.Height, Narrow: s.Narrow, Option: s.Option}
	}
	return htmlChartsScript(charts)
}
