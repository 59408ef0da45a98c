package analyze

import (
	"math"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/model"
)

// Clock-offset search: offsets (client minus server) from -maxOffset to
// +maxOffset are tried in coarseStep steps, then refined in fineStep steps
// around the best.
const (
	maxOffset  = 120 * time.Second
	coarseStep = 100 * time.Millisecond
	fineStep   = 10 * time.Millisecond
	// minAlignRows is the least number of client timeline rows with a
	// request count that the estimate needs.
	minAlignRows = 10
)

// countRow is the client's cumulative request count at one time of its clock.
type countRow struct {
	t time.Time
	n int64
}

// estimateOffset estimates the client's clock minus the server's by
// cross-correlating the client's per-interval request counts (differences of
// its cumulative count, as Locust's history records it) with the number of
// server requests completing in the same intervals shifted by each candidate
// offset. A request counts on the client when its response arrives, so the
// server side uses completion times (arrival plus latency), counted per
// 100 ms. It returns false
// when either side is too short or flat to tell.
//
// The estimate is only as fine as the client's timestamps: Locust writes whole
// seconds, so it can be off by the fraction of a second at which Locust's
// history loop ran.
func estimateOffset(c *model.ClientRun, s *summary.Summary) (time.Duration, float64, bool) {
	rows := clientCounts(c)
	if len(rows) < minAlignRows || s.Requests() == 0 {
		return 0, 0, false
	}
	cum := s.Completions().Cumulative()
	return alignRows(rows, func(t time.Time) int64 { return cum(summary.FloorDiv(t.UnixNano(), summary.Tenth)) })
}

// alignRows finds the offset at which the server's completions, counted by
// done (how many completed at or before t), best follow the client's rows.
func alignRows(rows []countRow, done func(time.Time) int64) (time.Duration, float64, bool) {
	client := make([]float64, len(rows)-1)
	for i := 1; i < len(rows); i++ {
		client[i-1] = float64(rows[i].n - rows[i-1].n)
	}
	score := func(off time.Duration) float64 {
		return correlation(client, serverCounts(rows, done, off))
	}
	best, bestScore := bestOffset(score, -maxOffset, maxOffset, coarseStep)
	best, bestScore = bestOffset(score, best-coarseStep, best+coarseStep, fineStep)
	if math.IsNaN(bestScore) || bestScore < 0.3 {
		return 0, bestScore, false
	}
	return best, bestScore, true
}

// bestOffset scans [lo, hi] in steps and returns the best-scoring offset;
// ties go to the offset closest to zero.
func bestOffset(score func(time.Duration) float64, lo, hi, step time.Duration) (time.Duration, float64) {
	best, bestScore := time.Duration(0), math.Inf(-1)
	for off := lo; off <= hi; off += step {
		s := score(off)
		if s > bestScore || (s == bestScore && absDur(off) < absDur(best)) {
			best, bestScore = off, s
		}
	}
	return best, bestScore
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// serverCounts counts the server completions inside each client interval,
// moved onto the server's clock by the offset.
func serverCounts(rows []countRow, idx func(time.Time) int64, off time.Duration) []float64 {
	out := make([]float64, len(rows)-1)
	prev := idx(rows[0].t.Add(-off))
	for i := 1; i < len(rows); i++ {
		cur := idx(rows[i].t.Add(-off))
		out[i-1] = float64(cur - prev)
		prev = cur
	}
	return out
}

// clientCounts returns the client's cumulative request counts over time
// from its aggregate timeline rows.
func clientCounts(c *model.ClientRun) []countRow {
	if c == nil {
		return nil
	}
	var rows []countRow
	for _, h := range c.History {
		if !isAggregate(h.Name) || (h.TotalRequests == 0 && len(rows) == 0) {
			continue
		}
		if n := len(rows); n > 0 && !h.Time.After(rows[n-1].t) {
			rows[n-1].n = max(rows[n-1].n, h.TotalRequests) // two rows in one second: keep the later count
			continue
		}
		rows = append(rows, countRow{h.Time, h.TotalRequests})
	}
	return rows
}

func isAggregate(name string) bool { return name == "Aggregated" || name == "Total" || name == "" }

// correlation is Pearson's correlation coefficient; NaN when either side is flat.
func correlation(a, b []float64) float64 {
	n := float64(len(a))
	var sa, sb float64
	for i := range a {
		sa += a[i]
		sb += b[i]
	}
	ma, mb := sa/n, sb/n
	var cov, va, vb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		cov += da * db
		va += da * da
		vb += db * db
	}
	if va == 0 || vb == 0 {
		return math.NaN()
	}
	return cov / math.Sqrt(va*vb)
}
