package analyze

import (
	"time"

	"github.com/runlens/runlens/collect"
)

// Run analyzes a dataset. It never fails: what is missing is listed in
// Report.Missing and the affected fields stay zero.
func Run(ds *collect.Dataset, opts Options) *Report {
	if a, ok := ds.Sink.(*Accumulator); ok && ds.Spilled {
		return runLarge(ds, a.acc, opts)
	}
	ps := opts.percentiles()
	rpt := &Report{
		Schema:      Schema,
		Generated:   opts.Generated.UTC(),
		Percentiles: ps,
		Warnings:    append([]string{}, ds.Warnings...),
		Missing:     missing(ds),
		Sources:     sources(ds),
	}
	w := window(ds)
	rpt.Window = Window{Start: w.Start, End: w.End}
	rpt.Service = service(ds)
	rpt.Alignment = alignment(ds, opts)
	offset := time.Duration(rpt.Alignment.ClockOffsetMS * float64(time.Millisecond))
	rpt.Client = clientReport(ds.Client, ps)

	var groups map[endpointKey]*serverGroup
	rpt.Server, groups = serverReport(ds.Requests, ps)
	if rpt.Client != nil {
		for i, e := range ds.Client.Endpoints {
			if k, ok := matchServer(e, groups, opts.EndpointMap); ok {
				rpt.Client.Endpoints[i].Server = k.String()
			}
		}
	}
	ins := instances(ds)
	var cold map[string]bool
	var waited map[int]bool
	rpt.ColdStarts, cold, waited = coldStarts(ds, ins)
	lanes := lanes(ds, ins, cold, w.End)
	rpt.Instances = instanceSummary(ds, ins, lanes)
	if peak := maxActiveMetric(ds, w); peak > 0 {
		rpt.Instances.MaxActive = peak
	}

	metricTotal := int64(-1)
	if ss := series(ds, metricRequestCount); len(ss) > 0 {
		metricTotal = int64(sumPoints(ss, w))
	}
	var unexplained int64
	rpt.Reconciliation, unexplained = reconcile(reconcileInput{
		client: ds.Client, groups: groups, reqs: ds.Requests, total: int64(len(ds.Requests)), metricTotal: metricTotal,
		clientWindow: clientWindow(rpt.Alignment, offset), endpointMap: opts.EndpointMap,
	})
	rpt.Cost = cost(costInputFor(ds, rpt, ins, lanes, metricTotal, w, opts))
	var cpuPts, memPts []UtilPoint
	rpt.Resources, cpuPts, memPts = resources(ds, w)
	rpt.Findings = findings(findingInput{rpt: rpt, unexplained: unexplained})
	step := SeriesStep(w)
	rpt.Series = Series{
		Client:        clientSeries(ds.Client, offset),
		Server:        serverSeries(ds.Requests, step),
		ServerStepS:   step.Seconds(),
		Instances:     instanceSeries(ds, w),
		Billable:      valueSeries(series(ds, metricBillable), w),
		StatusClasses: statusSeries(ds, w),
		CPU:           cpuPts,
		Memory:        memPts,
		Startup:       startupSeries(ds, rpt.ColdStarts, w),
		Lanes:         lanes,
		Latency:       latencySeries(ds.Requests, waited),
	}
	return rpt
}

func costInputFor(ds *collect.Dataset, rpt *Report, ins []*instance, lanes []Lane, metricTotal int64, w collect.Window, opts Options) costInput {
	in := costInput{svc: rpt.Service, billableSec: -1, requests: int64(len(ds.Requests)), hasLogs: len(ds.Requests) > 0}
	in.prices = Prices(rpt.Service.Region, rpt.Service.Billing)
	if opts.Prices != nil {
		in.prices = *opts.Prices
	}
	if ss := series(ds, metricBillable); len(ss) > 0 {
		in.billableSec = sumPoints(ss, w)
	}
	if metricTotal > in.requests {
		in.requests = metricTotal
	}
	for _, inst := range ins {
		spans := busyIntervals(ds.Requests, inst.reqs)
		in.busy += billedBusy(spans)
		in.inFlight += spanTime(spans)
	}
	for _, l := range lanes {
		in.lifetime += l.End.Sub(l.Start)
	}
	for _, c := range rpt.ColdStarts.Instances {
		if c.StartupMS > 0 {
			in.startup += time.Duration(c.StartupMS * float64(time.Millisecond))
		}
	}
	return in
}

// maxActiveMetric is the highest active instance count the metric reported.
func maxActiveMetric(ds *collect.Dataset, w collect.Window) int {
	peak := 0
	for _, p := range instanceSeries(ds, w) {
		peak = max(peak, int(p.Active+0.5))
	}
	return peak
}

// window is the manifest's window, or the span of the data without one.
func window(ds *collect.Dataset) collect.Window {
	if !ds.Manifest.Window.IsZero() {
		return collect.Window{Start: ds.Manifest.Window.Start.UTC(), End: ds.Manifest.Window.End.UTC()}
	}
	var w collect.Window
	see := func(t time.Time) {
		if t.IsZero() {
			return
		}
		if w.Start.IsZero() || t.Before(w.Start) {
			w.Start = t
		}
		if t.After(w.End) {
			w.End = t
		}
	}
	for i := range ds.Requests {
		see(ds.Requests[i].Time)
		see(ds.Requests[i].Time.Add(ds.Requests[i].Latency))
	}
	for _, e := range ds.Events {
		see(e.Time)
	}
	for _, s := range ds.Metrics {
		for _, p := range s.Points {
			see(p.End)
		}
	}
	if ds.Client != nil {
		for _, h := range ds.Client.History {
			see(h.Time)
		}
	}
	return collect.Window{Start: w.Start.UTC(), End: w.End.UTC()}
}

// Cloud Run's defaults, assumed when no service resource was given.
const (
	defaultCPU         = 1
	defaultMemoryMiB   = 512
	defaultConcurrency = 80
	defaultMaxInstance = 100
)

func service(ds *collect.Dataset) Service {
	m := ds.Manifest
	if s := ds.Service; s != nil {
		return Service{Project: first(s.Project, m.Project), Region: first(s.Region, m.Region), Name: first(s.Name, m.Service),
			CPU: s.CPU, MemoryMiB: s.MemoryMiB, Concurrency: s.Concurrency,
			MinInstances: s.MinInstances, MaxInstances: s.MaxInstances, Billing: first(s.Billing, collect.BillingRequest)}
	}
	svc := Service{Project: m.Project, Region: m.Region, Name: m.Service, CPU: defaultCPU, MemoryMiB: defaultMemoryMiB,
		Concurrency: defaultConcurrency, MaxInstances: defaultMaxInstance, Billing: collect.BillingRequest, Assumed: true}
	for i := range ds.Requests {
		r := &ds.Requests[i]
		svc.Name, svc.Region = first(svc.Name, r.Service), first(svc.Region, r.Location)
		if svc.Name != "" && svc.Region != "" {
			break
		}
	}
	return svc
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// alignment puts the client on the server's clock: the user's offset, or
// one estimated by cross-correlating request rates, or none.
func alignment(ds *collect.Dataset, opts Options) Alignment {
	a := Alignment{Method: "none"}
	if ds.Client == nil {
		return a
	}
	a.ClientStart, a.ClientEnd = clientSpan(ds.Client)
	a.ClientStep = clientStep(ds.Client)
	if opts.ClockOffset != nil {
		a.ClockOffsetMS, a.Method = ms(*opts.ClockOffset), "user"
		return a
	}
	if off, corr, ok := estimateOffset(ds.Client, ds.Requests); ok {
		a.ClockOffsetMS, a.Method, a.Correlation = ms(off), "cross-correlation", corr
	}
	return a
}

// clientStep is the usual spacing of the client's timeline rows (the
// smallest positive gap), one second when unknown.
func clientStep(c *collect.ClientRun) time.Duration {
	step := time.Duration(0)
	for i := 1; i < len(c.History); i++ {
		if d := c.History[i].Time.Sub(c.History[i-1].Time); d > 0 && (step == 0 || d < step) {
			step = d
		}
	}
	if step == 0 {
		return time.Second
	}
	return step
}

// clientWindow is the client's run on server time; zero without a timeline.
func clientWindow(a Alignment, offset time.Duration) collect.Window {
	if a.ClientStart.IsZero() {
		return collect.Window{}
	}
	return collect.Window{Start: a.ClientStart.Add(-offset), End: a.ClientEnd.Add(a.ClientStep - offset)}
}

func sources(ds *collect.Dataset) []Source {
	out := make([]Source, 0, len(ds.Sources))
	for _, s := range ds.Sources {
		out = append(out, Source{Path: s.Path, Format: s.Format, Items: s.Items})
	}
	return out
}

// missing says which sources the report had to do without.
func missing(ds *collect.Dataset) []string {
	out := []string{}
	add := func(cond bool, msg string) {
		if cond {
			out = append(out, msg)
		}
	}
	add(ds.Client == nil, "client: no load-test results; client columns, users and reconciliation against the client are empty")
	add(ds.RequestCount() == 0, "request logs: no Cloud Run request entries; server statistics, cold starts per request and latency charts are empty")
	add(ds.RequestCount() > 0 && len(ds.Events) == 0, "system logs: no instance starts; cold starts are taken from the first request of each instance")
	add(ds.Service == nil, "service: no service resource; assumed 1 vCPU, 512 MiB, concurrency 80, request-based billing")
	for _, m := range []struct{ metric, what string }{
		{metricRequestCount, "request_count: no metric count to reconcile against"},
		{metricBillable, "billable_instance_time: cost rebuilt from request logs"},
		{metricInstanceCount, "instance_count: no active/idle instance chart"},
		{metricCPU, "cpu/utilizations: no CPU percentiles"},
		{metricMemory, "memory/utilizations: no memory percentiles"},
	} {
		add(len(series(ds, m.metric)) == 0, "metric "+m.what)
	}
	if ds.Client != nil && len(ds.Client.History) == 0 {
		out = append(out, "client history: no per-second client timeline; client charts are empty")
	}
	return out
}
