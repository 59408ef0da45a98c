package collect

import "github.com/runlens/runlens/model"

// cloneRequest copies the strings of r out of the buffer they point into.
func cloneRequest(r *model.Request) {
	r.Method, r.URL, r.Path = intern(r.Method), cloneStr(r.URL), cloneStr(r.Path)
	r.UserAgent, r.RemoteIP, r.Protocol = cloneStr(r.UserAgent), cloneStr(r.RemoteIP), intern(r.Protocol)
	r.InstanceID, r.Revision, r.Service = cloneStr(r.InstanceID), cloneStr(r.Revision), cloneStr(r.Service)
	r.Location, r.Trace, r.InsertID, r.Severity = cloneStr(r.Location), cloneStr(r.Trace), cloneStr(r.InsertID), intern(r.Severity)
}

// cloneStr copies s; the empty string needs no copy.
func cloneStr(s string) string {
	if s == "" {
		return ""
	}
	return string([]byte(s))
}

// intern returns a constant for the common short values (methods,
// protocols, severities), and a copy of anything else.
func intern(s string) string {
	switch s {
	case "GET":
		return "GET"
	case "POST":
		return "POST"
	case "HTTP/1.1":
		return "HTTP/1.1"
	case "HTTP/2":
		return "HTTP/2"
	case "INFO":
		return "INFO"
	case "ERROR":
		return "ERROR"
	case "DEFAULT":
		return "DEFAULT"
	case "WARNING":
		return "WARNING"
	}
	return cloneStr(s)
}
