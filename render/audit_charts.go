package render

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/runlens/runlens/analyze/audit"
)

// Audit chart ids.
const (
	chartAuditCost  = "chart_audit_cost"
	chartAuditTrend = "chart_audit_trend"
)

// auditChartList are the audit page's charts, in page order.
var auditChartList = []Chart{
	{ID: chartAuditCost, Title: "Cost by service (USD)"},
	{ID: chartAuditTrend, Title: "Cost by night (USD)"},
	{ID: chartAuditLogs, Title: "Chattiest logs (bytes ingested)"},
}

// Caps on what the audit charts draw.
const (
	maxCostBars     = 25 // services in the cost chart; the rest are one bar
	maxTrendSeries  = 8  // services in the trend chart; the rest are one series
	otherServices   = "other services"
	costBarHeightPx = 24
)

var trendColors = []string{colorClient, colorServer, colorWarn, colorFail, colorStartup, colorP95, colorP99, "#3ba272", colorIdle}

// auditCharts returns the audit page's charts: cost by service, cost by
// night for the most expensive services, and the chattiest logs where the
// audit has them.
func auditCharts(a *audit.Audit) ([]chartSpec, error) {
	var specs []chartSpec
	builds := []func(*audit.Audit) (chartSpec, optioner){auditCostChart, auditTrendChart}
	if a.Around != nil {
		builds = append(builds, auditLogsChart)
	}
	for _, build := range builds {
		sp, c := build(a)
		opt, err := optionJSON(c)
		if err != nil {
			return nil, fmt.Errorf("rendering chart %s: %w", sp.ID, err)
		}
		sp.Option = opt
		specs = append(specs, sp)
	}
	return specs, nil
}

// auditCostChart is a horizontal bar per service, most expensive on top.
func auditCostChart(a *audit.Audit) (chartSpec, optioner) {
	var names []string
	var costs []float64
	rest := 0.0
	for i, s := range a.Services {
		if i < maxCostBars {
			names, costs = append(names, pageText(s.Name)), append(costs, s.CostUSD)
			continue
		}
		rest += s.CostUSD
	}
	if len(a.Services) > maxCostBars {
		names, costs = append(names, fmt.Sprintf("%d %s", len(a.Services)-maxCostBars, otherServices)), append(costs, rest)
	}
	return horizontalBars(chartAuditCost, names, costs, "cost (USD)", "USD", "no service", colorP95, 160)
}

// horizontalBars draws a bar per name, the first on top, with the names
// cut at labelWidth pixels.
func horizontalBars(id string, names []string, values []float64, series, unit, empty, color string, labelWidth int) (chartSpec, optioner) {
	sp := newChartSpec(id, 90+max(len(names), 3)*costBarHeightPx)
	c := charts.NewBar()
	c.SetGlobalOptions(auditChartGlobals(sp, chartNote(empty, len(names) == 0))...)
	c.SetXAxis(names)
	c.AddSeries(series, nil, withFloats(values), charts.WithItemStyleOpts(opts.ItemStyle{Color: color}))
	c.XYReversal()
	c.SetGlobalOptions(charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true),
		AxisLabel: &opts.AxisLabel{Show: opts.Bool(true), Width: labelWidth, Overflow: "truncate"}}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: unit, Min: 0}))
	return sp, c
}

// auditTrendChart stacks each night's cost by service: the earlier runs
// and this one.
func auditTrendChart(a *audit.Audit) (chartSpec, optioner) {
	dates := make([]string, 0, len(a.History)+1)
	totals := make([]float64, 0, len(a.History)+1)
	for _, h := range a.History {
		dates, totals = append(dates, h.Date), append(totals, h.TotalCostUSD)
	}
	dates, totals = append(dates, audit.Date(a.Window)), append(totals, a.TotalCostUSD)
	note := chartNote("", false, noteIf(len(a.History) == 0, "no earlier run: only this one"))
	sp := newChartSpec(chartAuditTrend, 360)
	c := charts.NewBar()
	c.SetGlobalOptions(auditChartGlobals(sp, note)...)
	c.SetGlobalOptions(charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "USD", Min: 0}))
	c.SetXAxis(dates)
	rest := append([]float64(nil), totals...)
	for i, s := range a.Services[:min(len(a.Services), maxTrendSeries)] {
		vals := serviceCosts(s, a, dates)
		for j := range rest {
			rest[j] -= vals[j]
		}
		c.AddSeries(pageText(s.Name), nil, withFloats(vals), charts.WithBarChartOpts(opts.BarChart{Stack: "cost"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: trendColors[i%len(trendColors)]}))
	}
	if len(a.Services) > maxTrendSeries {
		for j := range rest {
			rest[j] = math.Max(0, rest[j])
		}
		c.AddSeries(otherServices, nil, withFloats(rest), charts.WithBarChartOpts(opts.BarChart{Stack: "cost"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colorIdle}))
	}
	return sp, c
}

// serviceCosts is a service's cost on each date: this run's on the last,
// its trend's points on earlier ones, 0 where it had none.
func serviceCosts(s audit.Service, a *audit.Audit, dates []string) []float64 {
	vals := make([]float64, len(dates))
	vals[len(vals)-1] = s.CostUSD
	if s.Trend == nil {
		return vals
	}
	byDate := map[string]float64{}
	for _, p := range s.Trend.Points[:len(s.Trend.Points)-1] {
		byDate[p.Date] = p.CostUSD
	}
	for i, d := range dates[:len(dates)-1] {
		vals[i] = byDate[d]
	}
	return vals
}

func auditChartGlobals(sp chartSpec, note string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{ChartID: sp.ID, Theme: "white"}),
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Title: sp.Title, Subtitle: note, Left: "8", Top: "4"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "4", Type: "scroll"}),
		charts.WithGridOpts(opts.Grid{Left: "16", Right: "40", Top: "64", Bottom: "40", ContainLabel: opts.Bool(true)}),
	}
}

// withFloats sets a series' data to plain numbers (BarData drops zeros).
func withFloats(v []float64) charts.SeriesOpts {
	return charts.WithSeriesOpts(func(ss *charts.SingleSeries) { ss.Data = v })
}
