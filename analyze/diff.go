package analyze

import (
	"math"
	"slices"
	"strings"
)

// DiffSchema is the version of the diff's JSON form.
const DiffSchema = "runlens.diff/v1"

// Diff says what got better or worse from report A to report B.
type Diff struct {
	Schema  string   `json:"schema"`
	A       DiffSide `json:"a"`
	B       DiffSide `json:"b"`
	Changes []Change `json:"changes"`
	Better  int      `json:"better"`
	Worse   int      `json:"worse"`
}

// DiffSide names one of the two compared runs.
type DiffSide struct {
	Label   string `json:"label"` // e.g. the file name
	Service string `json:"service"`
	Window  Window `json:"window"`
	// Sources are the kinds of input the run had, of client (the load
	// generator's results), logs (request logs), metrics and service (its
	// configuration); empty for an audit.
	Sources []string `json:"sources,omitempty"`
}

// Verdicts of a Change.
const (
	VerdictBetter  = "better"
	VerdictWorse   = "worse"
	VerdictSame    = "same"
	VerdictChanged = "changed" // a value with no better direction changed
	VerdictAdded   = "added"   // only B has it
	VerdictRemoved = "removed" // only A has it
)

// Change is one compared value.
type Change struct {
	Group  string `json:"group"`  // requests, latency, cold starts, cost, errors, reconciliation, resources, or a service
	Metric string `json:"metric"` // e.g. "server p95_ms"
	// A and B are the values; nil where that side could not measure it.
	A *float64 `json:"a"`
	B *float64 `json:"b"`
	// Delta is B - A and DeltaPct the same in percent of A; nil where a
	// side is missing (DeltaPct also where A is 0).
	Delta    *float64 `json:"delta"`
	DeltaPct *float64 `json:"delta_pct"`
	Verdict  string   `json:"verdict"`
	Unit     string   `json:"unit"` // ms, usd, share, count, s
}

// SameWithin is the relative difference under which two values are the
// same: 1 % of the larger.
const SameWithin = 0.01

// Direction says which way a value gets better.
type Direction int

// Directions.
const (
	Neutral       Direction = 0
	LowerIsBetter Direction = -1
	HigherBetter  Direction = 1
)

// MetricSpec is one value a diff compares.
type MetricSpec struct {
	Group, Key, Unit string
	Better           Direction
}

// diffSpecs are the report values a diff compares, in order.
var diffSpecs = []MetricSpec{
	{"requests", "server requests", "count", Neutral},
	{"requests", "client requests", "count", Neutral},
	{"latency", "server p50_ms", "ms", LowerIsBetter},
	{"latency", "server p95_ms", "ms", LowerIsBetter},
	{"latency", "server p99_ms", "ms", LowerIsBetter},
	{"latency", "client p50_ms", "ms", LowerIsBetter},
	{"latency", "client p95_ms", "ms", LowerIsBetter},
	{"latency", "client p99_ms", "ms", LowerIsBetter},
	{"cold starts", "cold_starts", "count", LowerIsBetter},
	{"cold starts", "cold_start_share", "share", LowerIsBetter},
	{"cold starts", "penalty p50_ms", "ms", LowerIsBetter},
	{"cold starts", "penalty p95_ms", "ms", LowerIsBetter},
	{"cold starts", "churn", "count", LowerIsBetter},
	{"cost", "cost_usd", "usd", LowerIsBetter},
	{"cost", "usd_per_1k_requests", "usd", LowerIsBetter},
	{"cost", "billable_instance_seconds", "s", LowerIsBetter},
	{"cost", "idle_share", "share", LowerIsBetter},
	{"errors", "error_rate", "share", LowerIsBetter},
	{"errors", "server 5xx", "count", LowerIsBetter},
	{"errors", "client failures", "count", LowerIsBetter},
	{"errors", "client_failure_rate", "share", LowerIsBetter},
	{"reconciliation", "unexplained_difference", "count", LowerIsBetter},
	{"reconciliation", "server minus client", "count", Neutral},
	{"resources", "cpu_p95", "share", Neutral},
	{"resources", "memory_p99", "share", LowerIsBetter},
	{"resources", "memory_limit_exceeded", "count", LowerIsBetter},
	{"resources", "crashes", "count", LowerIsBetter},
	{"resources", "max_active_instances", "count", Neutral},
}

// DiffReports compares two reports: every value of diffSpecs and the p95 of
// each server endpoint either has.
func DiffReports(a, b *Report) Diff {
	va, vb := diffValues(a), diffValues(b)
	var eps []MetricSpec
	for _, ep := range endpointKeys(a, b) {
		eps = append(eps, MetricSpec{"latency", ep, "ms", LowerIsBetter})
	}
	at := slices.IndexFunc(diffSpecs, func(s MetricSpec) bool { return s.Group == "cold starts" }) // after the latency totals
	specs := slices.Concat(diffSpecs[:at], eps, diffSpecs[at:])
	d := Diff{Schema: DiffSchema, A: diffSide(a), B: diffSide(b)}
	for _, s := range specs {
		x, okA := va[s.Key]
		y, okB := vb[s.Key]
		if c, ok := NewChange(s, x, okA, y, okB); ok {
			d.Add(c)
		}
	}
	return d
}

// Add appends a change and counts it.
func (d *Diff) Add(c Change) {
	d.Changes = append(d.Changes, c)
	switch c.Verdict {
	case VerdictBetter:
		d.Better++
	case VerdictWorse:
		d.Worse++
	}
}

func diffSide(r *Report) DiffSide {
	s := DiffSide{Service: r.Service.Name, Window: r.Window}
	has := func(format string) bool {
		return slices.ContainsFunc(r.Sources, func(src Source) bool { return src.Format == format })
	}
	for _, k := range []struct {
		name string
		ok   bool
	}{
		{"client", r.Client != nil},
		{"logs", r.Server.Total.Requests > 0},
		{"metrics", has("timeseries") || r.Resources.HasCPU || r.Resources.HasMemory},
		{"service", has("service") || r.Service.CPU > 0},
	} {
		if k.ok {
			s.Sources = append(s.Sources, k.name)
		}
	}
	return s
}

// NewChange compares a value; ok is false when neither side has it.
func NewChange(s MetricSpec, a float64, okA bool, b float64, okB bool) (Change, bool) {
	c := Change{Group: s.Group, Metric: s.Key, Unit: s.Unit}
	switch {
	case !okA && !okB:
		return c, false
	case !okA:
		c.B, c.Verdict = &b, VerdictAdded
		return c, true
	case !okB:
		c.A, c.Verdict = &a, VerdictRemoved
		return c, true
	}
	delta := b - a
	c.A, c.B, c.Delta = &a, &b, &delta
	if a != 0 {
		pct := delta / math.Abs(a) * 100
		c.DeltaPct = &pct
	}
	c.Verdict = verdict(s.Better, a, b)
	return c, true
}

func verdict(better Direction, a, b float64) string {
	if a == b || math.Abs(b-a) <= SameWithin*math.Max(math.Abs(a), math.Abs(b)) {
		return VerdictSame
	}
	switch {
	case better == Neutral:
		return VerdictChanged
	case (b < a) == (better == LowerIsBetter):
		return VerdictBetter
	}
	return VerdictWorse
}

// diffValues measures a report for the diff; absent keys are unknown.
func diffValues(r *Report) map[string]float64 {
	vs := ReportValues(r)
	out := map[string]float64{}
	for _, k := range []string{"cold_starts", "cold_start_share", "churn", "cost_usd", "usd_per_1k_requests", "idle_share",
		"error_rate", "client_failure_rate", "unexplained_difference", "cpu_p95", "memory_p99", "memory_limit_exceeded",
		"crashes", "max_active_instances"} {
		if v, ok := vs.V[k]; ok {
			out[k] = v
		}
	}
	out["billable_instance_seconds"] = r.Cost.BillableInstanceSeconds
	if t := r.Server.Total; t.Requests > 0 {
		out["server requests"] = float64(t.Requests)
		out["server p50_ms"], out["server p95_ms"], out["server p99_ms"] = t.P50MS, t.P95MS, t.P99MS
		out["server 5xx"] = float64(t.Status5xx)
		out["penalty p50_ms"], out["penalty p95_ms"] = r.ColdStarts.PenaltyP50MS, r.ColdStarts.PenaltyP95MS
		for _, e := range r.Server.Endpoints {
			out[diffEndpointKey(e)] = e.P95MS
		}
	}
	if c := r.Client; c != nil && c.Total.Requests > 0 {
		out["client requests"] = float64(c.Total.Requests)
		out["client p50_ms"], out["client p95_ms"], out["client p99_ms"] = c.Total.P50MS, c.Total.P95MS, c.Total.P99MS
		out["client failures"] = float64(c.Total.Failures)
		for _, rc := range r.Reconciliation {
			if strings.EqualFold(rc.Endpoint, "total") {
				out["server minus client"] = float64(rc.Difference)
			}
		}
	}
	return out
}

func diffEndpointKey(e ServerEndpoint) string {
	return strings.TrimSpace(e.Method+" "+e.Path) + " p95_ms"
}

// endpointKeys are the server endpoints of either report, sorted.
func endpointKeys(a, b *Report) []string {
	var keys []string
	for _, r := range []*Report{a, b} {
		for _, e := range r.Server.Endpoints {
			keys = append(keys, diffEndpointKey(e))
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
