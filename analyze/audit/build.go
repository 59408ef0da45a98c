package audit

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/internal/english"
	"github.com/runlens/runlens/model"
)

// Input is what Build summarizes.
type Input struct {
	Project   string
	Region    string
	Window    analyze.Window
	Generated time.Time
	// Services are the rows, made with NewService or Failed.
	Services []Service
	// History holds earlier audits; Build compares with the last MedianOf
	// of the project that ended before Window.End.
	History []Prior
	// Thresholds are checked against every service.
	Thresholds []analyze.Threshold
	APICalls   map[string]int
	LogBudget  LogBudget
	// Recommender says how the services' Recommendations were read.
	Recommender *RecommenderRead
	Warnings    []string
	// BigQuery is where the logs were read in BigQuery, and the queries;
	// nil when they were read from Cloud Logging.
	BigQuery *model.BigQueryRead
}

// Prior is an audit read from the history, and the file it came from.
type Prior struct {
	File  string
	Audit *Audit
}

// DefaultThresholds apply when an audit is given no threshold file.
var DefaultThresholds = []analyze.Threshold{
	{Key: "cost_increase_pct", Op: ">", Limit: 50, Severity: analyze.SeverityWarn, Source: "default"},
	{Key: "error_rate", Op: ">", Limit: 0.05, Severity: analyze.SeverityCrit, Source: "default"},
}

// Build makes the audit: trends against the earlier runs, every threshold
// checked for every service, the crossed ones added to the service's
// findings, and the rows sorted by cost, most expensive first.
func Build(in Input) *Audit {
	a := &Audit{Schema: Schema, Generated: in.Generated.UTC(), Project: in.Project, Region: in.Region, Window: in.Window,
		Services: slices.Clone(in.Services), APICalls: maps.Clone(in.APICalls), LogBudget: in.LogBudget,
		Thresholds: []analyze.ThresholdResult{}, Warnings: append([]string{}, in.Warnings...), Recommender: in.Recommender}
	a.BigQuery = in.BigQuery
	if a.APICalls == nil {
		a.APICalls = map[string]int{}
	}
	earlier, files := earlierRuns(in)
	slices.SortStableFunc(a.Services, func(x, y Service) int {
		return cmp.Or(cmp.Compare(y.CostUSD, x.CostUSD), strings.Compare(x.Name, y.Name), strings.Compare(x.Region, y.Region))
	})
	for i := range a.Services {
		s := &a.Services[i]
		a.TotalCostUSD += s.CostUSD
		a.TotalRequests += s.Requests
		s.Trend = serviceTrend(s, in.Window, earlier)
		s.Thresholds = checkService(s, in.Thresholds)
		s.compareRecommendations()
		a.Thresholds = append(a.Thresholds, s.Thresholds...)
		for _, r := range s.Thresholds {
			if r.Status == analyze.ThresholdFail {
				a.Crossed++
			}
		}
	}
	a.Around = aroundTotals(a)
	a.Baseline = totalTrend(a, earlier)
	a.History = historyRuns(earlier, files)
	return a
}

// earlierRuns picks the runs to compare with and remembers their files.
func earlierRuns(in Input) ([]*Audit, map[*Audit]string) {
	files := map[*Audit]string{}
	all := make([]*Audit, 0, len(in.History))
	for _, h := range in.History {
		files[h.Audit] = h.File
		all = append(all, h.Audit)
	}
	return Earlier(all, in.Project, in.Window.End), files
}

// checkService checks the thresholds against a row; crossed ones become
// findings of the row. A failed row is checked against nothing.
func checkService(s *Service, ts []analyze.Threshold) []analyze.ThresholdResult {
	if s.Error != "" {
		return []analyze.ThresholdResult{}
	}
	rs := analyze.CheckThresholds(ts, s.Values())
	var crossed []analyze.ThresholdResult
	for i := range rs {
		rs[i].Service = s.Name
		if rs[i].Key == "cost_increase_pct" && rs[i].Status != analyze.ThresholdNoData {
			rs[i].Message = costMessage(rs[i], s)
		}
		if rs[i].Status == analyze.ThresholdFail {
			crossed = append(crossed, rs[i])
		}
	}
	s.Findings = append(analyze.ThresholdFindings(crossed), s.Findings...)
	analyze.SortFindings(s.Findings)
	return rs
}

// CrossedAt returns the failed thresholds that fail the run at level (see
// analyze.Crossed).
func (a *Audit) CrossedAt(level string) []analyze.ThresholdResult {
	return analyze.Crossed(a.Thresholds, level)
}

// costMessage says a cost change with the numbers behind it.
func costMessage(r analyze.ThresholdResult, s *Service) string {
	verb := "passed"
	if r.Status == analyze.ThresholdFail {
		verb = "crossed"
	}
	return fmt.Sprintf("cost $%.4g is %+.1f %% against $%.4g, the median of %s: threshold %s %s %s %s",
		s.CostUSD, r.Value, s.Trend.BaselineCostUSD, english.Plural(int64(s.Trend.Runs), "earlier run", "earlier runs"), r.Key, r.Op, analyze.FormatValue(r.Limit), verb)
}
