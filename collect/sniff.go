package collect

import (
	"bytes"
)

// Format is what a file holds, as sniffed from its first bytes.
type Format string

// Formats Sniff tells apart.
const (
	FormatLogging    Format = "logging"    // LogEntry objects: a JSON array or one per line
	FormatTimeSeries Format = "timeseries" // a ListTimeSeries response
	FormatService    Format = "service"    // a Cloud Run service resource (v2 or v1)
	FormatYAML       Format = "yaml"       // gcloud's default output, not JSON
	FormatUnknown    Format = "unknown"
)

// Sniff classifies decoded text by its first bytes (a few kilobytes are
// enough). It looks at content only, never at a file name.
func Sniff(head []byte) Format {
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 {
		return FormatUnknown
	}
	switch t[0] {
	case '[', '{':
	default:
		if bytes.HasPrefix(t, []byte("---")) || yamlKey(t) {
			return FormatYAML
		}
		return FormatUnknown
	}
	switch {
	case hasKey(t, "timeSeries"), hasKey(t, "points") && hasKey(t, "metricKind"):
		return FormatTimeSeries
	case hasKey(t, "logName"), hasKey(t, "insertId"):
		return FormatLogging
	case hasKey(t, "template") && (hasKey(t, "containers") || hasKey(t, "spec")),
		hasKey(t, "apiVersion") && bytes.Contains(t, []byte(`"Service"`)):
		return FormatService
	}
	return FormatUnknown
}

func hasKey(b []byte, key string) bool {
	return bytes.Contains(b, []byte(`"`+key+`"`))
}

// yamlKey reports whether the first line looks like "key: value".
func yamlKey(b []byte) bool {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	k, _, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(k) == 0 {
		return false
	}
	for _, c := range k {
		if !(c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
