package collect

import "github.com/runlens/runlens/model"

// cloneRequest copies the strings of r out of the buffer they point into:
// those that repeat from request to request (instance, revision, service,
// location, user agent, path) once per value in t, the others each time.
func cloneRequest(r *model.Request, t stringTable) {
	r.Method, r.URL, r.Path = intern(r.Method), cloneStr(r.URL), t.get(r.Path)
	r.UserAgent, r.RemoteIP, r.Protocol = t.get(r.UserAgent), cloneStr(r.RemoteIP), intern(r.Protocol)
	r.InstanceID, r.Revision, r.Service = t.get(r.InstanceID), t.get(r.Revision), t.get(r.Service)
	r.Location, r.Trace, r.InsertID, r.Severity = t.get(r.Location), cloneStr(r.Trace), cloneStr(r.InsertID), intern(r.Severity)
}

// stringTable holds one copy of each string that repeats from request to
// request, so that the requests a reader keeps share it: a million
// requests of one service carry its 96-byte instance ids, its user agents
// and revision thousands of times over otherwise. Past maxTableStrings
// values it copies each, as without it.
type stringTable map[string]string

const maxTableStrings = 1 << 16

func (t stringTable) get(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := t[s]; ok {
		return v
	}
	v := cloneStr(s)
	if len(t) < maxTableStrings {
		t[v] = v
	}
	return v
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
