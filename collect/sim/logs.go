package sim

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/model"
)

// Texts of the system log entries the model writes. The start and probe
// texts are Cloud Run's own, as real exports show them.
const (
	shutdownText = "Shutting down instance due to idleness."
	probeFormat  = "Default STARTUP TCP probe succeeded after 1 attempt for container %q on port %d."
	// memoryFormat is Cloud Run's text when an instance is terminated for
	// exceeding its memory limit.
	memoryFormat = "Memory limit of %d MiB exceeded with %d MiB used. Consider increasing the memory limit, see https://cloud.google.com/run/docs/configuring/memory-limits"
)

// startReasons explains each scaling reason as Cloud Run's start entry does.
var startReasons = map[string]string{
	"AUTOSCALING":        "Instance started due to configured scaling factors (e.g. CPU utilization, request throughput, etc.) or no existing capacity for current traffic.",
	"DEPLOYMENT_ROLLOUT": "Instance started due to traffic shifting between revisions due to deployment, traffic split adjustment, or deployment health check.",
	"MIN_INSTANCE":       "Instance started because of customer-configured min-instances or min-instances.",
}

func startText(reason string) string {
	return "Starting new instance. Reason: " + reason + " - " + startReasons[reason]
}

// Timestamp layouts as Cloud Logging writes them: microseconds in
// timestamp, nanoseconds in receiveTimestamp.
const (
	logTimeLayout     = "2006-01-02T15:04:05.000000Z"
	receiveTimeLayout = "2006-01-02T15:04:05.000000000Z"
)

// logs makes the run's log entries with their ids.
type logs struct {
	run     *Run
	rng     *rand.Rand
	inserts map[string]bool
}

func (r *Run) logName(id string) string {
	return "projects/" + r.Service.Project + "/logs/" + strings.ReplaceAll(id, "/", "%2F")
}

func (r *Run) resource() *collect.MonitoredResource {
	s := r.Service
	return &collect.MonitoredResource{Type: "cloud_run_revision", Labels: map[string]string{
		"service_name": s.Name, "revision_name": s.Revision, "location": s.Region,
		"configuration_name": s.Name, "project_id": s.Project,
	}}
}

// insertID makes an id like Cloud Logging's: the entry's time in seconds
// and microseconds, then random digits; unique within the run.
func (l *logs) insertID(t time.Time) string {
	for {
		id := hex8(hex8(hex8(make([]byte, 0, 24), uint64(t.Unix())), uint64(t.Nanosecond()/1000)), uint64(l.rng.Uint32()))
		if !l.inserts[string(id)] {
			l.inserts[string(id)] = true
			return string(id)
		}
	}
}

// hex8 appends v as fmt's %08x does: lower-case hex, at least 8 digits.
func hex8(b []byte, v uint64) []byte {
	start := len(b)
	b = strconv.AppendUint(b, v, 16)
	if n := len(b) - start; n < 8 {
		b = append(b, "00000000"[:8-n]...)
		copy(b[start+8-n:], b[start:start+n])
		copy(b[start:start+8-n], "00000000")
	}
	return b
}

// LogEntries returns the run's request entries (run.googleapis.com/requests)
// and system entries (run.googleapis.com/varlog/system), each sorted by
// timestamp, as a log sink stores them.
func (r *Run) LogEntries(rng *rand.Rand) (requests, system []collect.LogEntry) {
	for e := range r.logEntries(rng) {
		if e.HTTPRequest != nil {
			requests = append(requests, e)
		} else {
			system = append(system, e)
		}
	}
	for _, es := range [][]collect.LogEntry{requests, system} {
		slices.SortStableFunc(es, func(a, b collect.LogEntry) int {
			return strings.Compare(a.Timestamp, b.Timestamp)
		})
	}
	return requests, system
}

// logEntries yields the run's request entries, in request order, then
// its system entries, instance by instance, as LogEntries makes them
// before it sorts them: the same entries, one at a time.
func (r *Run) logEntries(rng *rand.Rand) iter.Seq[collect.LogEntry] {
	return func(yield func(collect.LogEntry) bool) {
		l := &logs{run: r, rng: rng, inserts: map[string]bool{}}
		for _, q := range r.Requests {
			if !yield(l.request(q)) {
				return
			}
		}
		for _, in := range r.Instances {
			for _, e := range l.system(in) {
				if !yield(e) {
					return
				}
			}
		}
	}
}

// systemEntries yields the run's system entries, instance by instance.
func (r *Run) systemEntries(rng *rand.Rand) iter.Seq[collect.LogEntry] {
	return func(yield func(collect.LogEntry) bool) {
		l := &logs{run: r, rng: rng, inserts: map[string]bool{}}
		for _, in := range r.Instances {
			for _, e := range l.system(in) {
				if !yield(e) {
					return
				}
			}
		}
	}
}

// parsedRequests yields the run's requests, in request order, as collect reads
// them from their log entries (logs.request), but for what no analysis
// reads: the trace, the insert id and the severity. One model.Request is
// reused for each.
func (r *Run) parsedRequests() iter.Seq[*model.Request] {
	return func(yield func(*model.Request) bool) {
		s := r.Service
		var m model.Request
		for _, q := range r.Requests {
			m = model.Request{Time: q.Arrival.UTC().Truncate(time.Microsecond), Revision: s.Revision, Service: s.Name, Location: s.Region,
				Method: q.Method, URL: s.URL + q.Path, Status: q.Status, RequestSize: q.RequestSize, ResponseSize: q.ResponseSize,
				UserAgent: q.UserAgent, RemoteIP: q.RemoteIP, Latency: q.Latency, Protocol: q.Protocol}
			if q.Instance >= 0 {
				m.InstanceID = r.Instances[q.Instance].ID
			}
			if !yield(&m) {
				return
			}
		}
	}
}

func (l *logs) request(q Request) collect.LogEntry {
	r := l.run
	t := q.Arrival
	return collect.LogEntry{
		LogName:          r.logName("run.googleapis.com/requests"),
		Resource:         r.resource(),
		Timestamp:        t.UTC().Format(logTimeLayout),
		ReceiveTimestamp: q.End().Add(30*time.Millisecond + time.Duration(l.rng.Int64N(int64(300*time.Millisecond)))).UTC().Format(receiveTimeLayout),
		Severity:         severity(q.Status),
		InsertID:         l.insertID(t),
		HTTPRequest: &collect.HTTPRequest{
			RequestMethod: q.Method,
			RequestURL:    r.Service.URL + q.Path,
			RequestSize:   collect.Int64(q.RequestSize),
			Status:        q.Status,
			ResponseSize:  collect.Int64(q.ResponseSize),
			UserAgent:     q.UserAgent,
			RemoteIP:      q.RemoteIP,
			ServerIP:      "216.239.36.53",
			Latency:       latencyString(q.Latency),
			Protocol:      q.Protocol,
		},
		Labels: r.requestLabels(q),
		Trace:  "projects/" + r.Service.Project + "/traces/" + randHex(l.rng, 32),
		SpanID: randHex(l.rng, 16),
	}
}

// requestLabels carries the instance that served the request; a request
// rejected before any instance has none.
func (r *Run) requestLabels(q Request) map[string]string {
	if q.Instance < 0 {
		return nil
	}
	return map[string]string{"instanceId": r.Instances[q.Instance].ID}
}

func severity(status int) string {
	switch {
	case status >= 500 || status == 0:
		return "ERROR"
	case status >= 400:
		return "WARNING"
	}
	return "INFO"
}

// latencyString spells a duration as a protobuf Duration in JSON: seconds
// with nine decimals.
func latencyString(d time.Duration) string {
	return fmt.Sprintf("%d.%09ds", d/time.Second, d%time.Second)
}

// system returns an instance's start, probe and (once retired) shutdown
// entries; an instance terminated for exceeding its memory limit has the
// memory-limit entry instead of the shutdown.
func (l *logs) system(in Instance) []collect.LogEntry {
	r := l.run
	entry := func(t time.Time, severity, text string, labels map[string]string) collect.LogEntry {
		return collect.LogEntry{
			LogName:          r.logName("run.googleapis.com/varlog/system"),
			Resource:         r.resource(),
			Timestamp:        t.UTC().Format(logTimeLayout),
			ReceiveTimestamp: t.Add(2*time.Millisecond + time.Duration(l.rng.Int64N(int64(8*time.Millisecond)))).UTC().Format(receiveTimeLayout),
			Severity:         severity,
			InsertID:         l.insertID(t),
			Labels:           labels,
			TextPayload:      text,
		}
	}
	id := map[string]string{"instanceId": in.ID}
	out := []collect.LogEntry{
		entry(in.Start, "INFO", startText(in.Reason), map[string]string{"instanceId": in.ID, "scaling_reason": in.Reason}),
		entry(in.Ready, "INFO", fmt.Sprintf(probeFormat, r.Service.Container(), r.Service.Port), id),
	}
	switch {
	case in.Retire.IsZero() || !in.Retire.Before(r.Window.End):
	case in.Crashed():
		out = append(out, entry(in.Retire, "ERROR", fmt.Sprintf(memoryFormat, r.Service.memoryMiB(), in.ExceededMiB), id))
	default:
		out = append(out, entry(in.Retire, "INFO", shutdownText, id))
	}
	return out
}
