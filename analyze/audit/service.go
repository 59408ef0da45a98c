package audit

import (
	"slices"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/model"
)

// Sources of a row's error rate and p95.
const (
	SourceLogs   = "request_logs"
	SourceSample = "request_logs_sample"
	SourceMetric = "metric"
)

// NewService makes a service's row from its report, the dataset the report
// was made from (for the request_latencies metric when the request log was
// not read whole) and how much of the logs was read. The row keeps the
// report without its chart series.
func NewService(rpt *analyze.Report, ds *model.Dataset, logs LogCoverage) Service {
	c := rpt.Cost
	s := Service{Name: rpt.Service.Name, Region: rpt.Service.Region, Requests: max(c.Requests, rpt.Server.Total.Requests),
		CostUSD: c.TotalUSD, USDPer1kRequests: c.USDPer1kRequests, Logs: logs,
		Findings: slices.Clone(rpt.Findings), Report: withoutSeries(rpt), Around: NewAround(ds)}
	if s.Findings == nil {
		s.Findings = []analyze.Finding{}
	}
	s.Waste = Wastes(rpt, ds, logs)
	for _, w := range s.Waste {
		s.Findings = append(s.Findings, w.Finding())
	}
	analyze.SortFindings(s.Findings)
	switch {
	case logs.Complete():
		s.fromLogs(rpt)
	case logs.Status == LogsSampled:
		s.fromSample(rpt, ds)
	default:
		s.fromMetrics(rpt, ds)
	}
	return s
}

// Failed is the row of a service that could not be collected or analyzed.
func Failed(name, region string, logs LogCoverage, err error) Service {
	return Service{Name: name, Region: region, Logs: logs, Error: err.Error(), Findings: []analyze.Finding{}, Waste: []Waste{}}
}

func (s *Service) fromLogs(rpt *analyze.Report) {
	t, c := rpt.Server.Total, rpt.Cost
	switch {
	case t.Requests > 0 && c.BillableInstanceSeconds > 0:
		s.IdleShare = ptr(c.IdleShare)
	case t.Requests == 0 && c.BillableInstanceSeconds > 0:
		s.IdleShare = ptr(1.0) // billed, and no request in flight at all
	}
	s.ColdStarts, s.ColdStartShare = ptr(rpt.ColdStarts.Count), ptr(rpt.ColdStarts.ShareOfRequests)
	if t.Requests > 0 {
		s.ErrorRate, s.ErrorRateSource = ptr(serverErrorRate(t)), SourceLogs
		s.P95MS, s.P95Source = ptr(t.P95MS), SourceLogs
		return
	}
	s.ErrorRate, s.ErrorRateSource = metricErrorRate(rpt)
}

// fromSample uses the metrics where they cover the window, and the sample of
// the request log for what only logs tell.
func (s *Service) fromSample(rpt *analyze.Report, ds *model.Dataset) {
	t := rpt.Server.Total
	s.ColdStarts, s.ColdStartShare = ptr(rpt.ColdStarts.Count), ptr(rpt.ColdStarts.ShareOfRequests)
	s.fromMetrics(rpt, ds)
	if s.ErrorRate == nil && t.Requests > 0 {
		s.ErrorRate, s.ErrorRateSource = ptr(serverErrorRate(t)), SourceSample
	}
	if s.P95MS == nil && t.Requests > 0 {
		s.P95MS, s.P95Source = ptr(t.P95MS), SourceSample
	}
}

// fromMetrics fills what the metrics alone tell.
func (s *Service) fromMetrics(rpt *analyze.Report, ds *model.Dataset) {
	s.ErrorRate, s.ErrorRateSource = metricErrorRate(rpt)
	if p, ok := metricLatencyQuantile(ds, rpt.Window, 0.95); ok {
		s.P95MS, s.P95Source = ptr(p), SourceMetric
	}
	if s.Logs.Status == LogsNone {
		zero := 0
		s.ColdStarts, s.ColdStartShare = &zero, ptr(0.0)
		if rpt.Cost.BillableInstanceSeconds > 0 {
			s.IdleShare = ptr(1.0)
		}
	}
}

func serverErrorRate(t analyze.ServerEndpoint) float64 {
	return float64(t.Requests-t.Status2xx-t.Status3xx-t.Status4xx) / float64(t.Requests)
}

// metricErrorRate is 5xx over all from request_count by status class.
func metricErrorRate(rpt *analyze.Report) (*float64, string) {
	var bad, all float64
	for _, p := range rpt.Series.StatusClasses {
		bad += p.C5xx
		all += p.C2xx + p.C3xx + p.C4xx + p.C5xx
	}
	if all == 0 {
		return nil, ""
	}
	return ptr(bad / all), SourceMetric
}

// withoutSeries is a copy of the report without the chart series, which
// the audit page does not draw and which would make every night's JSON
// large.
func withoutSeries(rpt *analyze.Report) *analyze.Report {
	cp := *rpt
	cp.Series = analyze.Series{}
	return &cp
}

// Values are the row's values by threshold key: the report's, with the
// row's own where the logs were not read whole, and cost_increase_pct.
func (s *Service) Values() analyze.Values {
	vs := analyze.Values{V: map[string]float64{}, Why: map[string]string{}}
	if s.Report != nil {
		vs = analyze.ReportValues(s.Report)
	}
	if !s.Logs.Complete() {
		why := "request logs " + s.Logs.Status
		for _, k := range []string{"cold_start_penalty_p95_ms", "churn", "server_p95_ms", "server_p99_ms", "p50_ms", "p99_ms"} {
			vs.Unset(k, why)
		}
		setOrUnset(vs, "idle_share", s.IdleShare, why)
		setOrUnset(vs, "cold_start_share", s.ColdStartShare, why)
		setOrUnset(vs, "error_rate", s.ErrorRate, why+" and no request_count metric")
		setOrUnset(vs, "p95_ms", s.P95MS, why+" and no request_latencies metric")
		if s.ColdStarts != nil {
			vs.Set("cold_starts", float64(*s.ColdStarts))
		} else {
			vs.Unset("cold_starts", why)
		}
	}
	vs.Set("requests", float64(s.Requests))
	vs.Set("cost_usd", s.CostUSD)
	if s.Trend != nil && s.Trend.CostChangePct != nil {
		vs.Set("cost_increase_pct", *s.Trend.CostChangePct)
	} else {
		vs.Unset("cost_increase_pct", "no earlier run with this service")
	}
	return vs
}

func setOrUnset(vs analyze.Values, key string, v *float64, why string) {
	if v != nil {
		vs.Set(key, *v)
		return
	}
	vs.Unset(key, why)
}

func ptr[T any](v T) *T { return &v }
