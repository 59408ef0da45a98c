package loadtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/runlens/runlens/model"
)

// vegetaReport is `vegeta report -type=json`: latencies in nanoseconds.
type vegetaReport struct {
	Latencies struct {
		Mean int64 `json:"mean"`
		P50  int64 `json:"50th"`
		P90  int64 `json:"90th"`
		P95  int64 `json:"95th"`
		P99  int64 `json:"99th"`
		Max  int64 `json:"max"`
		Min  int64 `json:"min"`
	} `json:"latencies"`
	BytesIn struct {
		Mean float64 `json:"mean"`
	} `json:"bytes_in"`
	Requests    *int64           `json:"requests"`
	Rate        float64          `json:"rate"`
	Success     float64          `json:"success"` // the share of codes 200..399
	StatusCodes map[string]int64 `json:"status_codes"`
	Errors      []string         `json:"errors"`
}

// vegetaReport reads a JSON report: the run's totals only.
func (r *reader) vegetaReport() (*summary, error) {
	f, br, err := openText(r.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rep vegetaReport
	if err := json.NewDecoder(br).Decode(&rep); err != nil {
		return nil, fmt.Errorf("not a vegeta JSON report: %w", err)
	}
	if rep.Requests == nil || *rep.Requests < 0 {
		return nil, errors.New("not a vegeta JSON report: no requests count")
	}
	s := &summary{path: r.path, format: FormatVegetaReport, total: r.vegetaTotal(&rep)}
	s.failures = vegetaFailures(&rep)
	return s, nil
}

func (r *reader) vegetaTotal(rep *vegetaReport) model.ClientEndpoint {
	n := *rep.Requests
	e := model.ClientEndpoint{Name: aggregateName, Requests: n, RPS: finite(rep.Rate), AvgContentSize: finite(rep.BytesIn.Mean)}
	if rep.Success >= 0 && rep.Success <= 1 {
		e.Failures = n - int64(math.Round(rep.Success*float64(n)))
	} else {
		r.warnf(1, "success ratio %v is not between 0 and 1; failures unknown", rep.Success)
	}
	if n > 0 {
		e.FailuresPerSec = float64(e.Failures) * e.RPS / float64(n)
	}
	l := rep.Latencies
	ns := func(v int64) time.Duration { return time.Duration(max(v, 0)) }
	e.Avg, e.Median, e.Min, e.Max = ns(l.Mean), ns(l.P50), ns(l.Min), ns(l.Max)
	e.Percentiles = []model.Percentile{{Q: 0.5, Value: ns(l.P50)}, {Q: 0.9, Value: ns(l.P90)}, {Q: 0.95, Value: ns(l.P95)}, {Q: 0.99, Value: ns(l.P99)}, {Q: 1, Value: ns(l.Max)}}
	e.Percentiles = r.consistent(e.Percentiles)
	if e.Min > e.Max {
		r.warnf(1, "reported latency min %v is above max %v; min and max left out", e.Min, e.Max)
		e.Min, e.Max = 0, 0
	}
	return e
}

// vegetaFailures lists the failing status codes with their counts; the
// report's error texts (without counts) describe code 0, no response.
func vegetaFailures(rep *vegetaReport) []model.ClientFailure {
	var out []model.ClientFailure
	for _, c := range sortedKeys(rep.StatusCodes) {
		code, err := strconv.Atoi(c)
		if err != nil || code >= 200 && code < 400 || rep.StatusCodes[c] <= 0 {
			continue
		}
		msg := "HTTP " + c
		if code == 0 {
			msg = noResponse(rep.Errors)
		}
		out = append(out, model.ClientFailure{Error: msg, Occurrences: rep.StatusCodes[c]})
	}
	return out
}

// httpStatusText matches the errors vegeta records for HTTP statuses
// ("500 Internal Server Error"), as opposed to connection errors.
var httpStatusText = regexp.MustCompile(`^\d{3} `)

// noResponse describes code 0 by the report's connection errors.
func noResponse(errs []string) string {
	var conn []string
	for _, e := range errs {
		if !httpStatusText.MatchString(e) {
			conn = append(conn, e)
		}
	}
	if len(conn) == 0 {
		return "no response (status 0)"
	}
	return strings.Join(conn, "; ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
