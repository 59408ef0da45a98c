// Package whatif predicts what a service would have done under other
// settings by replaying the traffic it observed: every request arrives when
// it arrived, on the endpoint it called, and keeps an instance busy for its
// warm service time (its logged latency less any wait for an instance to
// start). collect/sim's Cloud Run model routes the replay under the
// setting (concurrency, min and max instances, billing), its instances
// start as the observed ones started and retire as they retired, and the
// replay is written as a snapshot and analyzed by analyze.Run, so that a
// prediction and an observation are the same figures made the same way.
//
// The replay of the observed setting is the backtest: its difference from
// what was observed is the prediction's own error, shown beside every
// prediction.
//
// Not modelled yet: how latency grows with requests in flight on an
// instance (a replay keeps each request's observed service time whatever
// the concurrency), memory per request (memory kills), and CPU boost.
package whatif

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

// Traffic is an observed run ready to replay.
type Traffic struct {
	observed    *analyze.Report
	arrivals    []sim.Arrival
	platform    sim.Platform
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
	for _, r := range ds.Requests {
		if r.InstanceID == "" {
			continue // rejected at the front end: the replay finds out itself
		}
		service := r.Latency
		if l, ok := lanes[r.InstanceID]; ok && !l.Ready.IsZero() && r.Time.Before(l.Ready) {
			service -= l.Ready.Sub(r.Time) // waited for its instance to start
		}
		tr.arrivals = append(tr.arrivals, sim.Arrival{At: r.Time, Method: r.Method, Path: r.Path, UserAgent: r.UserAgent,
			Service: max(service, time.Millisecond), RequestSize: r.RequestSize, ResponseSize: r.ResponseSize})
	}
	if len(tr.arrivals) == 0 {
		return nil, fmt.Errorf("whatif: no request was served by an instance")
	}
	slices.SortStableFunc(tr.arrivals, func(a, b sim.Arrival) int { return a.At.Compare(b.At) })
	if tr.window.Start.IsZero() || tr.arrivals[0].At.Before(tr.window.Start) {
		tr.window.Start = tr.arrivals[0].At
	}
	if last := tr.arrivals[len(tr.arrivals)-1].At; tr.window.End.Before(last) {
		tr.window.End = last
	}
	tr.calibration.Requests = len(tr.arrivals)
	tr.platform = tr.calibrate(rpt)
	return tr, nil
}

// calibrate makes the platform of the observed service: its setting, and
// startup and idle retention drawn from the observed ones.
func (tr *Traffic) calibrate(rpt *analyze.Report) sim.Platform {
	var startups, keeps []time.Duration
	for _, l := range rpt.Series.Lanes {
		if !l.Ready.IsZero() && l.Ready.After(l.Start) {
			startups = append(startups, l.Ready.Sub(l.Start))
		}
		if l.EndReason == "shutdown" && !l.LastRequest.IsZero() && l.End.After(l.LastRequest) {
			keeps = append(keeps, l.End.Sub(l.LastRequest))
		}
	}
	c := &tr.calibration
	startup, ok := spread(startups)
	if !ok {
		startup = sim.Dist{Lo: 2 * time.Second, Hi: 10 * time.Second, Median: 4 * time.Second, Sigma: 0.3}
		c.Assumed = append(c.Assumed, "startup: none observed; assumed 2 to 10 s, median 4 s")
	}
	// Idle retention is drawn uniformly over the observed range: the keeps
	// seen are those of instances that did retire, which favours the short
	// ones (an instance kept long is more often reused first).
	keep, ok := spread(keeps)
	keep.Median, keep.Sigma = 0, 0
	if !ok {
		keep = sim.Dist{Lo: 5 * time.Minute, Hi: 15 * time.Minute}
		c.Assumed = append(c.Assumed, "idle retention: no idle shutdown observed; assumed 5 to 15 min")
	}
	c.StartupMS = [3]float64{ms(startup.Lo), ms(startup.Median), ms(startup.Hi)}
	c.IdleKeepS = [2]float64{keep.Lo.Seconds(), keep.Hi.Seconds()}
	s := rpt.Service
	svc := sim.Service{Project: s.Project, Region: s.Region, Name: s.Name, Revision: s.Name + "-replay",
		URL: "https://" + s.Name + ".a.run.app", Image: "replay", Port: 8080,
		CPU: strconv.FormatFloat(s.CPU, 'f', -1, 64), Memory: strconv.FormatInt(s.MemoryMiB, 10) + "Mi",
		Concurrency: max(s.Concurrency, 1), MinInstances: s.MinInstances, MaxInstances: cmp.Or(s.MaxInstances, 100),
		RequestBilling: s.Billing != model.BillingInstance, Accelerator: s.Accelerator, GPUs: s.GPUs}
	pl := sim.Platform{Service: svc, Startup: startup, IdleKeep: keep}
	// More instances than min instances and one, while no instance ever
	// held as many requests as the concurrency allows: the autoscaler
	// added them for CPU, at about the most requests an instance held.
	if in := rpt.Instances; in.Distinct > max(1, s.MinInstances) && in.MaxConcurrency > 0 && in.MaxConcurrency < svc.Concurrency {
		pl.ScaleOutAt = in.MaxConcurrency
		c.ScaleOutAt = in.MaxConcurrency
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
	p := tr.platform
	svc := &p.Service
	if s.MinInstances > 0 {
		svc.MinInstances = s.MinInstances
	}
	if s.MaxInstances > 0 {
		svc.MaxInstances = s.MaxInstances
	}
	if s.Concurrency > 0 {
		svc.Concurrency = s.Concurrency
	}
	switch s.Billing {
	case model.BillingRequest:
		svc.RequestBilling = true
	case model.BillingInstance:
		svc.RequestBilling = false
	}
	run, err := sim.Replay(p, tr.arrivals, tr.window, seed)
	if err != nil {
		return analyze.WhatIfOutcome{}, err
	}
	dir, err := os.MkdirTemp("", "runlens-whatif-*")
	if err != nil {
		return analyze.WhatIfOutcome{}, err
	}
	defer os.RemoveAll(dir)
	if err := sim.WriteRun(dir, run, replayUtilization, seed); err != nil {
		return analyze.WhatIfOutcome{}, err
	}
	ds, err := snapshot.Load(dir)
	if err != nil {
		return analyze.WhatIfOutcome{}, err
	}
	rpt := analyze.Run(ds, analyze.Options{Generated: tr.observed.Generated})
	out := outcome(rpt)
	out.WhatIfSetting = analyze.WhatIfSetting{MinInstances: svc.MinInstances, MaxInstances: svc.MaxInstances, Concurrency: svc.Concurrency,
		Billing: map[bool]string{true: model.BillingRequest, false: model.BillingInstance}[svc.RequestBilling]}
	return out, nil
}

// replayUtilization is the CPU and memory a replay's metrics draw: the
// predictions read neither.
var replayUtilization = sim.Utilization{
	CPUStarting: [2]float64{0.3, 0.6}, CPUServing: [2]float64{0.2, 0.6}, CPUIdle: [2]float64{0.001, 0.02},
	Memory: [2]float64{0.3, 0.4},
}

// outcome reads a report's figures.
func outcome(rpt *analyze.Report) analyze.WhatIfOutcome {
	t := rpt.Server.Total
	return analyze.WhatIfOutcome{
		WhatIfSetting: analyze.WhatIfSetting{MinInstances: rpt.Service.MinInstances, MaxInstances: rpt.Service.MaxInstances,
			Concurrency: rpt.Service.Concurrency, Billing: rpt.Service.Billing},
		Instances: rpt.Instances.Distinct, ColdStarts: rpt.ColdStarts.Count,
		BillableSeconds: rpt.Cost.BillableInstanceSeconds, CostUSD: rpt.Cost.TotalUSD,
		P50MS: t.P50MS, P95MS: t.P95MS, Failed: t.Status4xx + t.Status5xx,
	}
}

// Draws is how many replays, each with its own seed, a prediction is the
// mean of: one replay's startup and idle-retention draws move a figure by
// as much as a fifth.
const Draws = 5

// PredictMean is the mean of Draws replays of the setting, seeded from
// seed on; counts are rounded.
func (tr *Traffic) PredictMean(s analyze.WhatIfSetting, seed uint64) (analyze.WhatIfOutcome, error) {
	var sum analyze.WhatIfOutcome
	var instances, colds, failed float64
	for k := range uint64(Draws) {
		o, err := tr.Predict(s, seed+k)
		if err != nil {
			return o, err
		}
		sum.WhatIfSetting = o.WhatIfSetting
		instances += float64(o.Instances)
		colds += float64(o.ColdStarts)
		failed += float64(o.Failed)
		sum.BillableSeconds += o.BillableSeconds / Draws
		sum.CostUSD += o.CostUSD / Draws
		sum.P50MS += o.P50MS / Draws
		sum.P95MS += o.P95MS / Draws
	}
	sum.Instances = int(math.Round(instances / Draws))
	sum.ColdStarts = int(math.Round(colds / Draws))
	sum.Failed = int64(math.Round(failed / Draws))
	return sum, nil
}

// Run is the whole what-if analysis: the backtest, then each setting,
// each the mean of Draws replays.
func Run(tr *Traffic, settings []analyze.WhatIfSetting, seed uint64) (*analyze.WhatIf, error) {
	res := &analyze.WhatIf{Schema: analyze.WhatIfSchema, Service: tr.observed.Service.Name, Observed: outcome(tr.observed), Calibration: tr.calibration}
	var err error
	if res.Backtest, err = tr.PredictMean(analyze.WhatIfSetting{}, seed); err != nil {
		return nil, err
	}
	res.Error = relativeErrors(res.Observed, res.Backtest)
	for _, s := range settings {
		p, err := tr.PredictMean(s, seed)
		if err != nil {
			return nil, fmt.Errorf("predicting %+v: %w", s, err)
		}
		res.Predictions = append(res.Predictions, p)
	}
	return res, nil
}

// relativeErrors is (replayed - observed) / observed per figure.
func relativeErrors(obs, rep analyze.WhatIfOutcome) map[string]float64 {
	out := map[string]float64{}
	for name, pair := range map[string][2]float64{
		"instances": {float64(obs.Instances), float64(rep.Instances)}, "cold_starts": {float64(obs.ColdStarts), float64(rep.ColdStarts)},
		"billable_seconds": {obs.BillableSeconds, rep.BillableSeconds}, "cost_usd": {obs.CostUSD, rep.CostUSD},
		"p50_ms": {obs.P50MS, rep.P50MS}, "p95_ms": {obs.P95MS, rep.P95MS},
	} {
		if pair[0] != 0 {
			out[name] = (pair[1] - pair[0]) / pair[0]
		}
	}
	return out
}
