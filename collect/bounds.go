package collect

import (
	"strconv"
	"unicode/utf8"

	"github.com/runlens/runlens/model"
)

// cutString returns s bounded to MaxStringBytes, and whether it was cut.
func cutString(s string) (string, bool) {
	if len(s) <= model.MaxStringBytes {
		return s, false
	}
	i := model.MaxStringBytes
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…(" + strconv.Itoa(len(s)) + " bytes)", true
}

// cut bounds *s, counting what it cut.
func (lr *logReader) cut(s *string) {
	if len(*s) <= model.MaxStringBytes {
		return
	}
	lr.cuts++
	lr.longest = max(lr.longest, len(*s))
	*s, _ = cutString(*s)
}

// cutRequest bounds the strings of a request.
func (lr *logReader) cutRequest(r *model.Request) {
	if max(len(r.Method), len(r.URL), len(r.Path), len(r.UserAgent), len(r.RemoteIP), len(r.Protocol), len(r.InstanceID),
		len(r.Revision), len(r.Service), len(r.Location), len(r.Trace), len(r.InsertID), len(r.Severity)) <= model.MaxStringBytes {
		return // nothing to cut, told without a loop over pointers
	}
	for _, s := range [...]*string{&r.Method, &r.URL, &r.Path, &r.UserAgent, &r.RemoteIP, &r.Protocol,
		&r.InstanceID, &r.Revision, &r.Service, &r.Location, &r.Trace, &r.InsertID, &r.Severity} {
		lr.cut(s)
	}
}

// cutEvent bounds the strings of a system entry.
func (lr *logReader) cutEvent(ev *model.InstanceEvent) {
	for _, s := range [...]*string{&ev.InstanceID, &ev.Revision, &ev.Text, &ev.Reason} {
		lr.cut(s)
	}
}

// BoundString is s bounded to model.MaxStringBytes as the log readers
// bound every string of a log entry: for a source that reads the fields
// elsewhere (a query pushed down to BigQuery).
func BoundString(s string) string {
	s, _ = cutString(s)
	return s
}
