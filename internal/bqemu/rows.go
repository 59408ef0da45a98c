package bqemu

import (
	"encoding/json"
	"fmt"

	"cloud.google.com/go/bigquery"

	"github.com/runlens/runlens/collect"
)

// The rows of each layout, as NDJSON load lines. Absent fields are left
// out, so that they are NULL as in the tables Cloud Logging writes.

// linkedRow is a row of a linked dataset's _AllLogs.
type linkedRow struct {
	Timestamp        string            `json:"timestamp,omitempty"`
	ReceiveTimestamp string            `json:"receive_timestamp,omitempty"`
	LogName          string            `json:"log_name,omitempty"`
	LogID            string            `json:"log_id,omitempty"`
	Resource         *linkedResource   `json:"resource,omitempty"`
	Labels           map[string]string `json:"labels,omitempty"`
	Severity         string            `json:"severity,omitempty"`
	InsertID         string            `json:"insert_id,omitempty"`
	Trace            string            `json:"trace,omitempty"`
	SpanID           string            `json:"span_id,omitempty"`
	TextPayload      string            `json:"text_payload,omitempty"`
	JSONPayload      json.RawMessage   `json:"json_payload,omitempty"`
	HTTPRequest      *linkedHTTP       `json:"http_request,omitempty"`
}

type linkedResource struct {
	Type   string            `json:"type,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

type linkedHTTP struct {
	RequestMethod string `json:"request_method,omitempty"`
	RequestURL    string `json:"request_url,omitempty"`
	RequestSize   int64  `json:"request_size,omitempty"`
	Status        int    `json:"status,omitempty"`
	ResponseSize  int64  `json:"response_size,omitempty"`
	UserAgent     string `json:"user_agent,omitempty"`
	RemoteIP      string `json:"remote_ip,omitempty"`
	ServerIP      string `json:"server_ip,omitempty"`
	Latency       string `json:"latency,omitempty"` // INTERVAL canonical form or duration string
	Protocol      string `json:"protocol,omitempty"`
}

// newLinkedRow converts e; with interval, the latency becomes an INTERVAL
// ("0-0 0 0:0:18.243917443"), else it stays the duration string.
func newLinkedRow(e *collect.LogEntry, interval bool) (*linkedRow, error) {
	r := &linkedRow{
		LogName: e.LogName, LogID: logID(e.LogName), Labels: e.Labels,
		Severity: e.Severity, InsertID: e.InsertID, Trace: e.Trace, SpanID: e.SpanID,
		TextPayload: e.TextPayload, JSONPayload: e.JSONPayload,
	}
	var err error
	if r.Timestamp, _, err = timestamp(e.Timestamp); err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	if r.ReceiveTimestamp, _, err = timestamp(e.ReceiveTimestamp); err != nil {
		return nil, fmt.Errorf("receiveTimestamp: %w", err)
	}
	if e.Resource != nil {
		r.Resource = &linkedResource{Type: e.Resource.Type, Labels: e.Resource.Labels}
	}
	if h := e.HTTPRequest; h != nil {
		r.HTTPRequest = &linkedHTTP{
			RequestMethod: h.RequestMethod, RequestURL: h.RequestURL,
			RequestSize: int64(h.RequestSize), Status: h.Status, ResponseSize: int64(h.ResponseSize),
			UserAgent: h.UserAgent, RemoteIP: h.RemoteIP, ServerIP: h.ServerIP,
			Latency: h.Latency, Protocol: h.Protocol,
		}
		if interval && h.Latency != "" {
			d, err := latency(h.Latency)
			if err != nil {
				return nil, err
			}
			r.HTTPRequest.Latency = bigquery.IntervalValueFromDuration(d).String()
		}
	}
	return r, nil
}

// sinkRow is a row of a sink's table.
type sinkRow struct {
	LogName          string            `json:"logName,omitempty"`
	Resource         *sinkResource     `json:"resource,omitempty"`
	Timestamp        string            `json:"timestamp,omitempty"`
	ReceiveTimestamp string            `json:"receiveTimestamp,omitempty"`
	Severity         string            `json:"severity,omitempty"`
	InsertID         string            `json:"insertId,omitempty"`
	Trace            string            `json:"trace,omitempty"`
	SpanID           string            `json:"spanId,omitempty"`
	TextPayload      string            `json:"textPayload,omitempty"`
	Labels           map[string]string `json:"labels,omitempty"`
	JSONPayload      *sinkJSONPayload  `json:"jsonPayload,omitempty"`
	HTTPRequest      *sinkHTTP         `json:"httpRequest,omitempty"`
}

type sinkResource struct {
	Type   string            `json:"type,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

type sinkJSONPayload struct {
	Message string `json:"message,omitempty"`
}

type sinkHTTP struct {
	RequestMethod string   `json:"requestMethod,omitempty"`
	RequestURL    string   `json:"requestUrl,omitempty"`
	RequestSize   int64    `json:"requestSize,omitempty"`
	Status        int      `json:"status,omitempty"`
	ResponseSize  int64    `json:"responseSize,omitempty"`
	UserAgent     string   `json:"userAgent,omitempty"`
	RemoteIP      string   `json:"remoteIp,omitempty"`
	ServerIP      string   `json:"serverIp,omitempty"`
	Latency       *float64 `json:"latency,omitempty"` // seconds
	Protocol      string   `json:"protocol,omitempty"`
}

// newSinkRow converts e; a sink's entry has a timestamp.
func newSinkRow(e *collect.LogEntry) (*sinkRow, error) {
	r := &sinkRow{
		LogName: e.LogName, Labels: sinkLabels(e.Labels),
		Severity: e.Severity, InsertID: e.InsertID, Trace: e.Trace, SpanID: e.SpanID,
		TextPayload: e.TextPayload,
	}
	var err error
	if r.Timestamp, _, err = timestamp(e.Timestamp); err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	if e.Timestamp == "" {
		return nil, fmt.Errorf("no timestamp")
	}
	if r.ReceiveTimestamp, _, err = timestamp(e.ReceiveTimestamp); err != nil {
		return nil, fmt.Errorf("receiveTimestamp: %w", err)
	}
	if e.Resource != nil {
		r.Resource = &sinkResource{Type: e.Resource.Type, Labels: sinkLabels(e.Resource.Labels)}
	}
	if len(e.JSONPayload) > 0 {
		var p struct {
			Message any `json:"message"`
		}
		if err := json.Unmarshal(e.JSONPayload, &p); err != nil {
			return nil, fmt.Errorf("jsonPayload: %w", err)
		}
		r.JSONPayload = &sinkJSONPayload{}
		if m, ok := p.Message.(string); ok {
			r.JSONPayload.Message = m
		}
	}
	if h := e.HTTPRequest; h != nil {
		r.HTTPRequest = &sinkHTTP{
			RequestMethod: h.RequestMethod, RequestURL: h.RequestURL,
			RequestSize: int64(h.RequestSize), Status: h.Status, ResponseSize: int64(h.ResponseSize),
			UserAgent: h.UserAgent, RemoteIP: h.RemoteIP, ServerIP: h.ServerIP,
			Protocol: h.Protocol,
		}
		if h.Latency != "" {
			d, err := latency(h.Latency)
			if err != nil {
				return nil, err
			}
			sec := d.Seconds()
			r.HTTPRequest.Latency = &sec
		}
	}
	return r, nil
}

// sinkLabels renames label keys to the sink's column names.
func sinkLabels(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[sinkField(k)] = v
	}
	return out
}
