// Package whatif predicts what a service would have done under other
// settings by replaying the traffic it observed through collect/sim's
// Cloud Run model, and analyzing each replay with analyze.Run, so that a
// prediction and an observation are the same figures made the same way.
//
// What a replay takes from the observation:
//   - every request, on its endpoint, keeping an instance busy for its warm
//     service time (its logged latency less any wait for its instance to
//     start; a request cut short by a memory kill gets its endpoint's
//     median);
//   - with a load test, its requests as a closed loop: each follows the
//     latest response before it by the think time observed, so that a
//     setting that answers sooner brings the next requests sooner
//     (chain); other requests come when they came;
//   - startups: the first instances start as the observed ones did, in
//     order, later ones drawn from the observed (log-normal);
//   - idle retention: estimated with Kaplan-Meier over every idle spell of
//     every instance, a spell ended by a request counted as censored;
//   - CPU-driven scale-out: the requests in flight on the busiest ready
//     instance when instances were started for load below the concurrency
//     limit (the median);
//   - memory, where instances were killed for it: a base, what each answered
//     request leaves behind and what each request in flight holds, fitted
//     by least squares to the kills (the MiB used, from the log) and to
//     the memory utilization metric's minutes.
//
// The replay of the observed setting is the backtest: its difference from
// what was observed is the model's error. A prediction is the mean of
// Draws replays; its error bound per figure is the backtest's error plus
// twice the replays' spread (plus, for percentiles, their sampling error),
// and advice recommends a setting only for what it changes beyond it.
//
// Startup CPU boost is modelled, not fitted: the logs show one setting.
// Cloud Run gives an instance model.BoostedCPU (twice its limit, at most
// 8 vCPU) while it starts and for 10 s after
// (https://cloud.google.com/run/docs/configuring/services/cpu#startup-boost);
// the CPU-bound share s of a startup runs that much faster, so that a
// startup with the boost is sim.StartupFactor = 1 - s + s cpu/boosted of
// one without. s is assumed at 70 %, within 46 to 100 %, twice the
// reductions of startup time Google reports for the boost, 23 to 50 %
// (https://cloud.google.com/blog/products/serverless/announcing-startup-cpu-boost-for-cloud-run--cloud-functions):
// 0.65 (0.50 to 0.77) on 1 or 2 vCPU. Startups observed under boost are
// divided by the factor, and a replay with boost multiplies them by it.
// The boosted CPU is billed as analyze counts it for an observation
// (Cost.BoostVCPUSeconds): the extra vCPUs over each startup, and under
// instance-based billing over the 10 s after. A setting that turns the
// boost on or off is replayed again at both ends of s's range, and its
// bound per figure grows by how far it is from the farther end.
//
// Not modelled: how latency grows with requests in flight on an instance
// (a replay keeps each request's observed service time whatever the
// concurrency), several instances starting at once for CPU, and requests
// served faster in the boost's 10 s after a startup.
package whatif

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

// Traffic is an observed run ready to replay.
type Traffic struct {
	observed    *analyze.Report
	arrivals    *sim.Arrivals
	platform    sim.Platform
	memory      *sim.Memory
	window      model.Window
	calibration analyze.WhatIfCalibration
}

// Observe takes the traffic to replay from a Dataset whose requests are
// kept (Dataset.Requests) and its report.
func Observe(ds *model.Dataset, rpt *analyze.Report) (*Traffic, error) {
	if len(ds.Requests) == 0 {
		return nil, fmt.Errorf("whatif: no request log: a replay needs every request's arrival and latency")
	}
	lanes := map[string]analyze.Lane{}
	for _, l := range rpt.Series.Lanes {
		lanes[l.InstanceID] = l
	}
	tr := &Traffic{observed: rpt, window: model.Window{Start: rpt.Window.Start, End: rpt.Window.End}}
	// A request in flight on an instance killed for memory was cut short:
	// it is played with the median service time of its endpoint's answered
	// requests.
	kills := memoryKills(ds)
	killedAt := map[string]time.Time{}
	for _, ev := range ds.Events {
		if ev.Kind == model.EventMemoryLimitExceeded {
			killedAt[ev.InstanceID] = ev.Time
		}
	}
	ready := map[string]time.Time{}
	for id, l := range lanes {
		ready[id] = l.Ready
	}
	flight := flights(ds.Requests, ready)
	var rows []sim.Arrival // in columns once complete (tr.arrivals)
	var cut []int
	var latencies []time.Duration
	answered := map[string][]time.Duration{}
	for k, r := range ds.Requests {
		if r.InstanceID == "" {
			continue // rejected at the front end: the replay finds out itself
		}
		service := r.Latency
		if l, ok := lanes[r.InstanceID]; ok && !l.Ready.IsZero() && r.Time.Before(l.Ready) {
			service -= l.Ready.Sub(r.Time) // waited for its instance to start
		}
		service = max(service, time.Millisecond)
		if t, ok := killedAt[r.InstanceID]; ok && killedBy(r, t) {
			cut = append(cut, len(rows))
		} else if r.Status < 500 {
			answered[r.Method+" "+r.Path] = append(answered[r.Method+" "+r.Path], service)
		}
		rows = append(rows, sim.Arrival{At: r.Time, Method: r.Method, Path: r.Path, UserAgent: r.UserAgent,
			Service: service, RequestSize: r.RequestSize, ResponseSize: r.ResponseSize, Flight: flight[k]})
		latencies = append(latencies, r.Latency)
	}
	for _, i := range cut {
		a := &rows[i]
		if ds := answered[a.Method+" "+a.Path]; len(ds) > 0 {
			slices.Sort(ds)
			a.Service = max(a.Service, ds[len(ds)/2])
		}
	}
	if mm, held, ok := memoryModel(kills, memoryMinutes(ds, rpt.Series.Lanes, rpt.Service.MemoryMiB)); ok {
		tr.memory = mm
		for i := range rows {
			rows[i].MemoryMiB = held
		}
		tr.calibration.Memory = &analyze.WhatIfMemory{Kills: len(kills), BaseMiB: (mm.BaseMiB[0] + mm.BaseMiB[1]) / 2,
			RetainedMiB: mm.RetainedMiB[0], HeldMiB: held}
	} else if len(kills) > 0 {
		tr.calibration.Assumed = append(tr.calibration.Assumed, fmt.Sprintf("memory: %d kills, too few to fit; memory is not modelled", len(kills)))
	} else {
		tr.calibration.Assumed = append(tr.calibration.Assumed, "memory: no instance exceeded its limit; memory is not modelled, and no setting is predicted to exceed it")
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("whatif: no request was served by an instance")
	}
	lat := latencies
	if !slices.IsSortedFunc(rows, func(a, b sim.Arrival) int { return a.At.Compare(b.At) }) { // a log is mostly in order already
		order := make([]int, len(rows))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return rows[a].At.Compare(rows[b].At) })
		sorted, sortedLat := make([]sim.Arrival, len(order)), make([]time.Duration, len(order))
		for i, k := range order {
			sorted[i], sortedLat[i] = rows[k], latencies[k]
		}
		rows, lat = sorted, sortedLat
	}
	// A load test's users wait for each response before they send again:
	// its requests are replayed as such a loop, others as they came.
	if ds.Client != nil && len(rpt.Server.UserAgents) > 0 {
		tr.calibration.LoopAgent = rpt.Server.UserAgents[0].UserAgent
		tr.calibration.LoopUsers = chain(rows, lat, tr.calibration.LoopAgent)
	}
	if tr.window.Start.IsZero() || rows[0].At.Before(tr.window.Start) {
		tr.window.Start = rows[0].At
	}
	if last := rows[len(rows)-1].At; tr.window.End.Before(last) {
		tr.window.End = last
	}
	tr.calibration.Requests = len(rows)
	slices.Sort(lat)
	tr.calibration.Sampling = map[string]float64{"p50_ms": percentileSampling(lat, 0.5), "p95_ms": percentileSampling(lat, 0.95)}
	tr.platform = tr.calibrate(rpt, ds)
	if fit, ok := fitContention(rows); ok {
		tr.platform.Contention = fit.Alpha
		tr.calibration.Contention = &fit
	} else {
		tr.calibration.Assumed = append(tr.calibration.Assumed, "contention: no request shared its instance with another; service times do not grow with the requests in flight")
	}
	tr.arrivals = sim.Columns(rows)
	return tr, nil
}

// calibrate makes the platform of the observed service: its setting,
// startup drawn from the observed ones, and idle retention estimated from
// the instances' idle spells.
func (tr *Traffic) calibrate(rpt *analyze.Report, ds *model.Dataset) sim.Platform {
	var startups []time.Duration
	for _, l := range rpt.Series.Lanes {
		if !l.Ready.IsZero() && l.Ready.After(l.Start) {
			startups = append(startups, l.Ready.Sub(l.Start))
		}
	}
	c := &tr.calibration
	startup, ok := spread(startups)
	if !ok {
		startup = sim.Dist{Lo: 2 * time.Second, Hi: 10 * time.Second, Median: 4 * time.Second, Sigma: 0.3}
		c.Assumed = append(c.Assumed, "startup: none observed; assumed 2 to 10 s, median 4 s")
	}
	// The keeps seen as shutdowns favour the short ones: an instance kept
	// long is more often given a request first. Every idle spell that a
	// request ended says the keep was longer than the spell, and the
	// Kaplan-Meier estimate takes both. Min instances are never retired
	// for idleness and say nothing of it.
	minInstance := func(l analyze.Lane) bool {
		return rpt.Service.MinInstances > 0 && !l.ColdStart && l.EndReason != "shutdown"
	}
	spells := idleSpells(ds.Requests, rpt.Series.Lanes, minInstance)
	var keep sim.Dist
	if q, shutdowns, ok := keepQuantiles(spells); ok {
		keep = sim.Dist{Lo: q[0], Hi: q[len(q)-1], Quantiles: q}
		c.IdleSpells, c.IdleShutdowns = len(spells), shutdowns
	} else {
		keep = sim.Dist{Lo: 5 * time.Minute, Hi: 15 * time.Minute}
		c.Assumed = append(c.Assumed, "idle retention: no idle shutdown observed; assumed 5 to 15 min")
	}
	c.StartupMS = [3]float64{ms(startup.Lo), ms(startup.Median), ms(startup.Hi)}
	c.Sampling["startup_ms"] = meanSampling(startups)
	c.IdleKeepS = [2]float64{keep.Lo.Seconds(), keep.Hi.Seconds()}
	s := rpt.Service
	svc := sim.Service{Project: s.Project, Region: s.Region, Name: s.Name, Revision: s.Name + "-replay",
		URL: "https://" + s.Name + ".a.run.app", Image: "replay", Port: 8080,
		CPU: strconv.FormatFloat(s.CPU, 'f', -1, 64), Memory: strconv.FormatInt(s.MemoryMiB, 10) + "Mi",
		Concurrency: max(s.Concurrency, 1), MinInstances: s.MinInstances, MaxInstances: cmp.Or(s.MaxInstances, 100),
		RequestBilling: s.Billing != model.BillingInstance, Accelerator: s.Accelerator, GPUs: s.GPUs, StartupCPUBoost: s.StartupCPUBoost}
	pl := sim.Platform{Service: svc, Startup: startup, IdleKeep: keep, Memory: tr.memory}
	// Instances started for load while the busiest ready instance was
	// below the concurrency limit: the autoscaler added them for CPU, at
	// about as many requests in flight as it held then (the median).
	if trig := startTriggers(ds, rpt.Series.Lanes, svc.Concurrency); len(trig) > 0 {
		slices.Sort(trig)
		pl.ScaleOutAt = trig[len(trig)/2]
		c.ScaleOutAt = pl.ScaleOutAt
	}
	// The first instances start as the observed ones did, in order: the
	// arrivals replayed came when they did because of those startups.
	ordered := slices.Clone(rpt.Series.Lanes)
	slices.SortStableFunc(ordered, func(a, b analyze.Lane) int { return a.Start.Compare(b.Start) })
	for _, l := range ordered {
		if !l.Ready.IsZero() && l.Ready.After(l.Start) {
			pl.Startups = append(pl.Startups, l.Ready.Sub(l.Start))
		}
	}
	return pl
}

// spread is a distribution that draws like the observed durations: their
// median and log-normal spread, clamped to their range.
func spread(ds []time.Duration) (sim.Dist, bool) {
	if len(ds) == 0 {
		return sim.Dist{}, false
	}
	slices.Sort(ds)
	med := ds[len(ds)/2]
	var sum float64
	for _, d := range ds {
		x := math.Log(float64(d) / float64(med))
		sum += x * x
	}
	return sim.Dist{Lo: ds[0], Hi: ds[len(ds)-1], Median: med, Sigma: math.Sqrt(sum / float64(len(ds)))}, true
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Predict replays the traffic under the setting and analyzes the replay.
func (tr *Traffic) Predict(s analyze.WhatIfSetting, seed uint64) (analyze.WhatIfOutcome, error) {
	return tr.predict(s, sim.DefaultStartupCPUShare, seed)
}

// predict is Predict with startups share CPU-bound (see boostShares).
func (tr *Traffic) predict(s analyze.WhatIfSetting, share float64, seed uint64) (analyze.WhatIfOutcome, error) {
	p := tr.platformFor(s, share)
	svc := &p.Service
	run, err := sim.Replay(p, tr.arrivals, tr.window, seed)
	if err != nil {
		return analyze.WhatIfOutcome{}, err
	}
	parts, err := sim.RunParts(run, replayUtilization, seed)
	if err != nil {
		return analyze.WhatIfOutcome{}, err
	}
	ds, err := snapshot.Assemble(parts, summary.New())
	if err != nil {
		return analyze.WhatIfOutcome{}, err
	}
	rpt := analyze.Run(ds, analyze.Options{Generated: tr.observed.Generated})
	out := outcome(rpt)
	out.WhatIfSetting = analyze.WhatIfSetting{MinInstances: svc.MinInstances, MaxInstances: svc.MaxInstances, Concurrency: svc.Concurrency,
		Billing:   map[bool]string{true: model.BillingRequest, false: model.BillingInstance}[svc.RequestBilling],
		MemoryMiB: rpt.Service.MemoryMiB, CPUBoost: analyze.BoostSetting(svc.StartupCPUBoost)}
	return out, nil
}

// platformFor is the observed platform under the setting. Its startups
// are the observed ones as they would be without startup CPU boost
// (divided by sim.StartupFactor at the share where the boost was on), and
// the replay scales them back by the factor where the setting has it on.
func (tr *Traffic) platformFor(s analyze.WhatIfSetting, share float64) sim.Platform {
	p := tr.platform
	svc := &p.Service
	if s.MinInstances != analyze.MinInstancesAsObserved {
		svc.MinInstances = s.MinInstances
	}
	if s.MaxInstances > 0 {
		svc.MaxInstances = s.MaxInstances
	}
	if s.Concurrency > 0 {
		svc.Concurrency = s.Concurrency
	}
	if s.MemoryMiB > 0 {
		svc.Memory = strconv.FormatInt(s.MemoryMiB, 10) + "Mi"
	}
	switch s.Billing {
	case model.BillingRequest:
		svc.RequestBilling = true
	case model.BillingInstance:
		svc.RequestBilling = false
	}
	p.StartupCPUShare = share
	if svc.StartupCPUBoost {
		f := sim.StartupFactor(tr.observed.Service.CPU, share)
		p.Startup = scaleDist(p.Startup, 1/f)
		p.Startups = slices.Clone(p.Startups)
		for i, d := range p.Startups {
			p.Startups[i] = scale(d, 1/f)
		}
	}
	switch s.CPUBoost {
	case analyze.BoostOn:
		svc.StartupCPUBoost = true
	case analyze.BoostOff:
		svc.StartupCPUBoost = false
	}
	return p
}

func scale(d time.Duration, f float64) time.Duration {
	return time.Duration(math.Round(float64(d) * f))
}

// scaleDist is the distribution of f times what d draws.
func scaleDist(d sim.Dist, f float64) sim.Dist {
	d.Lo, d.Hi, d.Median = scale(d.Lo, f), scale(d.Hi, f), scale(d.Median, f)
	if d.Quantiles != nil {
		q := make([]time.Duration, len(d.Quantiles))
		for i, v := range d.Quantiles {
			q[i] = scale(v, f)
		}
		d.Quantiles = q
	}
	return d
}

// boostShares is the range of the CPU-bound share of a startup: with
// the boost doubling the CPU, the share is twice the reduction of startup
// time, and Google reports reductions from 23 % (a plain Java function) to
// 50 % (Spring PetClinic)
// (https://cloud.google.com/blog/products/serverless/announcing-startup-cpu-boost-for-cloud-run--cloud-functions).
var boostShares = [2]float64{0.46, 1}

// boostModel is the startup CPU boost model of the traffic's service.
func (tr *Traffic) boostModel() *analyze.WhatIfBoost {
	cpu := tr.observed.Service.CPU
	f := func(share float64) float64 { return sim.StartupFactor(cpu, share) }
	return &analyze.WhatIfBoost{Observed: tr.platform.Service.StartupCPUBoost, CPU: cpu, BoostedCPU: model.BoostedCPU(cpu),
		Share: sim.DefaultStartupCPUShare, ShareRange: boostShares,
		StartupFactor: [3]float64{f(boostShares[0]), f(sim.DefaultStartupCPUShare), f(boostShares[1])}}
}

// changesBoost reports whether the setting turns startup CPU boost on
// or off.
func (tr *Traffic) changesBoost(s analyze.WhatIfSetting) bool {
	return s.CPUBoost != "" && s.CPUBoost != analyze.BoostSetting(tr.platform.Service.StartupCPUBoost)
}

// boostError is the error a setting that turns startup CPU boost on or
// off owes to the assumed CPU-bound share of a startup, per figure,
// relative: how far the replay (seeded seed) at the share assumed is from
// the replays at either end of the share's range, relative to that end,
// the larger. nil for a setting that keeps the boost as observed.
func (tr *Traffic) boostError(s analyze.WhatIfSetting, seed uint64) (map[string]float64, error) {
	if !tr.changesBoost(s) {
		return nil, nil
	}
	var f [3]map[string]float64
	for k, share := range []float64{boostShares[0], sim.DefaultStartupCPUShare, boostShares[1]} {
		o, err := tr.predict(s, share, seed)
		if err != nil {
			return nil, err
		}
		f[k] = figures(o)
	}
	// Relative to the figure at the end, as an error is to the figure
	// that comes true.
	out := map[string]float64{}
	for name, v := range f[1] {
		for _, end := range []float64{f[0][name], f[2][name]} {
			if end != 0 {
				out[name] = max(out[name], math.Abs(v-end)/end)
			}
		}
	}
	return out, nil
}

// replayUtilization writes only the metrics a prediction reads of a
// replay: the request count and the billable instance time, which the
// cost is made of. Its other figures come from the logs; CPU, memory,
// latency distributions, instance counts and startup latencies would be
// sampled per minute for nothing (TestReplayMetricsRead).
var replayUtilization = sim.Utilization{Unsampled: true, Only: []string{model.MetricRequestCount, model.MetricBillableTime}}

// outcome reads a report's figures.
func outcome(rpt *analyze.Report) analyze.WhatIfOutcome {
	t := rpt.Server.Total
	return analyze.WhatIfOutcome{
		WhatIfSetting: analyze.WhatIfSetting{MinInstances: rpt.Service.MinInstances, MaxInstances: rpt.Service.MaxInstances,
			Concurrency: rpt.Service.Concurrency, Billing: rpt.Service.Billing, MemoryMiB: rpt.Service.MemoryMiB,
			CPUBoost: analyze.BoostSetting(rpt.Service.StartupCPUBoost)},
		Instances: rpt.Instances.Distinct, ColdStarts: rpt.ColdStarts.Count,
		BillableSeconds: rpt.Cost.BillableInstanceSeconds, CostUSD: rpt.Cost.TotalUSD,
		P50MS: t.P50MS, P95MS: t.P95MS, StartupMS: meanStartupMS(rpt.ColdStarts.Instances),
		Failed: t.Status4xx + t.Status5xx, MemoryKills: rpt.Resources.MemoryLimitExceededEvents,
	}
}

// meanStartupMS is the mean startup of the cold starts whose startup was
// logged; 0 with none.
func meanStartupMS(cs []analyze.ColdStart) float64 {
	var sum float64
	var n int
	for _, c := range cs {
		if c.StartupMS >= 0 {
			sum += c.StartupMS
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// Draws is how many replays, each with its own seed, a prediction is the
// mean of: one replay's startup and idle-retention draws move a figure by
// as much as a fifth.
const Draws = 5

// figures names an outcome's figures, the ones errors, spreads and
// bounds are given for.
func figures(o analyze.WhatIfOutcome) map[string]float64 {
	return map[string]float64{
		"instances": float64(o.Instances), "cold_starts": float64(o.ColdStarts), "memory_kills": float64(o.MemoryKills),
		"failed": float64(o.Failed), "billable_seconds": o.BillableSeconds, "cost_usd": o.CostUSD,
		"p50_ms": o.P50MS, "p95_ms": o.P95MS, "startup_ms": o.StartupMS,
	}
}

// PredictMean is the mean of Draws replays of the setting, seeded from
// seed on, counts rounded; Spread is each figure's standard deviation
// over the replays, relative to the mean.
func (tr *Traffic) PredictMean(s analyze.WhatIfSetting, seed uint64) (analyze.WhatIfOutcome, error) {
	// The replays are independent: as many run at once as there are
	// processors, and their outcomes are summed in seed order.
	outs := make([]analyze.WhatIfOutcome, Draws)
	errs := make([]error, Draws)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for k := range Draws {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			outs[k], errs[k] = tr.Predict(s, seed+uint64(k))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return analyze.WhatIfOutcome{}, err
	}
	var draws []map[string]float64
	var sum analyze.WhatIfOutcome
	var instances, colds, failed, kills float64
	for _, o := range outs {
		draws = append(draws, figures(o))
		sum.WhatIfSetting = o.WhatIfSetting
		instances += float64(o.Instances)
		colds += float64(o.ColdStarts)
		failed += float64(o.Failed)
		kills += float64(o.MemoryKills)
		sum.BillableSeconds += o.BillableSeconds / Draws
		sum.CostUSD += o.CostUSD / Draws
		sum.P50MS += o.P50MS / Draws
		sum.P95MS += o.P95MS / Draws
		sum.StartupMS += o.StartupMS / Draws
	}
	sum.Instances = int(math.Round(instances / Draws))
	sum.ColdStarts = int(math.Round(colds / Draws))
	sum.Failed = int64(math.Round(failed / Draws))
	sum.MemoryKills = int(math.Round(kills / Draws))
	sum.Spread = map[string]float64{}
	for name := range draws[0] {
		var m, ss float64
		for _, d := range draws {
			m += d[name] / Draws
		}
		for _, d := range draws {
			ss += (d[name] - m) * (d[name] - m)
		}
		if m > 0 {
			sum.Spread[name] = math.Sqrt(ss/(Draws-1)) / m
		}
	}
	return sum, nil
}

// Run is the whole what-if analysis: the backtest, then each setting,
// each the mean of Draws replays with its error bound, then the advice.
// progress, when not nil, is told each time a setting's replays are done.
func Run(tr *Traffic, settings []analyze.WhatIfSetting, seed uint64, progress func(done, total int)) (*analyze.WhatIf, error) {
	return RunWithin(tr, settings, analyze.WhatIfConstraint{}, seed, progress)
}

// RunWithin is Run, with the predictions within the constraint listed
// as the best.
func RunWithin(tr *Traffic, settings []analyze.WhatIfSetting, within analyze.WhatIfConstraint, seed uint64, progress func(done, total int)) (*analyze.WhatIf, error) {
	report := func(done int) {
		if progress != nil {
			progress(done*Draws, (len(settings)+1)*Draws)
		}
	}
	res := &analyze.WhatIf{Schema: analyze.WhatIfSchema, Service: tr.observed.Service.Name, Observed: outcome(tr.observed), Calibration: tr.calibration}
	if slices.ContainsFunc(settings, tr.changesBoost) {
		res.Calibration.Boost = tr.boostModel()
	}
	var err error
	if res.Backtest, err = tr.PredictMean(analyze.WhatIfSetting{MinInstances: analyze.MinInstancesAsObserved}, seed); err != nil {
		return nil, err
	}
	report(1)
	res.Error = relativeErrors(res.Observed, res.Backtest)
	res.Backtest.Bound = tr.bounds(res.Observed, res.Backtest, res.Backtest)
	for _, s := range settings {
		p, err := tr.PredictMean(s, seed)
		if err != nil {
			return nil, fmt.Errorf("predicting %+v: %w", s, err)
		}
		p.Bound = tr.bounds(res.Observed, res.Backtest, p)
		boost, err := tr.boostError(s, seed)
		if err != nil {
			return nil, fmt.Errorf("predicting %+v: %w", s, err)
		}
		for name, e := range boost {
			p.Bound[name] += e
		}
		res.Predictions = append(res.Predictions, p)
		report(len(res.Predictions) + 1)
	}
	res.Advice = advise(res.Observed, res.Backtest, res.Predictions)
	pareto(res.Predictions)
	res.Constraint, res.Best = within, best(res.Predictions, within)
	return res, nil
}

// relativeErrors is (replayed - observed) / observed per figure, for the
// figures observed above 0.
func relativeErrors(obs, rep analyze.WhatIfOutcome) map[string]float64 {
	out := map[string]float64{}
	o, r := figures(obs), figures(rep)
	for name, v := range o {
		if v != 0 {
			out[name] = (r[name] - v) / v
		}
	}
	return out
}

// minBound is the least error bound a prediction is given: no figure is
// stated closer than 1 %.
const minBound = 0.01

// bounds is a prediction's error bound per figure, relative: the
// backtest's error (the model's bias on the one setting that was
// observed; 100 % where nothing was observed and the backtest replayed
// some) plus twice the prediction's spread (how far one run under the
// setting strays from the mean of the replays), plus, for percentiles,
// their sampling error (another run draws other requests), and at least
// minBound.
func (tr *Traffic) bounds(obs, backtest, p analyze.WhatIfOutcome) map[string]float64 {
	o, b := figures(obs), figures(backtest)
	out := map[string]float64{}
	for name, v := range o {
		var bias float64
		switch {
		case v != 0:
			bias = math.Abs(b[name]-v) / v
		case b[name] != 0:
			bias = 1
		}
		out[name] = max(minBound, bias+2*p.Spread[name]+tr.calibration.Sampling[name])
	}
	return out
}

// meanSampling is the sampling error of the mean of the durations,
// relative: half the width of its 95 % confidence interval (1.96 standard
// errors), over the mean; another run draws other startups.
func meanSampling(ds []time.Duration) float64 {
	n := float64(len(ds))
	if n < 2 {
		return 0
	}
	var sum, ss float64
	for _, d := range ds {
		sum += float64(d)
	}
	mean := sum / n
	for _, d := range ds {
		ss += (float64(d) - mean) * (float64(d) - mean)
	}
	if mean <= 0 {
		return 0
	}
	return 1.96 * math.Sqrt(ss/(n-1)/n) / mean
}

// percentileSampling is the sampling error of a percentile of the
// latencies, relative: half the width of the 95 % confidence interval of
// the q-quantile of n requests (ranks nq ± 1.96 sqrt(nq(1-q))), over the
// quantile.
func percentileSampling(sorted []time.Duration, q float64) float64 {
	n := float64(len(sorted))
	if n == 0 {
		return 0
	}
	half := 1.96 * math.Sqrt(n*q*(1-q))
	at := func(rank float64) time.Duration {
		return sorted[min(max(int(rank), 0), len(sorted)-1)]
	}
	mid := at(n * q)
	if mid <= 0 {
		return 0
	}
	return float64(at(n*q+half)-at(n*q-half)) / 2 / float64(mid)
}
