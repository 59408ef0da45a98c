package collect

import (
	"strconv"
	"unicode/utf8"
)

// MaxStringBytes bounds each string runlens keeps of a log entry: URL,
// path, method, user agent, remote address, protocol, instance id,
// revision, service, location, trace, severity and a system entry's text
// and reason. A longer one is cut at a character boundary and ends with
// "…(N bytes)", N its full length, so that a 1 MB URL costs 4 KiB in
// every summary key and output that holds it; a warning per file says
// how many were cut. Strings cut alike are one: two paths that differ
// only after 4 KiB and have one length are one endpoint.
const MaxStringBytes = 4096

// cutString returns s bounded to MaxStringBytes, and whether it was cut.
func cutString(s string) (string, bool) {
	if len(s) <= MaxStringBytes {
		return s, false
	}
	i := MaxStringBytes
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…(" + strconv.Itoa(len(s)) + " bytes)", true
}

// cut bounds *s, counting what it cut.
func (lr *logReader) cut(s *string) {
	if len(*s) <= MaxStringBytes {
		return
	}
	lr.cuts++
	lr.longest = max(lr.longest, len(*s))
	*s, _ = cutString(*s)
}

// cutRequest bounds the strings of a request.
func (lr *logReader) cutRequest(r *Request) {
	for _, s := range [...]*string{&r.Method, &r.URL, &r.Path, &r.UserAgent, &r.RemoteIP, &r.Protocol,
		&r.InstanceID, &r.Revision, &r.Service, &r.Location, &r.Trace, &r.InsertID, &r.Severity} {
		lr.cut(s)
	}
}

// cutEvent bounds the strings of a system entry.
func (lr *logReader) cutEvent(ev *InstanceEvent) {
	for _, s := range [...]*string{&ev.InstanceID, &ev.Revision, &ev.Text, &ev.Reason} {
		lr.cut(s)
	}
}
