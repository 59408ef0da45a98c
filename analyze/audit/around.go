package audit

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/model"
)

// Sources of the costs around a service.
const (
	SourceLogBytesMetric  = "metric:" + model.MetricLogBytes
	SourceSentBytesMetric = "metric:" + model.MetricSentBytes
	// SourceEntriesRead: the bytes of the request and system log entries
	// the audit read, where byte_count returned nothing.
	SourceEntriesRead = "log_entries_read"
)

// AroundShare is the share of a service's own cost above which its Cloud
// Logging ingestion or its internet egress is a finding.
const AroundShare = 0.25

// MaxLogs is how many logs a service's row lists by name, largest first;
// the rest are summed under OtherLogs.
const MaxLogs = 20

// OtherLogs names the logs past the MaxLogs largest.
const OtherLogs = "(other logs)"

// gib is a binary gigabyte: Google prices logs and egress per GiB.
const gib = 1 << 30

// Around is what a service costs around itself: the Cloud Logging
// ingestion of its logs and its network egress, each with its source and
// the rates used. Nil when the audit read neither metric, or both returned
// nothing.
type Around struct {
	Logging *LoggingCost `json:"logging"`
	Egress  *EgressCost  `json:"egress"`
	// CostUSD is the logging and egress cost of the window.
	CostUSD float64 `json:"cost_usd"`
	// ShareOfService is CostUSD over the service's own cost; null when
	// the service cost nothing.
	ShareOfService *float64             `json:"share_of_service"`
	Prices         analyze.AroundPrices `json:"prices"`
}

// LoggingCost is the Cloud Logging ingestion of a service's logs over the
// window. Bytes come from Cloud Logging's byte_count metric on the
// service's revisions (Source): the bytes of the entries stored in a log
// bucket, by log. The cost is of the bytes beyond the project's free
// allotment prorated to the window, which the audit shares between the
// audited services by their bytes (Audit.Around).
type LoggingCost struct {
	Source string `json:"source"`
	Bytes  int64  `json:"bytes"`
	// Logs holds the bytes of each log, largest first (at most MaxLogs,
	// then OtherLogs).
	Logs []LogBytes `json:"logs"`
	// BillableBytes is the service's share of the bytes beyond the free
	// allotment.
	BillableBytes float64 `json:"billable_bytes"`
	CostUSD       float64 `json:"cost_usd"`
	// MonthlyCostUSD is CostUSD at the window's rate for a month
	// (analyze.HoursPerMonth), the free allotment applied to the month.
	MonthlyCostUSD float64 `json:"monthly_cost_usd"`
	Note           string  `json:"note,omitempty"`
	// APICalls counts the calls that read Source, by method, when the
	// collection recorded them (the snapshot manifest's source_calls); the
	// entries read cost no call beyond the report's own.
	APICalls map[string]int `json:"api_calls,omitempty"`
}

// LogBytes is one log's ingestion.
type LogBytes struct {
	Log     string  `json:"log"`
	Bytes   int64   `json:"bytes"`
	CostUSD float64 `json:"cost_usd"`
}

// EgressCost is the bytes a service's containers sent over the window, by
// destination kind, from Cloud Run's sent_bytes_count metric (Source).
// Only kind "internet" is priced: traffic to Google Cloud in the same
// region is free, and other kinds are not priced by runlens (Note).
type EgressCost struct {
	Source        string      `json:"source"`
	Bytes         int64       `json:"bytes"`
	InternetBytes int64       `json:"internet_bytes"`
	Kinds         []KindBytes `json:"kinds"`
	CostUSD       float64     `json:"cost_usd"`
	Note          string      `json:"note,omitempty"`
	// APICalls counts the calls that read Source, by method, as
	// LoggingCost.APICalls does.
	APICalls map[string]int `json:"api_calls,omitempty"`
}

// KindBytes is the bytes sent to one kind of destination.
type KindBytes struct {
	Kind    string  `json:"kind"`
	Bytes   int64   `json:"bytes"`
	CostUSD float64 `json:"cost_usd"`
}

// AroundTotals are the project's costs around its audited services: the
// Cloud Logging free allotment is per project, so the bytes beyond it are
// counted here and shared between the services.
type AroundTotals struct {
	LoggingBytes int64 `json:"logging_bytes"`
	// FreeLoggingBytes is the project's free allotment prorated to the
	// window.
	FreeLoggingBytes     float64 `json:"free_logging_bytes"`
	BillableLoggingBytes float64 `json:"billable_logging_bytes"`
	LoggingCostUSD       float64 `json:"logging_cost_usd"`
	EgressBytes          int64   `json:"egress_bytes"`
	EgressCostUSD        float64 `json:"egress_cost_usd"`
	// Logs are the chattiest logs of the project, largest first, named
	// "SERVICE: LOG" (at most MaxLogs).
	Logs   []LogBytes           `json:"logs"`
	Note   string               `json:"note"`
	Prices analyze.AroundPrices `json:"prices"`
}

// NewAround reads a service's logging bytes and egress from its dataset's
// metrics; nil when it holds neither. The logging cost is set by Build,
// which knows the project's other services.
func NewAround(ds *model.Dataset) *Around {
	if ds == nil {
		return nil
	}
	logs, sent := sumBy(ds, model.MetricLogBytes, "log"), sumBy(ds, model.MetricSentBytes, "kind")
	if logs == nil && sent == nil {
		return nil
	}
	p := analyze.Around()
	a := &Around{Prices: p}
	if logs != nil {
		a.Logging = &LoggingCost{Source: SourceLogBytesMetric, Logs: []LogBytes{}, APICalls: sourceCalls(ds, model.MetricLogBytes)}
		for _, k := range sortedKeys(logs) {
			a.Logging.Bytes += logs[k]
			a.Logging.Logs = append(a.Logging.Logs, LogBytes{Log: k, Bytes: logs[k]})
		}
		a.Logging.Logs = boundLogs(a.Logging.Logs)
	}
	if sent != nil {
		e := &EgressCost{Source: SourceSentBytesMetric, Kinds: []KindBytes{}, APICalls: sourceCalls(ds, model.MetricSentBytes)}
		for _, k := range sortedKeys(sent) {
			kb := KindBytes{Kind: k, Bytes: sent[k]}
			if k == "internet" {
				kb.CostUSD = float64(kb.Bytes) / gib * p.USDPerInternetEgressGiB
				e.InternetBytes += kb.Bytes
			}
			e.Bytes += kb.Bytes
			e.CostUSD += kb.CostUSD
			e.Kinds = append(e.Kinds, kb)
		}
		if e.InternetBytes < e.Bytes {
			e.Note = "only kind internet is priced: traffic to Google Cloud in the same region is free, and VPC or cross-region traffic is not priced here"
		}
		a.Egress = e
	}
	return a
}

// sourceCalls is what reading a metric cost, from the snapshot's
// manifest; nil when the collection did not record it.
func sourceCalls(ds *model.Dataset, metric string) map[string]int {
	return ds.Manifest.SourceCalls[model.MetricFile(metric)]
}

// LoggingFromEntries gives a service whose byte_count metric returned
// nothing its logging bytes from the log entries read (their JSON, as the
// API returned them), by log; nothing when none was read. The service's
// own logs (stdout, stderr) are not read, and a log read in part gives a
// part: the Note says so.
func (s *Service) LoggingFromEntries(byLog map[string]int64) {
	if s.Around != nil && s.Around.Logging != nil {
		return
	}
	l := &LoggingCost{Source: SourceEntriesRead, Logs: []LogBytes{}}
	for _, k := range sortedKeys(byLog) {
		if byLog[k] > 0 {
			l.Bytes += byLog[k]
			l.Logs = append(l.Logs, LogBytes{Log: k, Bytes: byLog[k]})
		}
	}
	if l.Bytes == 0 {
		return
	}
	l.Note = "byte_count returned nothing: these are the bytes of the request and system log entries read, not of the service's own logs (stdout, stderr), which are not read"
	if !s.Logs.Complete() {
		l.Note += "; the request log was not read whole, so they are a part of it"
	}
	if s.Around == nil {
		s.Around = &Around{Prices: analyze.Around()}
	}
	s.Around.Logging = l
}

// sumBy sums a DELTA metric's points over the dataset by a metric label;
// nil when the dataset has no series of it.
func sumBy(ds *model.Dataset, metric, label string) map[string]int64 {
	var out map[string]int64
	for _, s := range ds.Metrics {
		if s.Metric != metric {
			continue
		}
		if out == nil {
			out = map[string]int64{}
		}
		k := s.MetricLabels[label]
		if k == "" {
			k = "(none)"
		}
		for _, p := range s.Points {
			out[k] += p.Int + int64(math.Round(p.Double))
		}
	}
	return out
}

// sortedKeys orders a sum's keys by value, largest first, then by name.
func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), strings.Compare(a, b)) })
	return keys
}

// boundLogs keeps the MaxLogs largest logs and sums the rest.
func boundLogs(ls []LogBytes) []LogBytes {
	if len(ls) <= MaxLogs {
		return ls
	}
	other := LogBytes{Log: OtherLogs}
	for _, l := range ls[MaxLogs:] {
		other.Bytes += l.Bytes
	}
	return append(ls[:MaxLogs:MaxLogs], other)
}

// aroundTotals shares the project's free Cloud Logging allotment, prorated
// to the window, between the services by their bytes, prices each
// service's bytes beyond it, and adds the findings of services whose
// logging or egress costs more than AroundShare of their own cost. Nil
// when no service has an Around.
func aroundTotals(a *Audit) *AroundTotals {
	p := analyze.Around()
	t := &AroundTotals{Logs: []LogBytes{}, Prices: p}
	found := false
	for _, s := range a.Services {
		if s.Around == nil {
			continue
		}
		found = true
		if l := s.Around.Logging; l != nil {
			t.LoggingBytes += l.Bytes
		}
		if e := s.Around.Egress; e != nil {
			t.EgressBytes += e.Bytes
			t.EgressCostUSD += e.CostUSD
		}
	}
	if !found {
		return nil
	}
	hours := a.Window.End.Sub(a.Window.Start).Hours()
	t.FreeLoggingBytes = p.FreeLoggingGiBPerMonth * gib * hours / analyze.HoursPerMonth
	t.BillableLoggingBytes = max(0, float64(t.LoggingBytes)-t.FreeLoggingBytes)
	t.LoggingCostUSD = t.BillableLoggingBytes / gib * p.USDPerLoggingGiB
	var monthly float64 // the project's logging cost at the window's rate for a month
	if hours > 0 {
		perMonth := float64(t.LoggingBytes) * analyze.HoursPerMonth / hours
		monthly = max(0, perMonth-p.FreeLoggingGiBPerMonth*gib) / gib * p.USDPerLoggingGiB
	}
	for i := range a.Services {
		s := &a.Services[i]
		if s.Around == nil {
			continue
		}
		if l := s.Around.Logging; l != nil && t.LoggingBytes > 0 {
			share := float64(l.Bytes) / float64(t.LoggingBytes)
			l.BillableBytes = share * t.BillableLoggingBytes
			l.CostUSD = share * t.LoggingCostUSD
			l.MonthlyCostUSD = share * monthly
			for j := range l.Logs {
				l.Logs[j].CostUSD = float64(l.Logs[j].Bytes) / float64(t.LoggingBytes) * t.LoggingCostUSD
				t.Logs = append(t.Logs, LogBytes{Log: s.Name + ": " + l.Logs[j].Log, Bytes: l.Logs[j].Bytes, CostUSD: l.Logs[j].CostUSD})
			}
			free := fmt.Sprintf("the project's free %g GiB a month, prorated to the window (%.3g GiB), is shared between the audited services by their bytes",
				p.FreeLoggingGiBPerMonth, t.FreeLoggingBytes/gib)
			l.Note = strings.TrimPrefix(l.Note+"; "+free, "; ")
		}
		s.Around.CostUSD = s.Around.loggingUSD() + s.Around.egressUSD()
		if s.CostUSD > 0 {
			s.Around.ShareOfService = ptr(s.Around.CostUSD / s.CostUSD)
		}
		s.Findings = append(s.Findings, aroundFindings(s)...)
		analyze.SortFindings(s.Findings)
	}
	slices.SortStableFunc(t.Logs, func(x, y LogBytes) int { return cmp.Or(cmp.Compare(y.Bytes, x.Bytes), strings.Compare(x.Log, y.Log)) })
	if len(t.Logs) > MaxLogs {
		t.Logs = t.Logs[:MaxLogs]
	}
	t.Note = fmt.Sprintf("Cloud Logging's free allotment (%g GiB a month) is per project and shared with the project's logs of other resources, "+
		"which the audit does not read: where they exist, the logging cost is higher. Egress is priced for kind internet only, gross of the North America free tier.",
		p.FreeLoggingGiBPerMonth)
	return t
}

func (a *Around) loggingUSD() float64 {
	if a.Logging == nil {
		return 0
	}
	return a.Logging.CostUSD
}

func (a *Around) egressUSD() float64 {
	if a.Egress == nil {
		return 0
	}
	return a.Egress.CostUSD
}

// aroundFindings are a service's findings about the costs around it.
func aroundFindings(s *Service) []analyze.Finding {
	var out []analyze.Finding
	if s.CostUSD <= 0 {
		return out
	}
	if l := s.Around.Logging; l != nil && l.CostUSD > AroundShare*s.CostUSD {
		top := ""
		if len(l.Logs) > 0 {
			top = fmt.Sprintf("; the chattiest log, %s, wrote %s", clip(l.Logs[0].Log, 120), formatBytes(l.Logs[0].Bytes))
		}
		out = append(out, analyze.Finding{ID: "logging_ingestion_cost", Severity: analyze.SeverityWarn, Value: l.CostUSD,
			Message: fmt.Sprintf("Cloud Logging ingestion costs $%.4g, %.0f %% of the service's own $%.4g (over %.0f %%): %s ingested, %s beyond the free allotment (about $%.4g a month)%s",
				l.CostUSD, 100*l.CostUSD/s.CostUSD, s.CostUSD, 100*AroundShare, formatBytes(l.Bytes), formatBytes(int64(l.BillableBytes)), l.MonthlyCostUSD, top)})
	}
	if e := s.Around.Egress; e != nil && e.CostUSD > AroundShare*s.CostUSD {
		out = append(out, analyze.Finding{ID: "egress_cost", Severity: analyze.SeverityWarn, Value: e.CostUSD,
			Message: fmt.Sprintf("internet egress costs $%.4g, %.0f %% of the service's own $%.4g (over %.0f %%): %s sent to the internet at $%.2f per GiB",
				e.CostUSD, 100*e.CostUSD/s.CostUSD, s.CostUSD, 100*AroundShare, formatBytes(e.InternetBytes), s.Around.Prices.USDPerInternetEgressGiB)})
	}
	return out
}

// formatBytes says a byte count in binary units.
func formatBytes(n int64) string {
	f := float64(n)
	for _, u := range []string{"B", "KiB", "MiB", "GiB"} {
		if f < 1024 || u == "GiB" {
			if u == "B" {
				return fmt.Sprintf("%d B", n)
			}
			return fmt.Sprintf("%.3g %s", f, u)
		}
		f /= 1024
	}
	return ""
}

// clip bounds a log name, which the service's code chooses, to n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
