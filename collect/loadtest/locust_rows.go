package loadtest

import (
	"strings"

	"github.com/runlens/runlens/model"
)

// part is what one file contributed to a run.
type part struct {
	path      string
	kind      kind
	version   string
	endpoints []model.ClientEndpoint // stats and distribution rows, aggregate row excluded
	total     *model.ClientEndpoint  // the Aggregated or Total row
	lines     []int                  // line of each endpoint, for warnings
	history   []sample
	failures  []model.ClientFailure
	except    []model.ClientException
}

// sample is a history row with the one total the model's sample lacks.
type sample struct {
	model.ClientSample
	contentSize float64
}

// readRows fills p from t's rows according to p.kind.
func readRows(p *part, t *table, warns *[]string) {
	for _, r := range t.rows {
		c := cells{t: t, r: r, warns: warns}
		switch p.kind {
		case kindStats:
			p.addEndpoint(c, endpoint(c))
		case kindDistribution:
			p.addEndpoint(c, distEndpoint(c))
		case kindHistory:
			if s, ok := historySample(c); ok {
				p.history = append(p.history, s)
			}
		case kindFailures:
			p.failures = append(p.failures, failure(c))
		case kindExceptions:
			p.except = append(p.except, exception(c))
		}
	}
}

func (p *part) addEndpoint(c cells, e model.ClientEndpoint) {
	switch {
	case !isAggregate(e.Method, e.Name):
		p.endpoints = append(p.endpoints, e)
		p.lines = append(p.lines, c.r.line)
	case p.total != nil:
		c.warnf("a second %s row; ignored", e.Name)
	default:
		p.total = &e
	}
}

// isAggregate tells Locust's aggregate row: "Aggregated" (1.x, 2.x, 0.13) or
// "Total" (0.x) with an empty or "None" type.
func isAggregate(method, name string) bool {
	return method == "" && (name == "Aggregated" || name == "Total")
}

// method normalizes Locust's request type: 0.x and 0.13 write "None" on the
// aggregate row, 1.x and 2.x leave it empty.
func method(s string) string {
	if s == "None" {
		return ""
	}
	return s
}

// endpoint reads a stats row: 2.x/1.x, 0.13 or 0.x requests.
func endpoint(c cells) model.ClientEndpoint {
	return model.ClientEndpoint{
		Method:         method(c.str("type", "method")),
		Name:           c.raw("name"),
		Requests:       c.count("request count", "# requests"),
		Failures:       c.count("failure count", "# failures"),
		Median:         c.ms("median response time"),
		Avg:            c.ms("average response time"),
		Min:            c.ms("min response time"),
		Max:            c.ms("max response time"),
		AvgContentSize: c.float("average content size"),
		RPS:            c.float("requests/s"),
		FailuresPerSec: c.float("failures/s", "requests failed/s"),
		Percentiles:    c.percentiles(),
	}
}

// distEndpoint reads a 0.x distribution row, whose Name is "METHOD name".
func distEndpoint(c cells) model.ClientEndpoint {
	m, name := splitMethod(c.raw("name"))
	return model.ClientEndpoint{
		Method:      m,
		Name:        name,
		Requests:    c.count("# requests"),
		Percentiles: c.percentiles(),
	}
}

// splitMethod splits "GET /path" into method and name; a first word that is
// not an upper-case method leaves the whole string as the name.
func splitMethod(s string) (string, string) {
	m, name, ok := strings.Cut(s, " ")
	if !ok || m == "" || strings.ToUpper(m) != m || strings.ToLower(m) == m {
		return "", s
	}
	return m, name
}

// historySample reads a history row of either layout (1.x/2.x "Total ..."
// columns, or the 0.13 layout's cumulative "# requests" columns).
func historySample(c cells) (sample, bool) {
	ts, ok := c.timestamp("timestamp")
	if !ok {
		return sample{}, false
	}
	return sample{
		ClientSample: model.ClientSample{
			Time:           ts,
			Users:          int(c.count("user count")),
			Method:         method(c.str("type", "method")),
			Name:           c.raw("name"),
			RPS:            c.float("requests/s"),
			FailuresPerSec: c.float("failures/s", "requests failed/s"),
			Percentiles:    c.percentiles(),
			TotalRequests:  c.count("total request count", "# requests"),
			TotalFailures:  c.count("total failure count", "# failures"),
			Median:         c.ms("total median response time", "median response time"),
			Avg:            c.ms("total average response time", "average response time"),
			Min:            c.ms("total min response time", "min response time"),
			Max:            c.ms("total max response time", "max response time"),
		},
		contentSize: c.float("total average content size", "average content size"),
	}, true
}

func failure(c cells) model.ClientFailure {
	return model.ClientFailure{
		Method:      method(c.str("method", "type")),
		Name:        c.raw("name"),
		Error:       unwrapQuotes(c.raw("error")),
		Occurrences: c.count("occurrences"),
	}
}

// unwrapQuotes drops one pair of double quotes wrapped around a whole value:
// some writers quote the error text themselves before the CSV writer quotes
// it again, which leaves `"""CatchResponseError('HTTP 0')"""` in the file.
func unwrapQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

func exception(c cells) model.ClientException {
	return model.ClientException{
		Count:     c.count("count"),
		Message:   c.raw("message"),
		Traceback: c.raw("traceback"),
		Nodes:     c.raw("nodes"),
	}
}
