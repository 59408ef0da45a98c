package logscan

import gojson "github.com/goccy/go-json"

// Entry is the part of a LogEntry a request takes. The scanner fills
// it only where its label keys are as Cloud Logging writes them: as struct
// fields a decoder would match them in any case, where LogEntry's maps
// take them as they are. A line the scanner refuses is decoded the general
// way.
type Entry struct {
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
	JSONPayload  Present `json:"jsonPayload"`
	ProtoPayload Present `json:"protoPayload"`
}

// Present records that a field was there, whatever its value.
type Present bool

// UnmarshalJSON implements json.Unmarshaler.
func (p *Present) UnmarshalJSON([]byte) error {
	*p = true
	return nil
}

// Form is what is known of a text before it is scanned.
type Form uint8

const (
	FormOther   Form = iota // anything: the scanner finds out
	FormPlain               // one line, plain (see plain)
	FormElement             // an element of an array, maybe over many lines
)

// Scan is the package's entry point: it scans t, which has the given
// form, into e and reports whether it could (see the package comment);
// st carries what it learns from line to line. The strings put in e point
// into t.
func Scan(t []byte, e *Entry, st *State, form Form) bool {
	if keyTableErr != nil {
		return false
	}
	switch form {
	case FormPlain:
		return scanLine(t, e, st, true)
	case FormElement:
		return scanElement(t, e, st)
	}
	return scanLine(t, e, st, false)
}

// Int parses a proto int64 given as a number or a decimal string.
func Int(n gojson.Number) (int64, bool) {
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

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
