package render

import (
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/runlens/runlens/analyze"
)

// thresholdCharts says which chart draws a threshold key, and how a value
// of the key maps onto the chart's y axis.
var thresholdCharts = map[string]struct {
	chart string
	scale float64
}{
	"p50_ms":               {chartPercent, 1},
	"p95_ms":               {chartPercent, 1},
	"p99_ms":               {chartPercent, 1},
	"server_p95_ms":        {chartPercent, 1},
	"server_p99_ms":        {chartPercent, 1},
	"client_p95_ms":        {chartPercent, 1},
	"client_p99_ms":        {chartPercent, 1},
	"cpu_p95":              {chartCPU, 100},
	"memory_p99":           {chartMemory, 100},
	"max_active_instances": {chartInstances, 1},
}

// addThresholdLines draws the report's thresholds that belong to a chart as
// horizontal mark lines named by the threshold and its status, and raises
// the y axis so that a limit above the data stays in view.
func addThresholdLines(id string, c optioner, rpt *analyze.Report) {
	line, ok := c.(*charts.Line)
	if !ok {
		return
	}
	var items []opts.MarkLineNameYAxisItem
	top := 0.0
	for _, r := range rpt.Thresholds {
		tc, ok := thresholdCharts[r.Key]
		if !ok || tc.chart != id {
			continue
		}
		y := r.Limit * tc.scale
		items = append(items, opts.MarkLineNameYAxisItem{Name: r.Key + " " + r.Op + " " + analyze.FormatValue(r.Limit) + ": " + r.Status, YAxis: y})
		top = math.Max(top, y)
	}
	if len(items) == 0 {
		return
	}
	if len(line.YAxisList) > 0 && line.YAxisList[0].Max == nil && top >= chartDataMax(id, rpt) {
		line.YAxisList[0].Max = niceCeil(top * 1.1)
	}
	line.AddSeries("thresholds", nil, withData(xySeries{}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: colorP99}),
		charts.WithMarkLineNameYAxisItemOpts(items...),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
			Label:     &opts.Label{Show: opts.Bool(true), Formatter: "{b}", Position: "insideStartTop"},
			LineStyle: &opts.LineStyle{Color: colorP99, Type: "dashed", Width: 1.5}}))
}

// chartDataMax is the largest value a chart with an automatic y axis draws.
func chartDataMax(id string, rpt *analyze.Report) float64 {
	m := 0.0
	switch id {
	case chartPercent:
		for _, p := range rpt.Series.Server {
			m = math.Max(m, math.Max(p.P50MS, math.Max(p.P95MS, p.P99MS)))
		}
		for _, p := range rpt.Series.Client {
			if p.HasPercentiles {
				m = math.Max(m, math.Max(p.P50MS, math.Max(p.P95MS, p.P99MS)))
			}
		}
	case chartInstances:
		for _, p := range rpt.Series.Instances {
			m = math.Max(m, p.Active+p.Idle)
		}
	}
	return m
}

// niceCeil rounds up to a round number: 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8
// times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, f := range []float64{1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if f*p >= v {
			return f * p
		}
	}
	return 10 * p
}
