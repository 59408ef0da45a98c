package whatif

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/model"
)

// memoryUsed reads the memory in use from the text Cloud Run logs when an
// instance exceeds its limit: "Memory limit of 2048 MiB exceeded with
// 2100 MiB used. ...".
var memoryUsed = regexp.MustCompile(`exceeded with (\d+) MiB used`)

// memoryKill is an instance terminated for exceeding its memory limit:
// the memory it used then, the requests it had answered before, and those
// in flight on it.
type memoryKill struct {
	at             time.Time
	usedMiB        float64
	served, flight float64
}

// memoryKills pairs every memory-limit event with the requests of its
// instance.
func memoryKills(ds *model.Dataset) []memoryKill {
	if !slices.ContainsFunc(ds.Events, func(ev model.InstanceEvent) bool { return ev.Kind == model.EventMemoryLimitExceeded }) {
		return nil
	}
	byInstance := map[string][]model.Request{}
	for _, r := range ds.Requests {
		if r.InstanceID != "" {
			byInstance[r.InstanceID] = append(byInstance[r.InstanceID], r)
		}
	}
	var out []memoryKill
	for _, ev := range ds.Events {
		if ev.Kind != model.EventMemoryLimitExceeded {
			continue
		}
		m := memoryUsed.FindStringSubmatch(ev.Text)
		if m == nil {
			continue
		}
		used, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			continue
		}
		k := memoryKill{at: ev.Time, usedMiB: used}
		for _, r := range byInstance[ev.InstanceID] {
			end := r.Time.Add(r.Latency)
			switch {
			case killedBy(r, ev.Time):
				k.flight++
			case !end.After(ev.Time) && r.Status < 500:
				k.served++
			}
		}
		out = append(out, k)
	}
	return out
}

// killedBy reports whether request r was in flight on its instance when
// the instance was terminated at t: it was answered with a server error
// then.
func killedBy(r model.Request, t time.Time) bool {
	end := r.Time.Add(r.Latency)
	return r.Status >= 500 && !r.Time.After(t) && absDuration(end.Sub(t)) <= 50*time.Millisecond
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// memoryRow is one observation of an instance's memory in MiB, with
// what it is made of: the share of the time the instance was up, and
// starting, the requests it had answered, the requests in flight on it.
type memoryRow struct {
	usedMiB float64
	x       [4]float64 // up (base), starting, answered, in flight
}

// memoryModel fits the memory an instance uses,
//
//	used = base + retained x answered + held x in flight
//
// (with memory grown into while starting), by least squares over two kinds
// of observation: each kill (the memory used then, from the log's text)
// and each minute of the memory utilization metric (its mean over the
// instances alive, against the requests they had answered and had in
// flight then, from the request log). Terms that come out negative are
// dropped and the rest fitted again.
func memoryModel(kills []memoryKill, minutes []memoryRow) (mm *sim.Memory, held float64, ok bool) {
	if len(kills) == 0 {
		return nil, 0, false
	}
	rows := slices.Clone(minutes)
	for _, k := range kills {
		rows = append(rows, memoryRow{usedMiB: k.usedMiB, x: [4]float64{1, 0, k.served, k.flight}})
	}
	if len(rows) < 4 {
		return nil, 0, false
	}
	use := [4]bool{true, len(minutes) > 0, true, true}
	var beta []float64
	for range 4 {
		beta = leastSquares(rows, use)
		if beta == nil {
			return nil, 0, false
		}
		negative := false
		for j := 1; j < 4; j++ {
			if use[j] && beta[j] < 0 {
				use[j], beta[j], negative = false, 0, true
			}
		}
		if !negative {
			break
		}
	}
	if beta[0] <= 0 {
		return nil, 0, false
	}
	// The base's spread is that of the kills' residuals.
	var ss float64
	for _, k := range kills {
		r := k.usedMiB - (beta[0] + beta[2]*k.served + beta[3]*k.flight)
		ss += r * r
	}
	sd := math.Sqrt(ss / float64(len(kills)))
	return &sim.Memory{
		BaseMiB:     [2]float64{beta[0] - sd, beta[0] + sd},
		RetainedMiB: [2]float64{beta[2], beta[2]},
		// Not in the logs: how long an instance runs over its limit
		// before it is terminated.
		CrashDelay: sim.Dist{Lo: 200 * time.Millisecond, Hi: 1500 * time.Millisecond},
	}, beta[3], true
}

// memoryMinutes are the memory utilization metric's minutes as memory
// rows: the metric's mean times the limit, against the instances' state
// second by second from the request log and the lanes.
func memoryMinutes(ds *model.Dataset, lanes []analyze.Lane, limitMiB int64) []memoryRow {
	// Each instance's requests as two sorted lists, of when its work on
	// them began and of when they were answered: at t, the answered are
	// the ends up to t, those in flight the begins up to t less them.
	type instanceTimes struct{ begins, ends []int64 }
	ready := map[string]time.Time{}
	for _, l := range lanes {
		ready[l.InstanceID] = l.Ready
	}
	byInstance := map[string]*instanceTimes{}
	for _, r := range ds.Requests {
		if r.InstanceID == "" {
			continue
		}
		end := r.Time.Add(r.Latency)
		begin := r.Time
		if rd := ready[r.InstanceID]; begin.Before(rd) {
			begin = rd
		}
		if begin.After(end) {
			begin = end
		}
		it := byInstance[r.InstanceID]
		if it == nil {
			it = &instanceTimes{}
			byInstance[r.InstanceID] = it
		}
		it.begins, it.ends = append(it.begins, begin.UnixNano()), append(it.ends, end.UnixNano())
	}
	for _, it := range byInstance {
		slices.Sort(it.begins)
		slices.Sort(it.ends)
	}
	upTo := func(sorted []int64, t int64) int { // how many are at or before t
		n, _ := slices.BinarySearch(sorted, t+1)
		return n
	}
	var out []memoryRow
	for _, s := range ds.Metrics {
		if s.Metric != model.MetricMemoryUtilizations {
			continue
		}
		for _, p := range s.Points {
			if p.Dist == nil || p.Dist.Count == 0 || !p.End.After(p.Start) {
				continue
			}
			var row memoryRow
			var seconds float64
			for _, l := range lanes {
				if !l.End.After(p.Start) || !l.Start.Before(p.End) {
					continue
				}
				it := byInstance[l.InstanceID]
				for t := p.Start; t.Before(p.End); t = t.Add(time.Second) {
					if t.Before(l.Start) || !t.Before(l.End) {
						continue
					}
					seconds++
					if !l.Ready.IsZero() && t.Before(l.Ready) {
						row.x[1]++
						continue
					}
					row.x[0]++
					if it != nil {
						answered := upTo(it.ends, t.UnixNano())
						row.x[2] += float64(answered)
						row.x[3] += float64(upTo(it.begins, t.UnixNano()) - answered)
					}
				}
			}
			if seconds == 0 {
				continue
			}
			for j := range row.x {
				row.x[j] /= seconds
			}
			row.usedMiB = p.Dist.Mean * float64(limitMiB)
			out = append(out, row)
		}
	}
	return out
}

// leastSquares solves the normal equations for the terms in use; nil when
// they are singular.
func leastSquares(rows []memoryRow, use [4]bool) []float64 {
	const n = 4
	var a [n][n + 1]float64
	for _, r := range rows {
		for i := range n {
			if !use[i] {
				continue
			}
			for j := range n {
				if use[j] {
					a[i][j] += r.x[i] * r.x[j]
				}
			}
			a[i][n] += r.x[i] * r.usedMiB
		}
	}
	for i := range n { // terms not in use: 0
		if !use[i] {
			a[i][i] = 1
		}
	}
	// Gauss-Jordan elimination with partial pivoting.
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-9 {
			return nil
		}
		a[c], a[p] = a[p], a[c]
		for r := range n {
			if r != c {
				f := a[r][c] / a[c][c]
				for j := c; j <= n; j++ {
					a[r][j] -= f * a[c][j]
				}
			}
		}
	}
	beta := make([]float64, n)
	for i := range n {
		beta[i] = a[i][n] / a[i][i]
	}
	return beta
}
