package bqemu

import (
	"slices"

	"cloud.google.com/go/bigquery"

	"github.com/runlens/runlens/collect"
)

// linkedSchema is a Log Analytics linked dataset's _AllLogs view, as far as
// Cloud Run's entries fill it. latency is INTERVAL or STRING.
func linkedSchema(latency bigquery.FieldType) bigquery.Schema {
	return bigquery.Schema{
		{Name: "timestamp", Type: bigquery.TimestampFieldType},
		{Name: "receive_timestamp", Type: bigquery.TimestampFieldType},
		{Name: "log_name", Type: bigquery.StringFieldType},
		{Name: "log_id", Type: bigquery.StringFieldType},
		{Name: "resource", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{
			{Name: "type", Type: bigquery.StringFieldType},
			{Name: "labels", Type: bigquery.JSONFieldType},
		}},
		{Name: "labels", Type: bigquery.JSONFieldType},
		{Name: "severity", Type: bigquery.StringFieldType},
		{Name: "insert_id", Type: bigquery.StringFieldType},
		{Name: "trace", Type: bigquery.StringFieldType},
		{Name: "span_id", Type: bigquery.StringFieldType},
		{Name: "text_payload", Type: bigquery.StringFieldType},
		{Name: "json_payload", Type: bigquery.JSONFieldType},
		{Name: "http_request", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{
			{Name: "request_method", Type: bigquery.StringFieldType},
			{Name: "request_url", Type: bigquery.StringFieldType},
			{Name: "request_size", Type: bigquery.IntegerFieldType},
			{Name: "status", Type: bigquery.IntegerFieldType},
			{Name: "response_size", Type: bigquery.IntegerFieldType},
			{Name: "user_agent", Type: bigquery.StringFieldType},
			{Name: "remote_ip", Type: bigquery.StringFieldType},
			{Name: "server_ip", Type: bigquery.StringFieldType},
			{Name: "latency", Type: latency},
			{Name: "protocol", Type: bigquery.StringFieldType},
		}},
	}
}

// resourceLabels are the labels of a cloud_run_revision resource, which a
// sink's tables always have once a Cloud Run entry reached them.
var resourceLabels = []string{"service_name", "revision_name", "location", "configuration_name", "project_id"}

// sinkSchema is the schema a log sink gives the table of one log, given
// that log's entries: resource.labels and labels hold a field for every
// key seen (with instanceId and the five resource labels always there),
// and jsonPayload exists only when some entry has one.
func sinkSchema(entries []*collect.LogEntry) bigquery.Schema {
	resKeys := map[string]bool{}
	labelKeys := map[string]bool{"instanceId": true}
	jsonPayload := false
	for _, e := range entries {
		if e.Resource != nil {
			for k := range e.Resource.Labels {
				resKeys[sinkField(k)] = true
			}
		}
		for k := range e.Labels {
			labelKeys[sinkField(k)] = true
		}
		jsonPayload = jsonPayload || len(e.JSONPayload) > 0
	}
	s := bigquery.Schema{
		{Name: "logName", Type: bigquery.StringFieldType},
		{Name: "resource", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{
			{Name: "type", Type: bigquery.StringFieldType},
			{Name: "labels", Type: bigquery.RecordFieldType, Schema: stringFields(resourceLabels, resKeys)},
		}},
		{Name: "timestamp", Type: bigquery.TimestampFieldType},
		{Name: "receiveTimestamp", Type: bigquery.TimestampFieldType},
		{Name: "severity", Type: bigquery.StringFieldType},
		{Name: "insertId", Type: bigquery.StringFieldType},
		{Name: "trace", Type: bigquery.StringFieldType},
		{Name: "spanId", Type: bigquery.StringFieldType},
		{Name: "textPayload", Type: bigquery.StringFieldType},
		{Name: "labels", Type: bigquery.RecordFieldType, Schema: stringFields([]string{"instanceId"}, labelKeys)},
	}
	if jsonPayload {
		s = append(s, &bigquery.FieldSchema{Name: "jsonPayload", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{
			{Name: "message", Type: bigquery.StringFieldType},
		}})
	}
	return append(s, &bigquery.FieldSchema{Name: "httpRequest", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{
		{Name: "requestMethod", Type: bigquery.StringFieldType},
		{Name: "requestUrl", Type: bigquery.StringFieldType},
		{Name: "requestSize", Type: bigquery.IntegerFieldType},
		{Name: "status", Type: bigquery.IntegerFieldType},
		{Name: "responseSize", Type: bigquery.IntegerFieldType},
		{Name: "userAgent", Type: bigquery.StringFieldType},
		{Name: "remoteIp", Type: bigquery.StringFieldType},
		{Name: "serverIp", Type: bigquery.StringFieldType},
		{Name: "latency", Type: bigquery.FloatFieldType},
		{Name: "protocol", Type: bigquery.StringFieldType},
	}})
}

// stringFields is a STRING field for each of first, then for each other
// key of seen, sorted.
func stringFields(first []string, seen map[string]bool) bigquery.Schema {
	var s bigquery.Schema
	for _, k := range first {
		s = append(s, &bigquery.FieldSchema{Name: k, Type: bigquery.StringFieldType})
	}
	var rest []string
	for k := range seen {
		if !slices.Contains(first, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		s = append(s, &bigquery.FieldSchema{Name: k, Type: bigquery.StringFieldType})
	}
	return s
}

// sinkField is the column name a sink gives a label key: characters other
// than letters, digits and underscores become underscores, and a leading
// digit gets an underscore before it.
func sinkField(key string) string {
	b := []byte(key)
	for i, c := range b {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	if len(b) == 0 || b[0] >= '0' && b[0] <= '9' {
		return "_" + string(b)
	}
	return string(b)
}

// SinkTable is the table (or shard prefix) a sink writes a log to: its log
// id with every character other than a letter, digit or underscore
// replaced, run.googleapis.com/requests becoming run_googleapis_com_requests.
func SinkTable(logID string) string {
	return sinkField(logID)
}
