package collect

import (
	"strings"

	"github.com/runlens/runlens/collect/internal/logscan"
	"github.com/runlens/runlens/model"
)

// The hot path of reading a request log: a line that is a Cloud Run
// request entry is scanned into a logscan.Entry, which has only what a
// Request takes, as structs (no maps, no per-entry allocation: its strings
// point into the line). Any other line, and any line the scanner cannot
// take, is decoded again the general way, so that what it gives and every
// warning stay as they were.

// fastRequest reads the line when it is a plain Cloud Run request entry
// and reports whether it did. form tells what the text is known to be.
func (lr *logReader) fastRequest(line int, t []byte, form logscan.Form) bool {
	e := &lr.fast
	if !logscan.Scan(t, e, lr.aids, form) ||
		bool(e.JSONPayload) || bool(e.ProtoPayload) || !isCloudRunRevision(e.Resource.Type) || !lr.requestLog(e.LogName) || e.Timestamp == "" {
		return false
	}
	h := &e.HTTPRequest
	if h.RequestMethod == "" && h.RequestURL == "" && h.Status == 0 {
		return false // httpRequest null or absent, maybe: the general way tells
	}
	reqSize, ok1 := logscan.Int(h.RequestSize)
	respSize, ok2 := logscan.Int(h.ResponseSize)
	if !ok1 || !ok2 {
		return false
	}
	tm, err := lr.minutes.parse(e.Timestamp)
	if err != nil || tm.Before(minTime) || !tm.Before(maxTime) || checkHTTP(h.Status, reqSize, respSize) != nil {
		return false // the general way warns
	}
	req := &lr.req // reused: a Request handed to a shard would escape
	*req = model.Request{Time: tm, Method: h.RequestMethod, URL: h.RequestURL, Path: lr.paths.path(h.RequestURL), Status: h.Status,
		RequestSize: reqSize, ResponseSize: respSize, UserAgent: h.UserAgent, RemoteIP: h.RemoteIP, Protocol: h.Protocol,
		InstanceID: e.Labels.InstanceID, Revision: e.Resource.Labels.RevisionName,
		Service:  firstNonEmpty(e.Resource.Labels.ServiceName, e.Labels.Service),
		Location: e.Resource.Labels.Location, Trace: e.Trace, InsertID: e.InsertID, Severity: e.Severity,
		ColdStart: strings.Contains(e.TextPayload, ColdStartMarker)}
	if h.Latency != "" {
		d, err := ParseDuration(h.Latency)
		if err != nil || d < 0 {
			return false
		}
		req.Latency = d
	}
	lr.values++
	lr.n++
	lr.emit(req)
	return true
}

// isCloudRunRevision is t == "cloud_run_revision", compared a word at a
// time in place of a call to compare memory: it is asked of every line.
func isCloudRunRevision(t string) bool {
	return len(t) == len("cloud_run_revision") && t[:8] == "cloud_ru" && t[8:16] == "n_revisi" && t[16:] == "on"
}

// requestLog reports whether logName is Cloud Run's request log. Every
// line of a log names the same one: the last that was is remembered.
func (lr *logReader) requestLog(logName string) bool {
	if logName == lr.reqLog && logName != "" {
		return true
	}
	if !logIs(logName, "run.googleapis.com/requests") {
		return false
	}
	lr.reqLog = strings.Clone(logName)
	return true
}
