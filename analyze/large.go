package analyze

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"

	"github.com/runlens/runlens/collect"
)

// runLarge is Run for a Dataset whose requests went to an Accumulator: the
// same report, from accumulated state. doc.go says which parts are then
// approximate.
func runLarge(ds *collect.Dataset, a *accState, opts Options) *Report {
	ps := opts.percentiles()
	rpt := &Report{Schema: Schema, Generated: opts.Generated.UTC(), Percentiles: ps,
		Warnings: append([]string{}, ds.Warnings...), Missing: missing(ds), Sources: sources(ds)}
	w := largeWindow(ds, a)
	rpt.Window = Window{Start: w.Start, End: w.End}
	rpt.Service = service(ds)
	rpt.Service.Name, rpt.Service.Region = first(rpt.Service.Name, a.firstSvc[0]), first(rpt.Service.Region, a.firstSvc[1])
	rpt.Alignment = alignment(ds, opts)
	if ds.Client != nil && opts.ClockOffset == nil {
		if off, corr, ok := estimateOffsetCounts(ds.Client, a); ok {
			rpt.Alignment.ClockOffsetMS, rpt.Alignment.Method, rpt.Alignment.Correlation = ms(off), "cross-correlation", corr
		}
	}
	offset := time.Duration(rpt.Alignment.ClockOffsetMS * float64(time.Millisecond))
	rpt.Client = clientReport(ds.Client, ps)

	var groups map[endpointKey]*serverGroup
	rpt.Server, groups = a.serverReport(ps)
	if rpt.Client != nil {
		for i, e := range ds.Client.Endpoints {
			if k, ok := matchServer(e, groups, opts.EndpointMap); ok {
				rpt.Client.Endpoints[i].Server = k.String()
			}
		}
	}
	ins := a.instanceList(ds)
	var waited []reqPoint
	rpt.ColdStarts, waited = a.coldStarts(ds, ins)
	cold := map[string]bool{}
	for _, c := range rpt.ColdStarts.Instances {
		cold[c.InstanceID] = true
	}
	lanes := a.lanes(ins, cold, w.End)
	rpt.Instances = Instances{Distinct: len(ins), MaxActive: maxOverlap(lanes)}
	var perInstance []float64
	for _, in := range ins {
		if in.acc != nil {
			perInstance = append(perInstance, float64(in.acc.n))
			rpt.Instances.MaxConcurrency = max(rpt.Instances.MaxConcurrency, in.acc.maxConc)
		}
	}
	slices.Sort(perInstance)
	rpt.Instances.RequestsPerInstanceP50 = floatRank(perInstance, 50)
	if peak := maxActiveMetric(ds, w); peak > 0 {
		rpt.Instances.MaxActive = peak
	}

	metricTotal := int64(-1)
	if ss := series(ds, metricRequestCount); len(ss) > 0 {
		metricTotal = int64(sumPoints(ss, w))
	}
	cw := clientWindow(rpt.Alignment, offset)
	var unexplained int64
	rpt.Reconciliation, unexplained = reconcile(reconcileInput{
		client: ds.Client, groups: groups, total: a.n, cause: a.classify(cw), metricTotal: metricTotal,
		clientWindow: cw, endpointMap: opts.EndpointMap,
	})
	ci := costInputFor(ds, rpt, nil, lanes, metricTotal, w, opts)
	ci.requests, ci.hasLogs = max(a.n, metricTotal), a.n > 0
	for _, in := range a.instances {
		ci.busy += in.busy
		ci.inFlight += in.inFlight
	}
	rpt.Cost = cost(ci)
	var cpuPts, memPts []UtilPoint
	rpt.Resources, cpuPts, memPts = resources(ds, w)
	rpt.Findings = findings(findingInput{rpt: rpt, unexplained: unexplained})
	step := SeriesStep(w)
	rpt.Series = Series{
		Client:        clientSeries(ds.Client, offset),
		Server:        a.serverSeries(step),
		ServerStepS:   step.Seconds(),
		Instances:     instanceSeries(ds, w),
		Billable:      valueSeries(series(ds, metricBillable), w),
		StatusClasses: a.statusSeries(ds, w),
		CPU:           cpuPts,
		Memory:        memPts,
		Startup:       startupSeries(ds, rpt.ColdStarts, w),
		Lanes:         lanes,
		Latency:       a.latencySeries(waited),
	}
	return rpt
}

// largeWindow is window() with the requests' span taken from the accumulator.
func largeWindow(ds *collect.Dataset, a *accState) collect.Window {
	if !ds.Manifest.Window.IsZero() {
		return window(ds)
	}
	w := window(ds) // events, metrics, client
	if a.n > 0 {
		if w.Start.IsZero() || a.first.Before(w.Start) {
			w.Start = a.first.UTC()
		}
		w.End = maxTime(w.End, maxTime(a.lastEnd, a.lastArrival)).UTC()
	}
	return w
}

// quantileMS is a sketch's p-th percentile in ms; p=0 and p=100 are the
// exact minimum and maximum.
func (e *epAcc) quantileMS(p float64) float64 {
	switch {
	case e.n == 0:
		return 0
	case p <= 0:
		return ms(e.min)
	case p >= 100:
		return ms(e.max)
	}
	v, err := e.sketch.GetValueAtQuantile(sketchQuantile(p, e.n))
	if err != nil {
		return 0
	}
	return math.Min(math.Max(v, ms(e.min)), ms(e.max))
}

// sketchQuantile is the quantile to ask a DDSketch of n values for the
// nearest-rank p-th percentile: a sketch answers with the first value whose
// cumulative count exceeds q*(n-1), and the nearest rank is ceil(p/100*n),
// from 1; asking for rank r-0.5 gets the r-th value, clear of rounding. The
// sketch then answers within its relative accuracy of the exact percentile.
func sketchQuantile(p float64, n int64) float64 {
	if n <= 1 {
		return 0
	}
	r := min(max(math.Ceil(p/100*float64(n)), 1), float64(n))
	return min((r-0.5)/float64(n-1), 1)
}

func (e *epAcc) endpoint(ps []float64, seconds float64) ServerEndpoint {
	out := ServerEndpoint{Method: e.key.method, Path: e.key.path, Requests: e.n,
		Status2xx: e.status[2], Status3xx: e.status[3], Status4xx: e.status[4], Status5xx: e.status[5],
		MinMS: e.quantileMS(0), MaxMS: e.quantileMS(100),
		P50MS: e.quantileMS(50), P95MS: e.quantileMS(95), P99MS: e.quantileMS(99), Percentiles: make([]Quantile, len(ps))}
	for i, p := range ps {
		out.Percentiles[i] = Quantile{P: p, MS: e.quantileMS(p), Missing: e.n == 0}
	}
	if e.n > 0 {
		out.AvgMS = ms(e.sum) / float64(e.n)
		out.AvgResponseBytes = float64(e.respBytes) / float64(e.n)
	}
	if seconds > 0 {
		out.RequestsPerSec = float64(e.n) / seconds
	}
	return out
}

// serverReport is serverReport() from the accumulated endpoints.
func (a *accState) serverReport(ps []float64) (Server, map[endpointKey]*serverGroup) {
	a.total.sketch = newSketch() // the endpoints' sketches, merged
	for _, e := range a.endpoints {
		a.total.sketch.MergeWith(e.sketch)
	}
	seconds := a.total.last.Sub(a.total.first).Seconds()
	out := Server{Endpoints: []ServerEndpoint{}, Total: a.total.endpoint(ps, seconds)}
	groups := map[endpointKey]*serverGroup{}
	for k, e := range a.endpoints {
		out.Endpoints = append(out.Endpoints, e.endpoint(ps, seconds))
		groups[k] = &serverGroup{key: k, n: e.n}
	}
	slices.SortFunc(out.Endpoints, func(a, b ServerEndpoint) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	agents := make([]UserAgent, 0, len(a.agents))
	for ua, c := range a.agents {
		agents = append(agents, UserAgent{UserAgent: ua, Requests: c.n})
	}
	slices.SortFunc(agents, func(a, b UserAgent) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.UserAgent, b.UserAgent))
	})
	out.UserAgents = agents[:min(maxUserAgents, len(agents))]
	return out, groups
}

// largeInstance is an instance from system logs, requests, or both.
type largeInstance struct {
	instance
	acc *instAcc // nil when it served no request
}

func (in *largeInstance) seen() time.Time {
	switch {
	case !in.start.IsZero():
		return in.start
	case in.acc != nil && len(in.acc.early) > 0:
		return in.acc.early[0].t
	}
	return in.end
}

// instanceList joins the system log's instances and the accumulated ones,
// sorted by when each was first seen.
func (a *accState) instanceList(ds *collect.Dataset) []*largeInstance {
	byID := map[string]*largeInstance{}
	ev := &collect.Dataset{Events: ds.Events}
	for _, in := range instances(ev) {
		byID[in.id] = &largeInstance{instance: *in}
	}
	for id, acc := range a.instances {
		in := byID[id]
		if in == nil {
			in = &largeInstance{instance: instance{id: id}}
			byID[id] = in
		}
		in.acc, in.marker = acc, acc.marker
	}
	out := slices.Collect(maps.Values(byID))
	slices.SortFunc(out, func(a, b *largeInstance) int { return cmp.Or(a.seen().Compare(b.seen()), cmp.Compare(a.id, b.id)) })
	return out
}

// coldStarts is coldStarts() from each instance's earliest requests and
// the marked ones. Warm medians are the endpoints' medians over all their
// requests.
func (a *accState) coldStarts(ds *collect.Dataset, ins []*largeInstance) (ColdStarts, []reqPoint) {
	hasSystem := len(ds.Events) > 0
	warm := map[endpointKey]time.Duration{}
	for k, e := range a.endpoints {
		warm[k] = time.Duration(e.quantileMS(50) * float64(time.Millisecond))
	}
	pen := func(p reqPoint) float64 { return max(0, ms(p.latency-warm[p.key])) }
	waited := map[reqPoint]bool{}
	out := ColdStarts{Instances: []ColdStart{}}
	for _, in := range ins {
		served := in.acc != nil && len(in.acc.early) > 0
		if !in.marker && in.start.IsZero() && (hasSystem || !served) {
			continue
		}
		if served && !in.marker && configuredStart(in.reason, in.acc.early[0].t, in.ready) {
			continue
		}
		c := ColdStart{InstanceID: in.id, StartedAt: in.seen(), Reason: in.reason, StartupMS: -1, FirstRequestMS: -1, Evidence: []string{}}
		if in.marker {
			c.Evidence = append(c.Evidence, "marker")
		}
		if !in.start.IsZero() {
			c.Evidence = append(c.Evidence, "system_log")
			if !in.ready.IsZero() {
				c.StartupMS = ms(in.ready.Sub(in.start))
			}
		}
		if served {
			r := in.acc.early[0]
			c.Evidence = append(c.Evidence, "first_request")
			c.FirstRequestMS, c.FirstRequest, c.PenaltyMS = ms(r.latency), r.key.String(), pen(r)
			for k, p := range in.acc.early {
				if k == 0 || p.marker || (!in.ready.IsZero() && p.t.Before(in.ready)) {
					waited[p] = true
				}
			}
		}
		out.Instances = append(out.Instances, c)
	}
	for _, p := range a.marked {
		waited[p] = true
	}
	var penalties []float64
	list := make([]reqPoint, 0, len(waited))
	for p := range waited {
		penalties = append(penalties, pen(p))
		list = append(list, p)
	}
	slices.Sort(penalties)
	out.Count = len(out.Instances)
	if a.n > 0 {
		out.ShareOfRequests = float64(len(waited)) / float64(a.n)
	}
	out.PenaltyP50MS, out.PenaltyP95MS = floatRank(penalties, 50), floatRank(penalties, 95)
	a.markChurn(&out)
	return out, list
}

// markChurn is markChurn() over per-second arrival counts.
func (a *accState) markChurn(cs *ColdStarts) {
	if a.n == 0 {
		return
	}
	cum := a.perSec.cumulative()
	count := func(from, to time.Time) int64 { return cum(to.Unix()-1) - cum(from.Unix()-1) } // [from, to) by second
	for i := range cs.Instances {
		c := &cs.Instances[i]
		t := c.StartedAt
		if t.Before(a.first.Add(churnWindow)) {
			continue
		}
		before, after := count(t.Add(-churnWindow), t), count(t, t.Add(churnWindow))
		if before > 0 && float64(after) <= 1.25*float64(before) {
			c.Churn = true
			cs.Churn++
		}
	}
}

func (a *accState) lanes(ins []*largeInstance, cold map[string]bool, end time.Time) []Lane {
	out := make([]Lane, 0, len(ins))
	for _, in := range ins {
		l := Lane{InstanceID: in.id, Start: in.seen(), End: in.end, ColdStart: cold[in.id]}
		if in.acc != nil && len(in.acc.early) > 0 {
			l.Requests, l.FirstRequest, l.LastRequest = in.acc.n, in.acc.early[0].t, in.acc.lastEnd
		}
		if l.End.IsZero() {
			l.End = maxTime(end, l.LastRequest)
		}
		out = append(out, l)
	}
	return out
}

// classify is classify() from per-endpoint counts: by agent, and arrivals
// and completions per second.
func (a *accState) classify(w collect.Window) map[endpointKey]*strays {
	ua := a.clientAgent(w)
	out := map[endpointKey]*strays{}
	for k := range a.endpoints {
		out[k] = &strays{}
	}
	for k, e := range a.endpoints {
		s, r := out[k], &e.recon
		s.rejected = r.rejected
		var total, other int64
		for agent, n := range r.byAgent {
			total += n
			if agent == nil || agent.ua != ua {
				other += n
			}
		}
		if w.IsZero() {
			s.otherClient = other
			continue
		}
		arrive, complete := r.arrive.cumulative(), r.complete.cumulative()
		lo, hi := w.Start.Add(-outsideMargin).Unix(), w.End.Add(outsideMargin).Unix()
		s.outside = arrive(lo-1) + (total - arrive(hi))
		inside := total - s.outside
		if total > 0 {
			s.otherClient = int64(math.Round(float64(other) * float64(inside) / float64(total)))
		}
		end := w.End.Unix()
		s.inflight = max(0, arrive(end)-complete(end))
	}
	return out
}

// clientAgent is the agent with the most requests: over the whole input,
// not only the client's window, in large inputs.
func (a *accState) clientAgent(collect.Window) string {
	best, bestN := "", int64(0)
	for ua, c := range a.agents {
		if c.n > bestN || (c.n == bestN && ua < best) {
			best, bestN = ua, c.n
		}
	}
	return best
}

// serverSeries is serverSeries() with counts per step, exact, from the
// per-second counts. Percentiles come from the minute sketches: for steps of
// a minute or more, those of the step's minutes merged, so over exactly the
// step's requests; for shorter steps, those of the step's minute.
func (a *accState) serverSeries(step time.Duration) []ServerPoint {
	size := max(int64(step/time.Second), 1)
	out := []ServerPoint{}
	a.perSec.each(func(sec int64, n uint32) {
		t := floorDiv(sec, size) * size
		if len(out) == 0 || out[len(out)-1].Time.Unix() != t {
			out = append(out, ServerPoint{Time: time.Unix(t, 0).UTC()})
		}
		p := &out[len(out)-1]
		p.Requests += int64(n)
		p.Errors += int64(a.errSec.get(sec))
	})
	byMinute := map[int64][3]float64{} // steps under a minute share their minute's
	for i := range out {
		p := &out[i]
		t := p.Time.Unix()
		from := floorDiv(t, sketchMinute)
		q, ok := byMinute[from]
		if !ok {
			q = a.stepPercentiles(from, max(floorDiv(t+size, sketchMinute), from+1))
			byMinute[from] = q
		}
		p.P50MS, p.P95MS, p.P99MS = q[0], q[1], q[2]
	}
	return out
}

// stepPercentiles is the nearest-rank p50, p95 and p99 of the requests
// that arrived in minutes [from, to), from their sketches; zero without any.
func (a *accState) stepPercentiles(from, to int64) [3]float64 {
	var s *ddsketch.DDSketch
	copied := false
	for m := from; m < to; m++ {
		next := a.minute[m]
		switch {
		case next == nil:
		case s == nil:
			s = next
		default:
			if !copied {
				s, copied = s.Copy(), true // never merge into the accumulated state
			}
			if err := s.MergeWith(next); err != nil {
				return [3]float64{}
			}
		}
	}
	if s == nil {
		return [3]float64{}
	}
	c := int64(s.GetCount())
	v, err := s.GetValuesAtQuantiles([]float64{sketchQuantile(50, c), sketchQuantile(95, c), sketchQuantile(99, c)})
	if err != nil || len(v) != 3 {
		return [3]float64{}
	}
	return [3]float64{v[0], v[1], v[2]}
}

// statusSeries is statusSeries() from 10 s counts where the metric is absent.
func (a *accState) statusSeries(ds *collect.Dataset, w collect.Window) []StatusPoint {
	if len(series(ds, metricRequestCount)) > 0 {
		return statusSeries(ds, w)
	}
	byTime := map[int64]*StatusPoint{}
	for class := range a.status10 {
		a.status10[class].each(func(b int64, n uint32) {
			sp := byTime[b]
			if sp == nil {
				sp = &StatusPoint{Time: time.Unix(b*10, 0).UTC()}
				byTime[b] = sp
			}
			addClass(sp, []string{"2xx", "3xx", "4xx", "5xx"}[class], float64(n))
		})
	}
	out := make([]StatusPoint, 0, len(byTime))
	for _, b := range slices.Sorted(maps.Keys(byTime)) {
		out = append(out, *byTime[b])
	}
	return out
}

// latencySeries is a uniform sample of the requests and every request
// found to have waited on a cold start, in time order.
func (a *accState) latencySeries(waited []reqPoint) []LatencyPoint {
	cold := map[reqPoint]bool{}
	for _, p := range waited {
		cold[p] = true
	}
	pts := slices.Clone(waited)
	for _, p := range a.sample {
		if !cold[p] {
			pts = append(pts, p)
		}
	}
	slices.SortFunc(pts, reqPoint.compare)
	out := make([]LatencyPoint, len(pts))
	for i, p := range pts {
		out[i] = LatencyPoint{Time: p.t, MS: ms(p.latency), ColdStart: cold[p], Endpoint: p.key.String()}
	}
	return out
}

// estimateOffsetCounts is estimateOffset() over completions per 100 ms.
func estimateOffsetCounts(c *collect.ClientRun, a *accState) (time.Duration, float64, bool) {
	rows := clientCounts(c)
	if len(rows) < minAlignRows || a.n == 0 {
		return 0, 0, false
	}
	cum := a.done100.cumulative()
	step := int64(100 * time.Millisecond)
	return alignRows(rows, func(t time.Time) int64 { return cum(floorDiv(t.UnixNano(), step)) })
}
