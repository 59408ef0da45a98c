package analyze

import (
	"strings"

	"github.com/runlens/runlens/model"
)

// series returns the series of one metric type.
func series(ds *model.Dataset, metric string) []*model.Series {
	var out []*model.Series
	for i := range ds.Metrics {
		if ds.Metrics[i].Metric == metric {
			out = append(out, &ds.Metrics[i])
		}
	}
	return out
}

// sumPoints adds the scalar values of every point of the given series that
// ends inside the window (all points when the window is zero).
func sumPoints(ss []*model.Series, w model.Window) float64 {
	var sum float64
	for _, s := range ss {
		for _, p := range s.Points {
			if inWindow(p, w) {
				sum += pointScalar(s, p)
			}
		}
	}
	return sum
}

func pointScalar(s *model.Series, p model.Point) float64 {
	switch s.ValueType {
	case "INT64", "BOOL":
		return float64(p.Int)
	case "DISTRIBUTION":
		if p.Dist != nil {
			return float64(p.Dist.Count)
		}
		return 0
	}
	return p.Double
}

func inWindow(p model.Point, w model.Window) bool {
	if w.IsZero() {
		return true
	}
	return p.End.After(w.Start) && !p.End.After(w.End)
}

// label returns a metric label, case-insensitively for the value.
func label(s *model.Series, key string) string { return strings.ToLower(s.MetricLabels[key]) }

// RevisionSums adds a metric's points inside the window per revision (the
// resource label revision_name).
func RevisionSums(ds *model.Dataset, metric string, w Window) map[string]float64 {
	out := map[string]float64{}
	for _, s := range series(ds, metric) {
		out[s.ResourceLabels["revision_name"]] += sumPoints([]*model.Series{s}, model.Window{Start: w.Start, End: w.End})
	}
	return out
}
