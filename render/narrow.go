package render

import (
	"math"
	"strconv"
	"strings"
)

// A chart narrower than narrowWidth px (a phone's) is laid out for its
// width by an ECharts media query: half as many time labels, its subtitle
// wrapped into lines of at most narrowChars characters, its legend
// wrapped into rows (it pages when wider: chartLegend), and its plot
// areas moved in by what they take; the page makes the chart taller by
// as much (chartSpec.Narrow), so that its plot areas keep their height.
// Time labels that would overlap are left out at any width (timeAxis).
const (
	narrowWidth = 640
	narrowChars = 44
	// Time labels: ECharts' default number of time-axis intervals, and
	// the number on a narrow chart.
	wideTimeSplits   = 6
	narrowTimeSplits = 3
	subtitleLineH    = 16 // px
	// The legend's rows are counted for a narrow phone's screen, 360 px
	// (a chart 338 px wide): a row holds narrowLegendW px of items, each
	// an icon and its label at legendCharW px a character (12 px
	// sans-serif, generously), legendGap px apart.
	narrowLegendW = 320
	legendIconW   = 30
	legendCharW   = 6.5
	legendGap     = 10
	legendRowH    = 24 // px
)

// narrowLayout gives a chart option with time axes the media query of
// its narrow layout, and returns how much taller, px, the chart is to be
// there.
func narrowLayout(o map[string]any) int {
	axes, _ := o["xAxis"].([]any)
	narrowAxes, wideAxes := make([]any, len(axes)), make([]any, len(axes))
	timed := false
	for i, a := range axes {
		narrowAxes[i], wideAxes[i] = map[string]any{}, map[string]any{}
		if m, _ := a.(map[string]any); m["type"] == "time" {
			narrowAxes[i], wideAxes[i], timed = map[string]any{"splitNumber": narrowTimeSplits}, map[string]any{"splitNumber": wideTimeSplits}, true
		}
	}
	if !timed {
		return 0
	}
	title, _ := o["title"].(map[string]any)
	note, _ := title["subtext"].(string)
	lines := wrapWords(note, narrowChars)
	rows := legendRows(seriesNames(o))
	down := 0 // px the plot areas start lower
	if len(lines) > 1 {
		down = (len(lines)-1)*subtitleLineH + 8 // and the lines' own spacing
	}
	up := (rows - 1) * legendRowH // px the last plot area ends higher
	grids, _ := o["grid"].([]any)
	narrow, wide := make([]any, len(grids)), make([]any, len(grids))
	for i, g := range grids {
		n, w := map[string]any{}, map[string]any{}
		m, _ := g.(map[string]any)
		if top, err := strconv.Atoi(str(m["top"])); err == nil {
			n["top"], w["top"] = top+down, top
		}
		if bottom, err := strconv.Atoi(str(m["bottom"])); err == nil && i == len(grids)-1 {
			n["bottom"], w["bottom"] = bottom+up, bottom
		}
		narrow[i], wide[i] = n, w
	}
	narrowOpt := map[string]any{"grid": narrow, "xAxis": narrowAxes}
	wideOpt := map[string]any{"grid": wide, "xAxis": wideAxes}
	if len(lines) > 1 {
		narrowOpt["title"] = map[string]any{"subtext": strings.Join(lines, "\n"), "subtextStyle": map[string]any{"lineHeight": subtitleLineH}}
		wideOpt["title"] = map[string]any{"subtext": note, "subtextStyle": map[string]any{"lineHeight": nil}} // back to its own
	}
	if legend, ok := o["legend"].(map[string]any); ok && rows > 1 {
		// A legend of another type is a new legend: the whole of it.
		plain := map[string]any{}
		for k, v := range legend {
			plain[k] = v
		}
		plain["type"] = "plain"
		narrowOpt["legend"], wideOpt["legend"] = plain, legend
	}
	o["media"] = []any{
		map[string]any{"query": map[string]any{"maxWidth": narrowWidth}, "option": narrowOpt},
		map[string]any{"option": wideOpt}, // wider
	}
	return down + up
}

// str is v if it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// seriesNames are the names of an option's series: its legend's items.
func seriesNames(o map[string]any) []string {
	var out []string
	series, _ := o["series"].([]any)
	for _, s := range series {
		if m, _ := s.(map[string]any); m != nil {
			if name, ok := m["name"].(string); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

// legendRows is how many rows a legend of these items takes on the
// narrowest screen.
func legendRows(names []string) int {
	rows, used := 0, 0
	for _, n := range names {
		w := legendIconW + int(math.Ceil(legendCharW*float64(len([]rune(n)))))
		if rows == 0 || used+legendGap+w > narrowLegendW {
			rows, used = rows+1, w
			continue
		}
		used += legendGap + w
	}
	return rows
}

// wrapWords wraps s at spaces into lines of at most n characters (a
// longer word is a line of its own).
func wrapWords(s string, n int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= n:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
