package sim

import "time"

// Arrivals are requests to play again (Replay) in columns: each of
// millions of requests holds its arrival, endpoint and service time, not a
// copy of its strings. Row i is Row(i).
type Arrivals struct {
	Start time.Time
	// Offset is each arrival's time after Start.
	Offset []time.Duration
	// Endpoint indexes Endpoints: the method, path and user agent.
	Endpoint  []int32
	Endpoints []ArrivalEndpoint
	Service   []time.Duration
	// RequestSize and ResponseSize are as logged.
	RequestSize, ResponseSize []int64
	// Flight is Arrival.Flight.
	Flight []int32
	// MemoryMiB, Follows and Think are nil where every arrival has 0.
	MemoryMiB []float64
	Follows   []int32
	Think     []time.Duration
}

// ArrivalEndpoint is what arrivals share: their method, path and user
// agent.
type ArrivalEndpoint struct{ Method, Path, UserAgent string }

// Columns are the arrivals in columns, their times after the first's.
func Columns(rows []Arrival) *Arrivals {
	a := &Arrivals{Offset: make([]time.Duration, len(rows)), Endpoint: make([]int32, len(rows)), Service: make([]time.Duration, len(rows)),
		RequestSize: make([]int64, len(rows)), ResponseSize: make([]int64, len(rows)), Flight: make([]int32, len(rows))}
	if len(rows) > 0 {
		a.Start = rows[0].At
		for _, r := range rows {
			if r.At.Before(a.Start) {
				a.Start = r.At
			}
		}
	}
	index := map[ArrivalEndpoint]int32{}
	for i, r := range rows {
		ep := ArrivalEndpoint{r.Method, r.Path, r.UserAgent}
		k, ok := index[ep]
		if !ok {
			k = int32(len(a.Endpoints))
			index[ep] = k
			a.Endpoints = append(a.Endpoints, ep)
		}
		a.Offset[i], a.Endpoint[i], a.Service[i] = r.At.Sub(a.Start), k, r.Service
		a.RequestSize[i], a.ResponseSize[i], a.Flight[i] = r.RequestSize, r.ResponseSize, int32(r.Flight)
		if r.MemoryMiB != 0 {
			if a.MemoryMiB == nil {
				a.MemoryMiB = make([]float64, len(rows))
			}
			a.MemoryMiB[i] = r.MemoryMiB
		}
		if r.Follows != 0 || r.Think != 0 {
			if a.Follows == nil {
				a.Follows, a.Think = make([]int32, len(rows)), make([]time.Duration, len(rows))
			}
			a.Follows[i], a.Think[i] = int32(r.Follows), r.Think
		}
	}
	return a
}

// Len is the number of arrivals.
func (a *Arrivals) Len() int { return len(a.Offset) }

// Row is arrival i.
func (a *Arrivals) Row(i int) Arrival {
	ep := a.Endpoints[a.Endpoint[i]]
	r := Arrival{At: a.Start.Add(a.Offset[i]), Method: ep.Method, Path: ep.Path, UserAgent: ep.UserAgent, Service: a.Service[i],
		RequestSize: a.RequestSize[i], ResponseSize: a.ResponseSize[i], Flight: int(a.Flight[i])}
	if a.MemoryMiB != nil {
		r.MemoryMiB = a.MemoryMiB[i]
	}
	if a.Follows != nil {
		r.Follows, r.Think = int(a.Follows[i]), a.Think[i]
	}
	return r
}
