package render

import (
	"fmt"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Series whose points are counts or values over intervals (the per-minute
// metrics, the status classes) are drawn as steps: each value held over
// the interval it covers, from its start to its end. The data are the
// intervals' starts, drawn with ECharts' step "end" (a point's value is
// held until the next point), and a closing point at the end of an
// interval that the next one does not follow at once, the last included;
// after it the line drops to zero (counts) or breaks (the others).

// span is a value over an interval of time, [from, to) in Unix ms.
type span struct {
	from, to int64
	y        float64
}

// stepKind says how a step series reads its intervals: whether they are
// counts (summed when merged, zero where there is none) or values (the
// highest kept when merged, a break where there is none).
type stepKind struct{ counts bool }

var (
	stepCounts = stepKind{counts: true}
	stepValues = stepKind{}
)

// stepData is the data of a step line drawing spans, in time order and not
// overlapping, with step "end".
func stepData(spans []span, k stepKind) xySeries {
	out := make(xySeries, 0, len(spans)+1)
	for i, s := range spans {
		out = append(out, xy{x: s.from, y: s.y})
		if i+1 < len(spans) && spans[i+1].from == s.to {
			continue
		}
		out = append(out, xy{x: s.to, y: s.y})
		if i+1 < len(spans) {
			if k.counts {
				out = append(out, xy{x: s.to, y: 0})
			} else {
				out = append(out, xy{gap: true})
			}
		}
	}
	return out
}

// stepLen is how many points stepData draws of spans, without drawing
// them.
func stepLen(spans []span) int {
	n := 0
	for i, s := range spans {
		n++ // its start
		if i+1 < len(spans) && spans[i+1].from == s.to {
			continue
		}
		n++ // its end
		if i+1 < len(spans) {
			n++ // a drop to zero, or a break
		}
	}
	return n
}

// mergeSteps are the lengths intervals are merged into to keep a step
// series under its limit of points.
var mergeSteps = []time.Duration{
	10 * time.Second, 20 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
	10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour,
	12 * time.Hour, 24 * time.Hour,
}

// mergeSpans keeps spans of step ms under limit points drawn: when they
// are more, it merges them into bins of the shortest length of
// mergeSteps, a multiple of step, that is few enough, aligned on
// multiples of it in Unix time: a bin's value is the sum of its spans
// (counts) or the highest. It returns the spans drawn and the bin length,
// step when nothing was merged.
func mergeSpans(spans []span, step int64, limit int, k stepKind) ([]span, int64) {
	if stepLen(spans) <= limit || step <= 0 {
		return spans, step
	}
	var out []span
	bin := step
	for _, d := range mergeSteps {
		bin = d.Milliseconds()
		if bin <= step || bin%step != 0 {
			continue
		}
		out = out[:0]
		for _, s := range spans {
			start := floorDiv(s.from, bin) * bin
			if n := len(out); n > 0 && floorDiv(out[n-1].from, bin)*bin == start {
				last := &out[n-1]
				last.to = max(last.to, s.to)
				if k.counts {
					last.y += s.y
				} else {
					last.y = max(last.y, s.y)
				}
				continue
			}
			out = append(out, s)
		}
		if stepLen(out) <= limit {
			break
		}
	}
	return out, bin
}

// floorDiv is a/b rounded down.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// spanStep is the length in ms of the intervals of points at these times:
// stepS seconds when given, else the shortest gap between two points,
// else a minute (Cloud Run's metrics).
func spanStep(stepS float64, times []time.Time) int64 {
	if stepS > 0 {
		return int64(stepS * 1000)
	}
	step := int64(0)
	for i := 1; i < len(times); i++ {
		if d := times[i].UnixMilli() - times[i-1].UnixMilli(); d > 0 && (step == 0 || d < step) {
			step = d
		}
	}
	if step == 0 {
		return time.Minute.Milliseconds()
	}
	return step
}

// endingSpans are the spans of values stamped at the end of intervals of
// step ms.
func endingSpans(times []time.Time, ys []float64, step int64) []span {
	out := make([]span, len(times))
	for i, t := range times {
		out[i] = span{from: t.UnixMilli() - step, to: t.UnixMilli(), y: ys[i]}
	}
	return out
}

// startingSpans are the spans of values stamped at the start of intervals
// of step ms.
func startingSpans(times []time.Time, ys []float64, step int64) []span {
	out := make([]span, len(times))
	for i, t := range times {
		out[i] = span{from: t.UnixMilli(), to: t.UnixMilli() + step, y: ys[i]}
	}
	return out
}

// stepSeriesOpts styles a step line: each point's value held until the
// next point (see stepData).
func stepSeriesOpts(color string, area bool, stack string) []charts.SeriesOpts {
	return append(lineSeriesOpts(color, area, stack),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Symbol: "circle", Stack: stack, Step: "end"}))
}

// mergedNote says what a step of a merged series shows; "" when nothing
// was merged.
func mergedNote(bin, step int64, k stepKind) string {
	if bin == step {
		return ""
	}
	if k.counts {
		return "steps of " + stepText(float64(bin)/1000)
	}
	return fmt.Sprintf("each step the highest of %s", stepText(float64(bin)/1000))
}
