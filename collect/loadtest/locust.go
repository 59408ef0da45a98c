package loadtest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/runlens/runlens/model"
)

// locustSuffixes are the names Locust's --csv PREFIX gives its files, newest
// layouts first, then 0.x's.
var locustSuffixes = []string{
	"_stats.csv", "_stats_history.csv", "_failures.csv", "_exceptions.csv",
	"_requests.csv", "_distribution.csv",
}

// LocustFiles returns the files among PREFIX_stats.csv, _stats_history.csv,
// _failures.csv, _exceptions.csv, _requests.csv and _distribution.csv that
// exist, in that order, for a --csv prefix such as "results/run". A prefix
// given as one of those files ("results/run_stats.csv") stands for its run.
func LocustFiles(prefix string) ([]string, error) {
	if fi, err := os.Stat(prefix); err == nil && fi.Mode().IsRegular() {
		for _, s := range locustSuffixes {
			if p, ok := strings.CutSuffix(prefix, s); ok {
				prefix = p
				break
			}
		}
	}
	var out []string
	for _, s := range locustSuffixes {
		if fi, err := os.Stat(prefix + s); err == nil && fi.Mode().IsRegular() {
			out = append(out, prefix+s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("finding locust files for prefix %q: none of %s exists", prefix, strings.Join(locustSuffixes, ", "))
	}
	return out, nil
}

// ReadLocust reads the CSV files of one Locust run, each sniffed by its
// header row, and merges them: endpoints and the Aggregated (or 0.x Total)
// row from the stats file, percentiles of a 0.x distribution file merged
// into the endpoints of its requests file, History from the stats history,
// Failures and Exceptions. Without a stats file, Total comes from the last
// Aggregated history row's "Total ..." columns (its RPS stays zero).
// Response times are in rounded buckets, so ApproximatePercentiles is set.
//
// Version is the format generation: "2.x" for the layout of Locust 2.x and
// later 1.x releases (they cannot be told apart), "1.x" when an early 1.x
// trait shows (a 99.999% column, a quoted header), "0.13" for the 0.13/0.14
// transitional layout, "0.x" for requests and distribution files; empty
// when only failures or exceptions were given.
//
// Warnings, each "file:line: msg", report rows that were skipped or values
// that could not be read. A file that is not a Locust CSV is an error.
func ReadLocust(files []string) (*model.ClientRun, []string, error) {
	if len(files) == 0 {
		return nil, nil, errors.New("reading locust: no files given")
	}
	var parts []*part
	var warns []string
	for _, f := range files {
		p, err := readFile(f, &warns)
		if err != nil {
			return nil, warns, inFile(f, err)
		}
		parts = append(parts, p)
	}
	run := &model.ClientRun{
		Tool:                   "locust",
		ApproximatePercentiles: true,
		Files:                  append([]string(nil), files...),
	}
	assemble(run, parts, &warns)
	return run, warns, nil
}

// maxFileWarnings caps the warnings one file may add; the rest are counted.
const maxFileWarnings = 20

func readFile(path string, warns *[]string) (*part, error) {
	before := len(*warns)
	defer func() {
		if n := len(*warns) - before - maxFileWarnings; n > 0 {
			*warns = append((*warns)[:before+maxFileWarnings], fmt.Sprintf("%s:1: %d more warnings not shown", path, n))
		}
	}()
	text, w, err := readText(path)
	*warns = append(*warns, w...)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err
	}
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, atLine(1, errors.New("empty file, not a Locust CSV"))
	}
	t, w, err := parseTable(path, text)
	if err != nil {
		return nil, err
	}
	k, version := classify(t)
	if k == kindNone {
		return nil, notLocust(text)
	}
	*warns = append(*warns, w...)
	p := &part{path: path, kind: k, version: version}
	readRows(p, t, warns)
	return p, nil
}

// assemble merges the parts into run; a second file of one kind is ignored.
func assemble(run *model.ClientRun, parts []*part, warns *[]string) {
	first := map[kind]*part{}
	for _, p := range parts {
		if q, dup := first[p.kind]; dup {
			*warns = append(*warns, fmt.Sprintf("%s:1: a second %s file in one run (the first is %s); ignored", p.path, p.kind, q.path))
			continue
		}
		first[p.kind] = p
	}
	stats, dist, hist := first[kindStats], first[kindDistribution], first[kindHistory]
	switch {
	case stats != nil:
		run.Version = stats.version
		setEndpoints(run, stats, warns)
		if dist != nil {
			mergeDistribution(run, dist, warns)
		}
	case dist != nil:
		run.Version = dist.version
		setEndpoints(run, dist, warns)
	case hist != nil:
		run.Version = hist.version
	}
	if hist != nil {
		run.History = history(hist)
		if stats == nil && dist == nil {
			run.Total = historyTotal(hist, warns)
		}
	}
	if p := first[kindFailures]; p != nil {
		run.Failures = p.failures
	}
	if p := first[kindExceptions]; p != nil {
		run.Exceptions = p.except
	}
}

// setEndpoints takes the endpoints and total of a stats (or distribution)
// file; without an aggregate row the counts are summed from the endpoints.
func setEndpoints(run *model.ClientRun, p *part, warns *[]string) {
	run.Endpoints = p.endpoints
	if p.total != nil {
		run.Total = *p.total
		return
	}
	run.Total = model.ClientEndpoint{Name: "Aggregated"}
	if len(p.endpoints) == 0 {
		return
	}
	*warns = append(*warns, fmt.Sprintf("%s:1: no Aggregated or Total row; total requests and failures summed from the endpoints", p.path))
	for _, e := range p.endpoints {
		run.Total.Requests += e.Requests
		run.Total.Failures += e.Failures
	}
}

// mergeDistribution copies the percentiles of a 0.x distribution file into
// the endpoints of the requests file with the same "METHOD name".
func mergeDistribution(run *model.ClientRun, dist *part, warns *[]string) {
	index := map[string]int{}
	for i, e := range run.Endpoints {
		if _, dup := index[joinName(e)]; !dup {
			index[joinName(e)] = i
		}
	}
	for i, d := range dist.endpoints {
		j, ok := index[joinName(d)]
		if !ok {
			*warns = append(*warns, fmt.Sprintf("%s:%d: no endpoint %q in the requests file; its percentiles are not used", dist.path, dist.lines[i], joinName(d)))
			continue
		}
		if len(run.Endpoints[j].Percentiles) == 0 {
			run.Endpoints[j].Percentiles = d.Percentiles
		}
	}
	if dist.total != nil && len(run.Total.Percentiles) == 0 {
		run.Total.Percentiles = dist.total.Percentiles
	}
}

// joinName is an endpoint as the 0.x distribution file names it: "GET /path".
func joinName(e model.ClientEndpoint) string {
	if e.Method == "" {
		return e.Name
	}
	return e.Method + " " + e.Name
}

// history returns the samples oldest first (stable: rows that share a
// timestamp keep their file order).
func history(p *part) []model.ClientSample {
	sort.SliceStable(p.history, func(i, j int) bool { return p.history[i].Time.Before(p.history[j].Time) })
	out := make([]model.ClientSample, len(p.history))
	for i, s := range p.history {
		out[i] = s.ClientSample
	}
	return out
}

// historyTotal makes the run's total from the last aggregate history row
// (call after history sorted the rows).
func historyTotal(p *part, warns *[]string) model.ClientEndpoint {
	for i := len(p.history) - 1; i >= 0; i-- {
		s := p.history[i]
		if !isAggregate(s.Method, s.Name) {
			continue
		}
		return model.ClientEndpoint{
			Name:           s.Name,
			Requests:       s.TotalRequests,
			Failures:       s.TotalFailures,
			Median:         s.Median,
			Avg:            s.Avg,
			Min:            s.Min,
			Max:            s.Max,
			AvgContentSize: s.contentSize,
		}
	}
	if len(p.history) > 0 {
		*warns = append(*warns, fmt.Sprintf("%s:1: no Aggregated row; the run has no totals", p.path))
	}
	return model.ClientEndpoint{Name: "Aggregated"}
}
