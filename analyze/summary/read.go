package summary

import (
	"slices"
	"time"
)

// What the analysis reads of a summary. What these return belongs to the
// summary: it is read, never changed.

// First is the earliest arrival; zero without requests.
func (s *Summary) First() time.Time { return s.first }

// LastArrival is the latest arrival.
func (s *Summary) LastArrival() time.Time { return s.lastArrival }

// LastEnd is the latest completion (arrival + latency).
func (s *Summary) LastEnd() time.Time { return s.lastEnd }

// FirstService is the service and location of the earliest request.
func (s *Summary) FirstService() (service, location string) { return s.firstSvc[0], s.firstSvc[1] }

// Endpoints are the endpoints by method and path.
func (s *Summary) Endpoints() map[Key]*Endpoint { return s.endpoints }

// Total is the counts over all endpoints; its latency state is empty:
// TotalLatency merges the endpoints'.
func (s *Summary) Total() *Endpoint { return s.total }

// TotalLatency is the latency state of every request: the endpoints'
// merged, exact up to ExactPerEndpoint latencies.
func (s *Summary) TotalLatency() *Quantiles {
	q := NewQuantiles(ExactPerEndpoint)
	for _, k := range sortedEndpointKeys(s.endpoints) {
		q.merge(s.endpoints[k].Latency)
	}
	return q
}

// Agents are the user agents, the first MaxAgents; OtherAgents counts the
// requests of later ones.
func (s *Summary) Agents() map[string]*Agent { return s.agents }

// Instances are the instances that served requests, by ID.
func (s *Summary) Instances() map[string]*Instance { return s.instances }

// Arrivals is the requests per second of arrival.
func (s *Summary) Arrivals() *BucketCounts { return &s.perSec }

// Errors is the requests with status 5xx or 0 per second of arrival.
func (s *Summary) Errors() *BucketCounts { return &s.errSec }

// StatusPer10s is the requests of a status class (ClassIndex) per 10 s of
// arrival.
func (s *Summary) StatusPer10s(class int) *BucketCounts { return &s.status10[class] }

// EndpointIntervalWidth is the width of the endpoints' latency intervals
// (Endpoint.Intervals).
func (s *Summary) EndpointIntervalWidth() time.Duration {
	return time.Duration(s.epWidth) * time.Second
}

// IntervalWidth is the width of the latency intervals.
func (s *Summary) IntervalWidth() time.Duration { return time.Duration(s.width) * time.Second }

// LatencyBetween is the latency state of the requests that arrived from
// second from (Unix time) to second to, excluded: the intervals they
// cover merged, so exact for multiples of IntervalWidth.
func (s *Summary) LatencyBetween(from, to int64) *Quantiles {
	first := FloorDiv(from, s.width)
	if last := FloorDiv(to-1, s.width); last == first {
		if q := s.intervals[first]; q != nil {
			return q
		}
	}
	q := NewQuantiles(ExactPerInterval)
	for k := first; k <= FloorDiv(to-1, s.width); k++ {
		if iq := s.intervals[k]; iq != nil {
			q.merge(iq)
		}
	}
	return q
}

// Completions is the requests per 100 ms of completion.
func (s *Summary) Completions() *BucketCounts {
	var done BucketCounts
	for _, e := range s.endpoints {
		for _, as := range e.Recon.ByAgent {
			as.Complete.Each(func(b int64, n uint64) { done.add(b, uint32(n)) })
		}
	}
	return &done
}

// Marked is the requests kept for their cold-start marker, the earliest
// MaxMarked, in order.
func (s *Summary) Marked() []Point {
	m := slices.Clone(s.marked)
	slices.SortFunc(m, Point.Compare)
	return m[:min(len(m), MaxMarked)]
}

// Sample is the requests of the latency sample, SampleSize of smallest
// hash (all of a smaller log), in no order.
func (s *Summary) Sample() []Point { return s.sample }

// ClassIndex is a status's class as an index: 2xx, 3xx, 4xx, else 5xx
// (and no status).
func ClassIndex(status int) int { return classIndex(status) }

// Tenth is 100 ms in nanoseconds: the bucket of Completions and of
// AgentSeries.Complete.
const Tenth = int64(100 * time.Millisecond)
