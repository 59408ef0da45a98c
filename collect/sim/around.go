package sim

import (
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/model"
)

// Around is what a service logs and sends besides its responses' bodies:
// the model writes Cloud Logging's byte_count (by log and severity) and Cloud
// Run's sent_bytes_count (by kind) from it, per minute, as Monitoring reports
// them. It draws nothing at random.
type Around struct {
	// RequestEntryBytes is the size of one request log entry
	// ("run.googleapis.com/requests"), counted in the minute the response
	// ends; SystemEntryBytes of one system log entry
	// ("run.googleapis.com/varlog/system"), two per instance start (the
	// start and its probe), counted in the minute the instance starts.
	RequestEntryBytes, SystemEntryBytes int64
	// AppLogs are the service's own logs, each with the bytes a request
	// writes to it.
	AppLogs []AppLog
	// InternetBytesPerRequest is what a request sends to the internet
	// besides its response (e.g. to a webhook); the responses go to the
	// internet too. GoogleBytesPerRequest is what it sends to Google
	// services (kind "google").
	InternetBytesPerRequest, GoogleBytesPerRequest int64
}

// AppLog is one log the service writes, e.g. "run.googleapis.com/stdout".
type AppLog struct {
	Log, Severity   string
	BytesPerRequest int64
}

// Log names of Cloud Run's own logs, as the byte_count metric's "log" label
// gives them.
const (
	RequestsLog = "run.googleapis.com/requests"
	SystemLog   = "run.googleapis.com/varlog/system"
)

// LogBytes returns the bytes the model writes to each log over the run:
// what byte_count sums to.
func (r *Run) LogBytes(a Around) map[string]int64 {
	out := map[string]int64{}
	n := int64(len(r.Requests))
	out[RequestsLog] += n * a.RequestEntryBytes
	out[SystemLog] += 2 * int64(len(r.Instances)) * a.SystemEntryBytes
	for _, l := range a.AppLogs {
		out[l.Log] += n * l.BytesPerRequest
	}
	return out
}

// SentBytes returns the bytes the model sends by kind over the run: what
// sent_bytes_count sums to.
func (r *Run) SentBytes(a Around) map[string]int64 {
	out := map[string]int64{}
	for _, q := range r.Requests {
		out["internet"] += q.ResponseSize + a.InternetBytesPerRequest
		out["google"] += a.GoogleBytesPerRequest
	}
	return out
}

// aroundMetrics are the byte_count and sent_bytes_count responses.
func (r *Run) aroundMetrics(a Around) []MetricResponse {
	type key struct{ log, severity string }
	var logKeys []key
	perLog := map[key][]int64{}
	add := func(k key, minute int, v int64) {
		if minute < 0 || v == 0 {
			return
		}
		if perLog[k] == nil {
			perLog[k] = make([]int64, len(r.idx.minutes))
			logKeys = append(logKeys, k)
		}
		perLog[k][minute] += v
	}
	sent := map[string][]int64{"internet": make([]int64, len(r.idx.minutes)), "google": make([]int64, len(r.idx.minutes))}
	for _, q := range r.Requests {
		k := r.idx.minuteOf(q.End())
		add(key{RequestsLog, requestSeverity(q.Status)}, k, a.RequestEntryBytes)
		for _, l := range a.AppLogs {
			add(key{l.Log, l.Severity}, k, l.BytesPerRequest)
		}
		if k >= 0 {
			sent["internet"][k] += q.ResponseSize + a.InternetBytesPerRequest
			sent["google"][k] += a.GoogleBytesPerRequest
		}
	}
	for _, in := range r.Instances {
		add(key{SystemLog, "INFO"}, r.idx.minuteOf(in.Start), 2*a.SystemEntryBytes)
	}
	var logs []collect.TimeSeries
	for _, k := range logKeys {
		s := r.series(model.MetricLogBytes, map[string]string{"log": k.log, "severity": k.severity})
		s.Points = r.minutePoints(perLog[k])
		logs = append(logs, s)
	}
	var kinds []collect.TimeSeries
	for _, kind := range []string{"google", "internet"} {
		if pts := r.minutePoints(sent[kind]); len(pts) > 0 {
			s := r.series(model.MetricSentBytes, map[string]string{"kind": kind})
			s.Points = pts
			kinds = append(kinds, s)
		}
	}
	return []MetricResponse{
		{model.MetricLogBytes, collect.ListTimeSeriesResponse{TimeSeries: logs, Unit: "By"}},
		{model.MetricSentBytes, collect.ListTimeSeriesResponse{TimeSeries: kinds, Unit: "By"}},
	}
}

// requestSeverity is the severity Cloud Run gives a request entry.
func requestSeverity(status int) string {
	switch {
	case status >= 500:
		return "ERROR"
	case status >= 400:
		return "WARNING"
	}
	return "INFO"
}

// minutePoints are the non-zero values as DELTA points, oldest first.
func (r *Run) minutePoints(vs []int64) []collect.WirePoint {
	var out []collect.WirePoint
	for k, m := range r.idx.minutes {
		if vs[k] > 0 {
			v := collect.Int64(vs[k])
			out = append(out, deltaPoint(m, collect.TypedValue{Int64Value: &v}))
		}
	}
	return out
}
