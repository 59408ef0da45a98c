package analyze

import (
	"fmt"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/model"
)

// Run analyzes a dataset. The request log comes from the Dataset's Sink
// when it is a *Summary, plus any entries kept in Requests. It never
// fails: what is missing is listed in Report.Missing and the affected
// fields stay zero.
func Run(ds *model.Dataset, opts Options) *Report {
	s, _ := ds.Sink.(*summary.Summary)
	if len(ds.Requests) > 0 {
		kept := summary.New()
		for i := range ds.Requests {
			kept.Add(&ds.Requests[i])
		}
		if s != nil {
			kept.Combine(s)
		}
		s = kept
	}
	if s == nil {
		s = summary.New()
	}
	return RunSummary(ds, s, opts)
}

// RunSummary analyzes a request-log summary with the rest of a dataset
// (events, metrics, service, client); the dataset's own requests are not
// read. The summary is not changed.
func RunSummary(ds *model.Dataset, s *summary.Summary, opts Options) *Report {
	ps := opts.percentiles()
	rpt := &Report{
		Schema:      Schema,
		Generated:   opts.Generated.UTC(),
		Percentiles: ps,
		Warnings:    append([]string{}, ds.Warnings...),
		Missing:     missing(ds, s),
		Sources:     sources(ds),
	}
	w := window(ds, s)
	rpt.Window = Window{Start: w.Start, End: w.End}
	// The server series, the longest part of the analysis, reads only the
	// summary's per-second counts (which the rest only reads too) and its
	// latency intervals (which nothing else reads): it is computed beside
	// the rest.
	step := serverStep(w, s)
	server := make(chan []ServerPoint, 1)
	go func() { server <- serverSeries(s, step, w) }()
	rpt.Service = service(ds, s)
	rpt.Alignment = alignment(ds, s, opts)
	offset := time.Duration(rpt.Alignment.ClockOffsetMS * float64(time.Millisecond))
	rpt.Client = clientReport(ds.Client, ps)

	var counts map[summary.Key]int64
	rpt.Server, counts = serverReport(s, ps)
	if w := otherEndpointsWarning(s); w != "" {
		rpt.Warnings = append(rpt.Warnings, w)
	}
	if rpt.Client != nil {
		for i, e := range ds.Client.Endpoints {
			if k, ok := matchServer(e, counts, opts.EndpointMap); ok {
				rpt.Client.Endpoints[i].Server = k.String()
			}
		}
	}
	ins := instanceList(ds.Events, s)
	var cold map[string]bool
	var waited []summary.Point
	rpt.ColdStarts, cold, waited = coldStarts(ds, s, ins)
	lanes := lanes(ins, cold, w.End, laneStep(w))
	var busy summary.BusyTotals
	rpt.Instances, busy = instanceSummary(ins, lanes)
	if busy.Conflicts > 0 {
		rpt.Warnings = append(rpt.Warnings, fmt.Sprintf("request logs: %d requests reached into busy spans already closed "+
			"(logged out of order by more than %v, or in flight longer): busy time and concurrency count them apart",
			busy.Conflicts, time.Duration(summary.BusyGuard)))
	}
	if peak := maxActiveMetric(ds, w); peak > 0 {
		rpt.Instances.MaxActive = peak
	}

	metricTotal := int64(-1)
	if ss := series(ds, model.MetricRequestCount); len(ss) > 0 {
		metricTotal = int64(sumPoints(ss, w))
	}
	cw := clientWindow(rpt.Alignment, offset)
	var recon reconcileTotals
	rpt.Reconciliation, recon = reconcile(reconcileInput{
		client: ds.Client, counts: counts, total: s.Requests(), cause: classify(s, cw), metricTotal: metricTotal,
		clientWindow: cw, endpointMap: opts.EndpointMap,
	})
	rpt.Cost = cost(costInputFor(ds, s, rpt, busy, lanes, metricTotal, w, opts))
	rpt.Missing = append(rpt.Missing, costMissing(rpt.Cost, rpt.Service)...)
	var cpuPts, memPts []UtilPoint
	rpt.Resources, cpuPts, memPts = resources(ds, w)
	gpuPts, gpuMemPts := gpuResources(ds, w, &rpt.Resources)
	rpt.Findings = findings(findingInput{rpt: rpt, unexplained: recon.unexplained, recon: recon})
	rpt.Verdict = verdictOf(rpt, recon)
	rpt.Series = Series{
		Client:        clientSeries(ds.Client, offset),
		ServerStepS:   step.Seconds(),
		LaneStepS:     laneStep(w).Seconds(),
		Endpoints:     endpointSeries(s),
		EndpointStepS: s.EndpointIntervalWidth().Seconds(),
		MetricStepS:   metricStep(ds, chartedMetrics...).Seconds(),
		Instances:     instanceSeries(ds, w),
		Billable:      valueSeries(series(ds, model.MetricBillableTime), w),
		StatusClasses: statusSeries(ds, s, w),
		StatusStepS:   statusStep(ds).Seconds(),
		CPU:           cpuPts,
		Memory:        memPts,
		GPU:           gpuPts,
		GPUMemory:     gpuMemPts,
		Startup:       startupSeries(ds, rpt.ColdStarts, w),
		Lanes:         lanes,
		Latency:       latencySeries(s, waited),
	}
	rpt.Series.Server = <-server // last: the other series are made meanwhile
	return rpt
}

// maxActiveMetric is the highest active instance count the metric reported.
func maxActiveMetric(ds *model.Dataset, w model.Window) int {
	peak := 0
	for _, p := range instanceSeries(ds, w) {
		peak = max(peak, int(p.Active+0.5))
	}
	return peak
}

// window is the manifest's window, or the span of the data without one.
func window(ds *model.Dataset, s *summary.Summary) model.Window {
	if !ds.Manifest.Window.IsZero() {
		return model.Window{Start: ds.Manifest.Window.Start.UTC(), End: ds.Manifest.Window.End.UTC()}
	}
	var w model.Window
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
	if s.Requests() > 0 {
		see(s.First())
		see(s.LastArrival())
		see(s.LastEnd())
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
	return model.Window{Start: w.Start.UTC(), End: w.End.UTC()}
}

// Cloud Run's defaults, assumed when no service resource was given.
const (
	defaultCPU         = 1
	defaultMemoryMiB   = 512
	defaultConcurrency = 80
	defaultMaxInstance = 100
)

func service(ds *model.Dataset, s *summary.Summary) Service {
	m := ds.Manifest
	if c := ds.Service; c != nil {
		return Service{Project: first(c.Project, m.Project), Region: first(c.Region, m.Region), Name: first(c.Name, m.Service),
			CPU: c.CPU, MemoryMiB: c.MemoryMiB, Concurrency: c.Concurrency,
			MinInstances: c.MinInstances, MaxInstances: c.MaxInstances, Billing: first(c.Billing, model.BillingRequest),
			Containers: max(c.Containers, 1), ScalingMode: first(c.ScalingMode, model.ScalingAutomatic), Accelerator: c.Accelerator, GPUs: c.GPUs,
			StartupCPUBoost: c.StartupCPUBoost, TaggedMinInstances: taggedMinInstances(c.Traffic)}
	}
	name, region := s.FirstService()
	return Service{Project: m.Project, Region: first(m.Region, region), Name: first(m.Service, name),
		CPU: defaultCPU, MemoryMiB: defaultMemoryMiB, Concurrency: defaultConcurrency, MaxInstances: defaultMaxInstance,
		Billing: model.BillingRequest, Containers: 1, ScalingMode: model.ScalingAutomatic, Assumed: true}
}

// taggedMinInstances sums the revision-level minimum instances of the
// revisions that get no traffic but keep a tag, and so their minimum.
func taggedMinInstances(traffic []model.TrafficTarget) int {
	n := 0
	for _, t := range traffic {
		if t.Percent == 0 && !t.Latest && t.Tag != "" && t.MinInstances != nil {
			n += *t.MinInstances
		}
	}
	return n
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// alignment puts the client on the server's clock: the user's offset, or
// one estimated by cross-correlating request rates, or none.
func alignment(ds *model.Dataset, s *summary.Summary, opts Options) Alignment {
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
	if off, corr, ok := estimateOffset(ds.Client, s); ok {
		a.ClockOffsetMS, a.Method, a.Correlation = ms(off), "cross-correlation", corr
	}
	return a
}

// clientStep is the usual spacing of the client's timeline rows (the
// smallest positive gap), one second when unknown.
func clientStep(c *model.ClientRun) time.Duration {
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
func clientWindow(a Alignment, offset time.Duration) model.Window {
	if a.ClientStart.IsZero() {
		return model.Window{}
	}
	return model.Window{Start: a.ClientStart.Add(-offset), End: a.ClientEnd.Add(a.ClientStep - offset)}
}

func sources(ds *model.Dataset) []Source {
	out := make([]Source, 0, len(ds.Sources))
	for _, s := range ds.Sources {
		out = append(out, Source{Path: s.Path, Format: s.Format, Items: s.Items})
	}
	return out
}

// missing says which sources the report had to do without, what that
// costs, and how to get them.
func missing(ds *model.Dataset, s *summary.Summary) []string {
	out := []string{}
	add := func(cond bool, msg string) {
		if cond {
			out = append(out, msg)
		}
	}
	add(ds.Client == nil, "client: no load-test results; client columns, users and reconciliation against the client are empty "+
		"(give -locust PREFIX, -k6, -jmeter, -vegeta or -client FILE, or put the files in the snapshot's client/)")
	add(s.Requests() == 0, "request logs: no Cloud Run request entries; server statistics, cold starts per request and latency charts are empty "+
		"(runlens collect fetches them; or give -logs FILE from gcloud logging read 'log_id(\"run.googleapis.com/requests\")' --format=json)")
	add(s.Requests() > 0 && len(ds.Events) == 0, "system logs: no instance starts; cold starts are taken from the first request of each instance "+
		"(runlens collect fetches them; or give -logs FILE of log_id(\"run.googleapis.com/varlog/system\"))")
	add(ds.Service == nil, "service: no service resource; assumed 1 vCPU, 512 MiB, concurrency 80, request-based billing "+
		"(give -service FILE from gcloud run services describe SERVICE --format=json)")
	for _, m := range model.Metrics {
		if m.Missing != "" {
			add(len(series(ds, m.Type)) == 0, "metric "+model.ShortMetric(m.Type)+": "+m.Missing+
				" (runlens collect fetches it; or give -metrics FILE, a projects.timeSeries.list response)")
		}
	}
	if ds.Client != nil && len(ds.Client.History) == 0 {
		out = append(out, "client history: no per-second client timeline; client charts are empty "+
			"(Locust writes it with --csv, as PREFIX_stats_history.csv; k6 with --out json)")
	}
	return out
}

// otherEndpointsWarning says how many requests the summary counted under
// "(other)" once it told MaxEndpoints endpoints apart, or "" when it did
// not have to. (A path that is "(other)" in the log itself is counted
// with them, once the bound is reached.)
func otherEndpointsWarning(s *summary.Summary) string {
	eps := s.Endpoints()
	if len(eps) < summary.MaxEndpoints {
		return ""
	}
	var n int64
	other := false
	for k, e := range eps {
		if k.Path == summary.OtherPath {
			n += e.N
			other = true
		}
	}
	if !other {
		return ""
	}
	return fmt.Sprintf("request logs: more than %d distinct endpoints (method and path): "+
		"%d requests of the later ones are counted together as %s", summary.MaxEndpoints, n, summary.OtherPath)
}
