package sim

import "time"

// runIndex is what a run's metrics read of it many times over, made once
// when they are sampled: each instance's requests, and the minutes.
// Without it (Run.idx nil), the functions that read it scan the run.
type runIndex struct {
	byInstance [][]int // request indices per instance, in request order
	minutes    []time.Time
}

func (r *Run) buildIndex() *runIndex {
	x := &runIndex{byInstance: make([][]int, len(r.Instances)), minutes: r.minutes()}
	for k, q := range r.Requests {
		if q.Instance >= 0 && q.Instance < len(r.Instances) {
			x.byInstance[q.Instance] = append(x.byInstance[q.Instance], k)
		}
	}
	return x
}

// minuteOf is the index in minutes of the minute t is in; -1 outside.
func (x *runIndex) minuteOf(t time.Time) int {
	if len(x.minutes) == 0 || t.Before(x.minutes[0]) {
		return -1
	}
	k := int(t.Sub(x.minutes[0]) / AlignmentPeriod)
	if k >= len(x.minutes) {
		return -1
	}
	return k
}

// minuteRange is the range [lo, hi) of the minutes s overlaps.
func (x *runIndex) minuteRange(s span) (lo, hi int) {
	if len(x.minutes) == 0 || !s.start.Before(s.end) {
		return 0, 0
	}
	lo = max(0, int(s.start.Sub(x.minutes[0])/AlignmentPeriod))
	if s.start.Before(x.minutes[0]) {
		lo = 0
	}
	last := s.end.Add(-1)
	if last.Before(x.minutes[0]) {
		return 0, 0
	}
	hi = min(len(x.minutes), int(last.Sub(x.minutes[0])/AlignmentPeriod)+1)
	return min(lo, hi), hi
}

// byMinute spreads spans over the minutes they overlap.
func (x *runIndex) byMinute(spans []span) [][]span {
	out := make([][]span, len(x.minutes))
	for _, s := range spans {
		lo, hi := x.minuteRange(s)
		for k := lo; k < hi; k++ {
			out[k] = append(out[k], s)
		}
	}
	return out
}

// minuteIndex is the index of minute m, which is one of minutes.
func (x *runIndex) minuteIndex(m time.Time) int { return x.minuteOf(m) }
