package audit

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/model"
)

const testGiB = 1 << 30

func logSeries(log string, bytes ...int64) model.Series {
	s := model.Series{Metric: model.MetricLogBytes, MetricLabels: map[string]string{"log": log, "severity": "INFO"}}
	for _, b := range bytes {
		s.Points = append(s.Points, model.Point{Int: b})
	}
	return s
}

func sentSeries(kind string, bytes int64) model.Series {
	return model.Series{Metric: model.MetricSentBytes, MetricLabels: map[string]string{"kind": kind}, Points: []model.Point{{Int: bytes}}}
}

// aroundRow is a service costing costUSD with the given series.
func aroundRow(name string, costUSD float64, series ...model.Series) Service {
	return Service{Name: name, CostUSD: costUSD, Findings: []analyze.Finding{}, Around: NewAround(&model.Dataset{Metrics: series})}
}

// The project's free allotment, prorated to the window, is shared by
// bytes; each service's logging cost is its share of the bytes beyond it;
// only internet egress is priced; the findings come over a quarter of the
// service's own cost.
func TestAroundTotals(t *testing.T) {
	day := analyze.Window{Start: time.Date(2024, 6, 4, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 6, 5, 0, 0, 0, 0, time.UTC)}
	chatty := aroundRow("chatty", 1, logSeries("run.googleapis.com/stdout", 3*testGiB, 3*testGiB), sentSeries("internet", 10*testGiB), sentSeries("google", testGiB))
	quiet := aroundRow("quiet", 2, logSeries("run.googleapis.com/requests", testGiB))
	none := Service{Name: "none", CostUSD: 1, Findings: []analyze.Finding{}, Around: NewAround(&model.Dataset{})}
	a := Build(Input{Window: day, Services: []Service{chatty, quiet, none}})
	free := 50.0 * testGiB * 24 / 730
	total := 7.0 * testGiB
	billable := total - free
	if math.Abs(a.Around.FreeLoggingBytes-free) > 1e-3 || a.Around.LoggingBytes != 7*testGiB || math.Abs(a.Around.LoggingCostUSD-billable/testGiB*0.5) > 1e-12 {
		t.Errorf("totals %+v", a.Around)
	}
	byName := map[string]Service{}
	for _, s := range a.Services {
		byName[s.Name] = s
	}
	c, q := byName["chatty"].Around, byName["quiet"].Around
	if want := 6.0 / 7 * billable / testGiB * 0.5; math.Abs(c.Logging.CostUSD-want) > 1e-12 {
		t.Errorf("chatty logging $%v, want $%v", c.Logging.CostUSD, want)
	}
	if want := 1.0 / 7 * billable / testGiB * 0.5; math.Abs(q.Logging.CostUSD-want) > 1e-12 {
		t.Errorf("quiet logging $%v, want $%v", q.Logging.CostUSD, want)
	}
	if c.Egress.CostUSD != 10*0.12 || c.Egress.InternetBytes != 10*testGiB || c.Egress.Bytes != 11*testGiB || !strings.Contains(c.Egress.Note, "only kind internet") {
		t.Errorf("chatty egress %+v", c.Egress)
	}
	if byName["none"].Around != nil {
		t.Errorf("a service without the metrics has around %+v", byName["none"].Around)
	}
	ids := func(s Service) string {
		var out []string
		for _, f := range s.Findings {
			out = append(out, f.ID)
		}
		return strings.Join(out, ",")
	}
	// chatty: logging about $1.5 and egress $1.20 against $1 of its own;
	// quiet: logging about $0.38, under a quarter of its $2.
	if got := ids(byName["chatty"]); got != "logging_ingestion_cost,egress_cost" {
		t.Errorf("chatty's findings %q", got)
	}
	if got := ids(byName["quiet"]); got != "" || q.Logging.CostUSD >= AroundShare*2 {
		t.Errorf("quiet's findings %q at $%v", got, q.Logging.CostUSD)
	}
	if s := *byName["chatty"].Around.ShareOfService; math.Abs(s-(c.Logging.CostUSD+1.2)) > 1e-12 {
		t.Errorf("chatty's share of its cost %v", s)
	}
}

// A service's logs are bounded: the largest MaxLogs by name, the rest
// summed; a long name is clipped in the finding's text.
func TestAroundBoundsLogs(t *testing.T) {
	var series []model.Series
	for i := range MaxLogs + 5 {
		series = append(series, logSeries(fmt.Sprintf("log-%02d", i), int64(1000+i)))
	}
	long := strings.Repeat("x", 500)
	series = append(series, logSeries(long, 10*testGiB))
	a := NewAround(&model.Dataset{Metrics: series})
	l := a.Logging
	if len(l.Logs) != MaxLogs+1 || l.Logs[0].Log != long || l.Logs[MaxLogs].Log != OtherLogs {
		t.Fatalf("%d logs, first %.10q, last %q", len(l.Logs), l.Logs[0].Log, l.Logs[len(l.Logs)-1].Log)
	}
	var sum int64
	for _, lb := range l.Logs {
		sum += lb.Bytes
	}
	if sum != l.Bytes {
		t.Errorf("logs sum to %d, total %d", sum, l.Bytes)
	}
	day := analyze.Window{Start: time.Unix(0, 0).UTC(), End: time.Unix(86400, 0).UTC()}
	b := Build(Input{Window: day, Services: []Service{{Name: "s", CostUSD: 0.01, Findings: []analyze.Finding{}, Around: a}}})
	f := b.Services[0].Findings
	if len(f) != 1 || f[0].ID != "logging_ingestion_cost" || strings.Contains(f[0].Message, long) || !strings.Contains(f[0].Message, strings.Repeat("x", 120)+"…") {
		t.Errorf("findings %+v: want the logging one, the log's name clipped", f)
	}
}
