package audit

import (
	"cmp"
	"slices"
	"time"

	"github.com/runlens/runlens/analyze"
)

// MedianOf is how many earlier runs a trend compares with.
const MedianOf = 7

// Earlier picks the runs to compare with from the history: those of the
// project whose window ends before end, the last MedianOf of them, oldest
// first.
func Earlier(history []*Audit, project string, end time.Time) []*Audit {
	var out []*Audit
	for _, a := range history {
		if a != nil && a.Project == project && a.Window.End.Before(end) {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b *Audit) int { return a.Window.End.Compare(b.Window.End) })
	return out[max(0, len(out)-MedianOf):]
}

// Date is the date a run is filed under: its window's end, YYYY-MM-DD UTC.
func Date(w analyze.Window) string { return w.End.UTC().Format("2006-01-02") }

// scale converts a cost of an earlier window to this window's length, so
// that a 12-hour run compares fairly with a 24-hour one.
func scale(cost float64, from, to analyze.Window) float64 {
	d, e := from.End.Sub(from.Start), to.End.Sub(to.Start)
	if d <= 0 || e <= 0 {
		return cost
	}
	return cost * float64(e) / float64(d)
}

// serviceTrend compares a row's cost with the same service in earlier runs.
func serviceTrend(s *Service, w analyze.Window, earlier []*Audit) *Trend {
	var pts []TrendPoint
	var costs []float64
	for _, a := range earlier {
		i := slices.IndexFunc(a.Services, func(e Service) bool { return sameService(e, *s) && e.Error == "" })
		if i < 0 {
			continue
		}
		e := a.Services[i]
		pts = append(pts, TrendPoint{Date: Date(a.Window), CostUSD: e.CostUSD, Requests: e.Requests})
		costs = append(costs, scale(e.CostUSD, a.Window, w))
	}
	if len(costs) == 0 {
		return nil
	}
	pts = append(pts, TrendPoint{Date: Date(w), CostUSD: s.CostUSD, Requests: s.Requests})
	return newTrend(s.CostUSD, costs, pts)
}

// totalTrend compares the audit's total cost with earlier runs'.
func totalTrend(a *Audit, earlier []*Audit) *Trend {
	var pts []TrendPoint
	var costs []float64
	for _, e := range earlier {
		pts = append(pts, TrendPoint{Date: Date(e.Window), CostUSD: e.TotalCostUSD, Requests: e.TotalRequests})
		costs = append(costs, scale(e.TotalCostUSD, e.Window, a.Window))
	}
	if len(costs) == 0 {
		return nil
	}
	pts = append(pts, TrendPoint{Date: Date(a.Window), CostUSD: a.TotalCostUSD, Requests: a.TotalRequests})
	return newTrend(a.TotalCostUSD, costs, pts)
}

func newTrend(cost float64, earlier []float64, pts []TrendPoint) *Trend {
	t := &Trend{Runs: len(earlier), BaselineCostUSD: median(earlier), Points: pts}
	if t.BaselineCostUSD > 0 {
		pct := (cost - t.BaselineCostUSD) / t.BaselineCostUSD * 100
		t.CostChangePct = &pct
	}
	return t
}

// sameService matches rows by name and region; a row with no region (an
// audit of one region written by hand) matches any region.
func sameService(a, b Service) bool {
	return a.Name == b.Name && (a.Region == b.Region || a.Region == "" || b.Region == "")
}

// median of values; the mean of the middle two for an even count.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.SortFunc(s, cmp.Compare[float64])
	n := len(s)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// historyRuns describes the runs compared with.
func historyRuns(earlier []*Audit, files map[*Audit]string) []HistoryRun {
	out := make([]HistoryRun, 0, len(earlier))
	for _, a := range earlier {
		out = append(out, HistoryRun{Date: Date(a.Window), File: files[a], Window: a.Window,
			TotalCostUSD: a.TotalCostUSD, Services: len(a.Services)})
	}
	return out
}
