package audit

import (
	"cmp"
	"slices"
	"strings"

	"github.com/runlens/runlens/analyze"
)

// rowSpecs are the values of a row that a diff of two audits compares.
var rowSpecs = []struct {
	spec analyze.MetricSpec
	get  func(Service) (float64, bool)
}{
	{analyze.MetricSpec{Key: "requests", Unit: "count"}, func(s Service) (float64, bool) { return float64(s.Requests), true }},
	{analyze.MetricSpec{Key: "cost_usd", Unit: "usd", Better: analyze.LowerIsBetter}, func(s Service) (float64, bool) { return s.CostUSD, true }},
	{analyze.MetricSpec{Key: "idle_share", Unit: "share", Better: analyze.LowerIsBetter}, func(s Service) (float64, bool) { return deref(s.IdleShare) }},
	{analyze.MetricSpec{Key: "cold_starts", Unit: "count", Better: analyze.LowerIsBetter}, func(s Service) (float64, bool) {
		if s.ColdStarts == nil {
			return 0, false
		}
		return float64(*s.ColdStarts), true
	}},
	{analyze.MetricSpec{Key: "error_rate", Unit: "share", Better: analyze.LowerIsBetter}, func(s Service) (float64, bool) { return deref(s.ErrorRate) }},
	{analyze.MetricSpec{Key: "p95_ms", Unit: "ms", Better: analyze.LowerIsBetter}, func(s Service) (float64, bool) { return deref(s.P95MS) }},
}

func deref(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

// DiffAudits compares two audits: the total cost, then each service's row
// (services sorted by name; one that only one side has is added or removed).
func DiffAudits(a, b *Audit) analyze.Diff {
	d := analyze.Diff{Schema: analyze.DiffSchema,
		A: analyze.DiffSide{Service: a.Project, Window: a.Window}, B: analyze.DiffSide{Service: b.Project, Window: b.Window}}
	total := analyze.MetricSpec{Group: "total", Key: "cost_usd", Unit: "usd", Better: analyze.LowerIsBetter}
	if c, ok := analyze.NewChange(total, a.TotalCostUSD, true, b.TotalCostUSD, true); ok {
		d.Add(c)
	}
	for _, key := range serviceKeys(a, b) {
		x, okA := findRow(a, key)
		y, okB := findRow(b, key)
		for _, rs := range rowSpecs {
			spec := rs.spec
			spec.Group = key
			va, ka := rs.get(x)
			vb, kb := rs.get(y)
			if c, ok := analyze.NewChange(spec, va, ka && okA, vb, kb && okB); ok {
				d.Add(c)
			}
		}
	}
	return d
}

// rowKey names a row in a diff: "name (region)".
func rowKey(s Service) string {
	if s.Region == "" {
		return s.Name
	}
	return s.Name + " (" + s.Region + ")"
}

func serviceKeys(a, b *Audit) []string {
	var keys []string
	for _, au := range []*Audit{a, b} {
		for _, s := range au.Services {
			if s.Error == "" {
				keys = append(keys, rowKey(s))
			}
		}
	}
	slices.SortFunc(keys, func(x, y string) int { return cmp.Compare(strings.ToLower(x), strings.ToLower(y)) })
	return slices.Compact(keys)
}

func findRow(a *Audit, key string) (Service, bool) {
	i := slices.IndexFunc(a.Services, func(s Service) bool { return s.Error == "" && rowKey(s) == key })
	if i < 0 {
		return Service{}, false
	}
	return a.Services[i], true
}
