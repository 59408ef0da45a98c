package analyze

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Threshold is a limit on one value of a report: "p95_ms > 1500 crit". A
// value that makes Key Op Limit true crosses it.
type Threshold struct {
	Key      string  `json:"key"`
	Op       string  `json:"op"` // ">", ">=", "<" or "<="
	Limit    float64 `json:"limit"`
	Severity string  `json:"severity"` // info, warn or crit
	// Fail is set on thresholds given inline with -fail-on: crossing one
	// fails the run whatever the -fail-on level.
	Fail bool `json:"fail,omitempty"`
	// Source says where the threshold was written: "FILE:LINE" or "-fail-on".
	Source string `json:"source,omitempty"`
}

// String writes the threshold as it is parsed: "p95_ms > 1500 crit".
func (t Threshold) String() string {
	return t.Key + " " + t.Op + " " + strconv.FormatFloat(t.Limit, 'g', -1, 64) + " " + t.Severity
}

// Threshold statuses.
const (
	ThresholdPass   = "pass"
	ThresholdFail   = "fail"
	ThresholdNoData = "no_data"
)

// ThresholdResult is a threshold checked against a value.
type ThresholdResult struct {
	Threshold
	// Service names the service of an audit; empty for a single report.
	Service string  `json:"service,omitempty"`
	Status  string  `json:"status"` // pass, fail or no_data
	Value   float64 `json:"value"`  // meaningless with no_data
	Message string  `json:"message"`
}

// ThresholdKey is a value thresholds can name.
type ThresholdKey struct {
	Name string
	Doc  string
}

// ThresholdKeys are the values a threshold can name, in the order the
// documentation lists them. cost_increase_pct exists only in an audit, which
// compares with earlier runs.
var ThresholdKeys = []ThresholdKey{
	{"requests", "requests in the window: the larger of the request log entries and the request_count metric"},
	{"cost_usd", "gross cost of the window, USD"},
	{"usd_per_1k_requests", "cost per 1,000 requests, USD"},
	{"cost_increase_pct", "audit only: cost against the median of the last 7 runs, in percent (+100 is double)"},
	{"idle_share", "share of billable instance time with no request in flight, 0..1"},
	{"cold_starts", "cold starts counted"},
	{"cold_start_share", "share of requests that waited on a cold start, 0..1"},
	{"cold_start_penalty_p95_ms", "95th percentile of the latency cold starts added, ms"},
	{"churn", "cold starts while traffic was steady"},
	{"error_rate", "server requests that failed (5xx or no response), 0..1; from the request_count metric without request logs"},
	{"client_failure_rate", "client requests that failed, 0..1"},
	{"p50_ms", "median latency, ms: the server's from the request logs, else the client's"},
	{"p95_ms", "95th percentile latency, ms: the server's from the request logs, else the client's"},
	{"p99_ms", "99th percentile latency, ms: the server's from the request logs, else the client's"},
	{"server_p95_ms", "server 95th percentile latency from the request logs, ms"},
	{"server_p99_ms", "server 99th percentile latency from the request logs, ms"},
	{"client_p95_ms", "client 95th percentile response time, ms"},
	{"client_p99_ms", "client 99th percentile response time, ms"},
	{"unexplained_difference", "requests that differ between client and server with no explanation"},
	{"cpu_p95", "CPU utilization p95, 0..1"},
	{"memory_p99", "memory utilization p99, 0..1 of the limit"},
	{"memory_limit_exceeded", "memory-limit-exceeded events"},
	{"crashes", "container crashes or exits"},
	{"max_active_instances", "most instances active at once"},
}

// IsThresholdKey reports whether name is one of ThresholdKeys.
func IsThresholdKey(name string) bool {
	return slices.ContainsFunc(ThresholdKeys, func(k ThresholdKey) bool { return k.Name == name })
}

func thresholdKeyNames() string {
	names := make([]string, len(ThresholdKeys))
	for i, k := range ThresholdKeys {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}

var thresholdSyntax = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|>|<)\s*([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)(?:\s+([A-Za-z]+))?$`)

// ParseThreshold reads one threshold, "KEY OP VALUE [SEVERITY]": a key of
// ThresholdKeys, one of > >= < <=, a number, and info, warn or crit
// (default warn). Spaces around the operator are optional: "p95_ms>1500".
func ParseThreshold(s string) (Threshold, error) {
	m := thresholdSyntax.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Threshold{}, fmt.Errorf("threshold %q: want KEY OP NUMBER [info|warn|crit], e.g. \"p95_ms > 1500 crit\"", s)
	}
	key := strings.ToLower(m[1])
	if !IsThresholdKey(key) {
		return Threshold{}, fmt.Errorf("threshold %q: unknown key %q; known keys: %s", s, m[1], thresholdKeyNames())
	}
	limit, err := strconv.ParseFloat(m[3], 64)
	if err != nil || math.IsInf(limit, 0) {
		return Threshold{}, fmt.Errorf("threshold %q: %q is not a finite number", s, m[3])
	}
	sev := strings.ToLower(m[4])
	switch sev {
	case "":
		sev = SeverityWarn
	case SeverityInfo, SeverityWarn, SeverityCrit:
	default:
		return Threshold{}, fmt.Errorf("threshold %q: severity %q is not info, warn or crit", s, m[4])
	}
	return Threshold{Key: key, Op: m[2], Limit: limit, Severity: sev}, nil
}

// ParseThresholds reads a threshold file: one threshold a line as
// ParseThreshold reads them; blank lines and text after # are ignored. name
// is used in errors and in each threshold's Source.
func ParseThresholds(name string, r io.Reader) ([]Threshold, error) {
	var out []Threshold
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(strings.TrimPrefix(line, "\uFEFF"))
		if line == "" {
			continue
		}
		t, err := ParseThreshold(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		t.Source = fmt.Sprintf("%s:%d", name, n)
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// crosses reports whether v crosses the threshold.
func (t Threshold) crosses(v float64) bool {
	switch t.Op {
	case ">":
		return v > t.Limit
	case ">=":
		return v >= t.Limit
	case "<":
		return v < t.Limit
	case "<=":
		return v <= t.Limit
	}
	return false
}

// Check compares the threshold with a value; known false means the value
// could not be measured (why says so), which is no_data, never a failure.
func (t Threshold) Check(v float64, known bool, why string) ThresholdResult {
	r := ThresholdResult{Threshold: t, Value: v}
	rule := t.Key + " " + t.Op + " " + FormatValue(t.Limit)
	switch {
	case !known:
		r.Status, r.Value = ThresholdNoData, 0
		r.Message = "threshold " + rule + ": no data"
		if why != "" {
			r.Message += " (" + why + ")"
		}
	case t.crosses(v):
		r.Status = ThresholdFail
		r.Message = fmt.Sprintf("%s is %s, crossing the threshold %s", t.Key, FormatValue(v), rule)
	default:
		r.Status = ThresholdPass
		r.Message = fmt.Sprintf("%s is %s: threshold %s passed", t.Key, FormatValue(v), rule)
	}
	return r
}

// FormatValue writes a threshold value compactly: 1309, 1500.5, 2.5, 0.0123.
func FormatValue(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	case a >= 1:
		return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// Values are the measured values of a report, by threshold key; a key that
// is absent could not be measured, and Why says why where known.
type Values struct {
	V   map[string]float64
	Why map[string]string
}

// Get returns a value, whether it is known, and why not.
func (vs Values) Get(key string) (float64, bool, string) {
	v, ok := vs.V[key]
	return v, ok, vs.Why[key]
}

// Set records a value.
func (vs Values) Set(key string, v float64) { vs.V[key] = v; delete(vs.Why, key) }

// Unset forgets a value, saying why it cannot be measured.
func (vs Values) Unset(key, why string) { delete(vs.V, key); vs.Why[key] = why }

// ReportValues measures every threshold key a single report can answer.
func ReportValues(rpt *Report) Values {
	vs := Values{V: map[string]float64{}, Why: map[string]string{}}
	c, srv := rpt.Cost, rpt.Server.Total
	vs.Set("requests", float64(max(c.Requests, srv.Requests)))
	vs.Set("cost_usd", c.TotalUSD)
	vs.Set("usd_per_1k_requests", c.USDPer1kRequests)
	vs.Unset("cost_increase_pct", "only an audit compares with earlier runs")
	vs.Set("memory_limit_exceeded", float64(rpt.Resources.MemoryLimitExceededEvents))
	vs.Set("crashes", float64(rpt.Resources.CrashEvents))
	vs.Set("max_active_instances", float64(rpt.Instances.MaxActive))
	logValues(vs, rpt)
	clientValues(vs, rpt)
	latencyValues(vs, rpt)
	resourceValues(vs, rpt.Resources)
	errorRate(vs, rpt)
	return vs
}

// logValues are the values only request logs give.
func logValues(vs Values, rpt *Report) {
	const why = "no request logs"
	keys := []string{"idle_share", "cold_start_share", "cold_start_penalty_p95_ms", "churn", "server_p95_ms", "server_p99_ms", "cold_starts"}
	if rpt.Server.Total.Requests == 0 {
		for _, k := range keys {
			vs.Unset(k, why)
		}
		return
	}
	cs, srv := rpt.ColdStarts, rpt.Server.Total
	if rpt.Cost.BillableInstanceSeconds > 0 {
		vs.Set("idle_share", rpt.Cost.IdleShare)
	} else {
		vs.Unset("idle_share", "no billable instance time")
	}
	vs.Set("cold_start_share", cs.ShareOfRequests)
	vs.Set("cold_start_penalty_p95_ms", cs.PenaltyP95MS)
	vs.Set("churn", float64(cs.Churn))
	vs.Set("cold_starts", float64(cs.Count))
	vs.Set("server_p95_ms", srv.P95MS)
	vs.Set("server_p99_ms", srv.P99MS)
}

func clientValues(vs Values, rpt *Report) {
	c := rpt.Client
	if c == nil || c.Total.Requests == 0 {
		for _, k := range []string{"client_failure_rate", "client_p95_ms", "client_p99_ms", "unexplained_difference"} {
			vs.Unset(k, "no load-test results")
		}
		return
	}
	vs.Set("client_failure_rate", float64(c.Total.Failures)/float64(c.Total.Requests))
	vs.Set("client_p95_ms", c.Total.P95MS)
	vs.Set("client_p99_ms", c.Total.P99MS)
	unexplained := 0.0
	for _, f := range rpt.Findings {
		if f.ID == "unexplained_difference" {
			unexplained = f.Value
		}
	}
	if rpt.Server.Total.Requests > 0 {
		vs.Set("unexplained_difference", unexplained)
	} else {
		vs.Unset("unexplained_difference", "no request logs to reconcile against")
	}
}

// latencyValues are p50/p95/p99: the server's where it logged requests,
// else the client's.
func latencyValues(vs Values, rpt *Report) {
	var p50, p95, p99 float64
	switch {
	case rpt.Server.Total.Requests > 0:
		t := rpt.Server.Total
		p50, p95, p99 = t.P50MS, t.P95MS, t.P99MS
	case rpt.Client != nil && rpt.Client.Total.Requests > 0:
		t := rpt.Client.Total
		p50, p95, p99 = t.P50MS, t.P95MS, t.P99MS
	default:
		for _, k := range []string{"p50_ms", "p95_ms", "p99_ms"} {
			vs.Unset(k, "no request logs and no load-test results")
		}
		return
	}
	vs.Set("p50_ms", p50)
	vs.Set("p95_ms", p95)
	vs.Set("p99_ms", p99)
}

func resourceValues(vs Values, r Resources) {
	if r.HasCPU {
		vs.Set("cpu_p95", r.CPUP95)
	} else {
		vs.Unset("cpu_p95", "no CPU utilization metric")
	}
	if r.HasMemory {
		vs.Set("memory_p99", r.MemoryP99)
	} else {
		vs.Unset("memory_p99", "no memory utilization metric")
	}
}

// errorRate is from the request logs, else from request_count by status class.
func errorRate(vs Values, rpt *Report) {
	if t := rpt.Server.Total; t.Requests > 0 {
		vs.Set("error_rate", float64(t.Requests-t.Status2xx-t.Status3xx-t.Status4xx)/float64(t.Requests))
		return
	}
	var bad, all float64
	for _, p := range rpt.Series.StatusClasses {
		bad += p.C5xx
		all += p.C2xx + p.C3xx + p.C4xx + p.C5xx
	}
	if all > 0 {
		vs.Set("error_rate", bad/all)
		return
	}
	vs.Unset("error_rate", "no request logs and no request_count metric")
}

// CheckThresholds checks every threshold against the values.
func CheckThresholds(ts []Threshold, vs Values) []ThresholdResult {
	out := make([]ThresholdResult, 0, len(ts))
	for _, t := range ts {
		v, ok, why := vs.Get(t.Key)
		out = append(out, t.Check(v, ok, why))
	}
	return out
}

// ApplyThresholds checks the thresholds against the report, records the
// results in rpt.Thresholds, and lists every one in the findings: crossed
// ones with their severity, passed ones and those with no data as info.
func ApplyThresholds(rpt *Report, ts []Threshold) {
	if len(ts) == 0 {
		return
	}
	rpt.Thresholds = CheckThresholds(ts, ReportValues(rpt))
	rpt.Findings = append(rpt.Findings, ThresholdFindings(rpt.Thresholds)...)
	SortFindings(rpt.Findings)
}

// ThresholdFindings turns results into findings, "threshold_KEY".
func ThresholdFindings(rs []ThresholdResult) []Finding {
	out := make([]Finding, 0, len(rs))
	for _, r := range rs {
		f := Finding{ID: "threshold_" + r.Key, Severity: SeverityInfo, Message: r.Message, Value: r.Value}
		if r.Status == ThresholdFail {
			f.Severity = r.Severity
		}
		if r.Service != "" {
			f.Message = r.Service + ": " + f.Message
		}
		out = append(out, f)
	}
	return out
}

// SortFindings orders findings most severe first, keeping the order within
// a severity.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int { return cmp.Compare(SeverityRank(a.Severity), SeverityRank(b.Severity)) })
}

// SeverityRank orders severities: crit 0, warn 1, info 2, anything else 3.
func SeverityRank(s string) int {
	switch s {
	case SeverityCrit:
		return 0
	case SeverityWarn:
		return 1
	case SeverityInfo:
		return 2
	}
	return 3
}

// Crossed returns the failed results that fail a run at level: those given
// with -fail-on (Fail), and, when level is warn or crit, those whose severity
// is at least level. An empty level keeps only the Fail ones.
func Crossed(rs []ThresholdResult, level string) []ThresholdResult {
	var out []ThresholdResult
	for _, r := range rs {
		if r.Status != ThresholdFail {
			continue
		}
		if r.Fail || (level != "" && SeverityRank(r.Severity) <= SeverityRank(level)) {
			out = append(out, r)
		}
	}
	return out
}
