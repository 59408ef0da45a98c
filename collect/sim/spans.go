package sim

import (
	"slices"
	"time"
)

// BillingGranularity is what Cloud Run rounds billable time up to.
const BillingGranularity = 100 * time.Millisecond

// span is a half-open interval [start, end).
type span struct{ start, end time.Time }

func (s span) length() time.Duration { return s.end.Sub(s.start) }

// overlap returns how much of s lies in [from, to).
func (s span) overlap(from, to time.Time) time.Duration {
	a, b := maxTime(s.start, from), minTime(s.end, to)
	if !a.Before(b) {
		return 0
	}
	return b.Sub(a)
}

// merge sorts spans and joins those that touch or overlap: the union of
// the spans, as the fewest spans in order. It sorts spans in place.
func merge(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return a.start.Compare(b.start) })
	var out []span
	for _, s := range spans {
		if !s.start.Before(s.end) {
			continue
		}
		if n := len(out); n > 0 && !s.start.After(out[n-1].end) {
			out[n-1].end = maxTime(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// requestSpans returns the spans of instance i's requests, unmerged,
// from when the instance began serving each (waiting for startup does not
// count) to its response.
func (r *Run) requestSpans(i int) []span {
	var s []span
	if r.idx != nil {
		s = make([]span, 0, len(r.idx.byInstance[i])+1) // room for active's startup
		for _, k := range r.idx.byInstance[i] {
			s = append(s, span{r.served(r.Requests[k]), r.Requests[k].End()})
		}
		return s
	}
	for _, q := range r.Requests {
		if q.Instance == i {
			s = append(s, span{r.served(q), q.End()})
		}
	}
	return s
}

// busy returns the merged spans during which instance i had at least one
// request in flight.
func (r *Run) busy(i int) []span { return merge(r.requestSpans(i)) }

// active returns the spans during which instance i counts as active for
// instance_count: starting up or serving at least one request.
func (r *Run) active(i int) []span {
	in := r.Instances[i]
	return merge(append(r.requestSpans(i), span{in.Start, in.Ready})) // the union, merged once
}

// billable returns instance i's billed spans. With request-based billing
// that is startup plus busy time, each span rounded up to
// BillingGranularity (spans that the rounding makes meet are joined first),
// but for a minimum instance, billed all its life (its idle time at the
// lower idle rates, https://cloud.google.com/run/pricing); with
// instance-based billing, the whole life.
func (r *Run) billable(i int) []span {
	if !r.Service.RequestBilling || r.Instances[i].Reason == minInstanceReason {
		return []span{r.life(i)}
	}
	var out []span
	for _, s := range r.active(i) {
		if n := len(out); n > 0 && s.start.Before(out[n-1].end) {
			s.start = out[n-1].start
			out = out[:n-1]
		}
		out = append(out, roundUp(s))
	}
	return out
}

// billableTotal is the run's billable instance time: every instance's
// billable spans.
func (r *Run) billableTotal() time.Duration {
	var d time.Duration
	for i := range r.Instances {
		for _, b := range r.billable(i) {
			d += b.length()
		}
	}
	return d
}

func roundUp(s span) span {
	d := s.length()
	if rem := d % BillingGranularity; rem != 0 {
		d += BillingGranularity - rem
	}
	return span{s.start, s.start.Add(d)}
}

// concurrency returns the most requests instance i served at once in
// [from, to).
func (r *Run) concurrency(i int, from, to time.Time) int {
	return countMax([][]span{r.requestSpans(i)}, from, to)
}

// countMax returns the largest number of spans (from all lists) covering a
// single instant of [from, to).
func countMax(lists [][]span, from, to time.Time) int {
	type edge struct {
		t time.Time
		d int
	}
	var edges []edge
	for _, l := range lists {
		for _, s := range l {
			if s.overlap(from, to) > 0 {
				edges = append(edges, edge{maxTime(s.start, from), 1}, edge{s.end, -1})
			}
		}
	}
	// Ends sort before starts at the same instant: [a, b) and [b, c) never overlap.
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.t.Compare(b.t); c != 0 {
			return c
		}
		return a.d - b.d
	})
	n, most := 0, 0
	for _, e := range edges {
		n += e.d
		most = max(most, n)
	}
	return most
}

// subtract returns the parts of s not covered by the merged spans cut.
func subtract(s span, cut []span) []span {
	var out []span
	cur := s.start
	for _, c := range cut {
		if !c.end.After(cur) || !c.start.Before(s.end) {
			continue
		}
		if c.start.After(cur) {
			out = append(out, span{cur, c.start})
		}
		cur = maxTime(cur, c.end)
	}
	if cur.Before(s.end) {
		out = append(out, span{cur, s.end})
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
