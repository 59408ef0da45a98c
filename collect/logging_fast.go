package collect

import (
	"strings"

	gojson "github.com/goccy/go-json"
	"github.com/runlens/runlens/model"
)

// The hot path of reading a request log: a line that is a Cloud Run
// request entry is decoded into fastEntry, which has only what a Request
// takes, as structs (no maps, no per-entry allocation: its strings point
// into the line). Any other line, and any line fastEntry cannot take, is
// decoded again the general way, so that what it gives and every warning
// stay as they were.

// fastEntry is the part of a LogEntry a request takes. The scanner fills
// it only where its label keys are as Cloud Logging writes them: as struct
// fields a decoder would match them in any case, where LogEntry's maps
// take them as they are. A line the scanner refuses is decoded the general
// way.
type fastEntry struct {
	LogName   string `json:"logName"`
	Timestamp string `json:"timestamp"`
	Severity  string `json:"severity"`
	InsertID  string `json:"insertId"`
	Trace     string `json:"trace"`
	Resource  struct {
		Type   string `json:"type"`
		Labels struct {
			RevisionName string `json:"revision_name"`
			ServiceName  string `json:"service_name"`
			Location     string `json:"location"`
		} `json:"labels"`
	} `json:"resource"`
	HTTPRequest struct {
		RequestMethod string        `json:"requestMethod"`
		RequestURL    string        `json:"requestUrl"`
		RequestSize   gojson.Number `json:"requestSize"`
		Status        int           `json:"status"`
		ResponseSize  gojson.Number `json:"responseSize"`
		UserAgent     string        `json:"userAgent"`
		RemoteIP      string        `json:"remoteIp"`
		Latency       string        `json:"latency"`
		Protocol      string        `json:"protocol"`
	} `json:"httpRequest"`
	Labels struct {
		InstanceID string `json:"instanceId"`
		Service    string `json:"service"`
	} `json:"labels"`
	TextPayload string `json:"textPayload"`
	// A payload sends the line the general way.
	JSONPayload  present `json:"jsonPayload"`
	ProtoPayload present `json:"protoPayload"`
}

// present records that a field was there, whatever its value.
type present bool

// UnmarshalJSON implements json.Unmarshaler.
func (p *present) UnmarshalJSON([]byte) error {
	*p = true
	return nil
}

// fastRequest reads the line when it is a plain Cloud Run request entry
// and reports whether it did. form tells what the text is known to be.
func (lr *logReader) fastRequest(line int, t []byte, form lineForm) bool {
	e := &lr.fast
	if !scanForm(t, e, lr.aids, form) ||
		bool(e.JSONPayload) || bool(e.ProtoPayload) || e.Resource.Type != "cloud_run_revision" || !lr.requestLog(e.LogName) || e.Timestamp == "" {
		return false
	}
	h := &e.HTTPRequest
	if h.RequestMethod == "" && h.RequestURL == "" && h.Status == 0 {
		return false // httpRequest null or absent, maybe: the general way tells
	}
	reqSize, ok1 := fastInt(h.RequestSize)
	respSize, ok2 := fastInt(h.ResponseSize)
	if !ok1 || !ok2 {
		return false
	}
	tm, err := lr.minutes.parse(e.Timestamp)
	if err != nil || tm.Before(minTime) || !tm.Before(maxTime) || checkHTTP(h.Status, reqSize, respSize) != nil {
		return false // the general way warns
	}
	req := &lr.req // reused: a Request handed to a shard would escape
	*req = model.Request{Time: tm, Method: h.RequestMethod, URL: h.RequestURL, Path: lr.aids.paths.path(h.RequestURL), Status: h.Status,
		RequestSize: reqSize, ResponseSize: respSize, UserAgent: h.UserAgent, RemoteIP: h.RemoteIP, Protocol: h.Protocol,
		InstanceID: e.Labels.InstanceID, Revision: e.Resource.Labels.RevisionName,
		Service:  firstNonEmpty(e.Resource.Labels.ServiceName, e.Labels.Service),
		Location: e.Resource.Labels.Location, Trace: e.Trace, InsertID: e.InsertID, Severity: e.Severity,
		ColdStart: strings.Contains(e.TextPayload, coldStartMarker)}
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

// lineForm is what is known of a text before it is scanned.
type lineForm uint8

const (
	formOther   lineForm = iota // anything: the scanner finds out
	formPlain                   // one line, plain (see plain)
	formElement                 // an element of an array, maybe over many lines
)

// scanForm scans t, which has the given form, into e.
func scanForm(t []byte, e *fastEntry, a *scanAids, form lineForm) bool {
	switch form {
	case formPlain:
		return scanLine(t, e, a, true)
	case formElement:
		return scanElement(t, e, a)
	}
	return scanLine(t, e, a, false)
}

// fastInt parses a proto int64 given as a number or a decimal string.
func fastInt(n gojson.Number) (int64, bool) {
	s := string(n)
	if s == "" {
		return 0, true
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
