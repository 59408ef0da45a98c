package whatif

import (
	"container/heap"
	"slices"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/model"
)

// Contention is how a request's service time grows with the requests in
// flight on its instance when it begins (itself included, k):
//
//	service(k) = service(1) x (1 + alpha (k - 1))
//
// alpha is fitted by least squares through the origin to the requests of
// endpoints that also ran alone, y = service / mean service alone - 1
// against x = k - 1, over the k seen at least minFlightRequests times. A replay scales each request's observed service time
// by the ratio of the factor at the requests in flight it begins with to
// the factor at those it began with when observed.

// minFlightRequests is how many requests an in-flight count needs to be
// part of the contention fit.
const minFlightRequests = 30

// flights are the requests in flight on each request's instance when its
// instance began to work on it (when it arrived, or when its instance
// became ready), itself included; 0 for a request no instance served.
func flights(reqs []model.Request, ready map[string]time.Time) []int {
	type begun struct {
		at, end time.Time
		i       int
	}
	byInstance := map[string][]begun{}
	for i, r := range reqs {
		if r.InstanceID == "" {
			continue
		}
		at := r.Time
		if rd := ready[r.InstanceID]; at.Before(rd) {
			at = rd
		}
		byInstance[r.InstanceID] = append(byInstance[r.InstanceID], begun{at, r.Time.Add(r.Latency), i})
	}
	out := make([]int, len(reqs))
	for _, bs := range byInstance {
		slices.SortFunc(bs, func(a, b begun) int { return a.at.Compare(b.at) })
		ends := &endHeap{}
		for _, b := range bs {
			for ends.Len() > 0 && !(*ends)[0].After(b.at) {
				heap.Pop(ends)
			}
			heap.Push(ends, b.end)
			out[b.i] = ends.Len()
		}
	}
	return out
}

type endHeap []time.Time

func (h endHeap) Len() int           { return len(h) }
func (h endHeap) Less(i, j int) bool { return h[i].Before(h[j]) }
func (h endHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *endHeap) Push(x any)        { *h = append(*h, x.(time.Time)) }
func (h *endHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// fitContention fits alpha to the arrivals' warm service times and the
// requests in flight they began with. ok is false when no request shared
// its instance with another of an endpoint that also ran alone.
func fitContention(arrivals []sim.Arrival) (fit analyze.WhatIfContention, ok bool) {
	type sums struct {
		alone    float64
		n        int
		shared   bool
		byFlight map[int][2]float64 // service sum and count
	}
	eps := map[string]*sums{}
	for _, a := range arrivals {
		if a.Flight < 1 {
			continue
		}
		e := eps[a.Method+" "+a.Path]
		if e == nil {
			e = &sums{byFlight: map[int][2]float64{}}
			eps[a.Method+" "+a.Path] = e
		}
		if a.Flight == 1 {
			e.alone += a.Service.Seconds()
			e.n++
		} else {
			e.shared = true
		}
	}
	ratio := map[int][2]float64{} // service over alone: sum and count, by flight
	for _, a := range arrivals {
		e := eps[a.Method+" "+a.Path]
		if a.Flight < 1 || e == nil || e.n == 0 || !e.shared {
			continue
		}
		r := ratio[a.Flight]
		ratio[a.Flight] = [2]float64{r[0] + a.Service.Seconds()/(e.alone/float64(e.n)), r[1] + 1}
	}
	// Least squares through the origin over the requests of every k seen
	// minFlightRequests times or more: a k seen a few times (the first
	// seconds of a load test, an outlier) would carry the fit.
	var sxy, sxx float64
	for k, r := range ratio {
		if r[1] < minFlightRequests {
			continue
		}
		x := float64(k - 1)
		sxy += x * (r[0] - r[1]) // the sum of y = ratio - 1
		sxx += x * x * r[1]
		fit.Requests += int(r[1])
	}
	if sxx == 0 {
		return fit, false
	}
	fit.Alpha = max(0, sxy/sxx)
	for k := 1; k <= 8; k++ {
		if r, ok := ratio[k]; ok && r[1] > 0 {
			fit.ByFlight = append(fit.ByFlight, analyze.WhatIfFlight{InFlight: k, Requests: int(r[1]), Ratio: r[0] / r[1], Fitted: 1 + fit.Alpha*float64(k-1)})
		}
	}
	return fit, true
}
