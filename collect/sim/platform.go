package sim

import (
	"cmp"
	"math"
	"math/rand/v2"
	"time"

	"github.com/runlens/runlens/model"
)

// Platform is how Cloud Run runs the service in a scenario: its
// configuration and the distributions the model draws from.
type Platform struct {
	Service Service
	// Startup is the cold-start delay: from "Starting new instance" to the
	// startup probe's success, when the instance takes requests, without
	// startup CPU boost; with it (Service.StartupCPUBoost), each startup
	// drawn is scaled by StartupFactor.
	Startup Dist
	// StartupCPUShare is the share of a startup that is CPU-bound, the
	// part startup CPU boost shortens; DefaultStartupCPUShare when 0.
	StartupCPUShare float64
	// Startups, when set, are the first instances' startups in the order
	// they start (a replay's, as observed); later ones draw from Startup.
	Startups []time.Duration
	// IdleKeep is how long an idle instance is kept before it is retired,
	// drawn anew each time it becomes idle; instances beyond MinInstances
	// only.
	IdleKeep Dist
	// MinStart is when the min instances were started (reason
	// MIN_INSTANCE), before the load; they are never retired.
	MinStart time.Time
	// Memory, when set, models memory per instance and per request in
	// flight, and terminates an instance that exceeds its limit.
	Memory *Memory
	// ScaleOutAt, when set, stands for CPU-driven scaling: when an instance
	// works on this many requests at once (its CPU is saturated) and no
	// instance is starting, the autoscaler starts one more; and a starting
	// instance takes at most this many waiting requests, more start another.
	ScaleOutAt int
	// Contention, when set, makes a replayed request's service time grow
	// with the requests in flight on its instance when it begins (k,
	// itself included) by the factor 1 + Contention (k - 1), against the
	// factor at its Arrival.Flight.
	Contention float64
}

// DefaultStartupCPUShare is the CPU-bound share of a startup assumed
// where none is set: with the boost doubling the CPU, it makes startups
// 35 % shorter, the middle of the reductions Google reports for startup CPU
// boost (23 % to 50 %,
// https://cloud.google.com/blog/products/serverless/announcing-startup-cpu-boost-for-cloud-run--cloud-functions).
const DefaultStartupCPUShare = 0.7

// StartupFactor is what startup CPU boost multiplies a startup by: the
// CPU-bound share of it runs on model.BoostedCPU instead of the limit,
// the rest (pulling the image, waiting on the network) takes as long.
func StartupFactor(cpu, share float64) float64 {
	if cpu <= 0 {
		return 1
	}
	return 1 - share + share*cpu/model.BoostedCPU(cpu)
}

// startupFactor is the platform's StartupFactor, 1 without boost.
func (p *Platform) startupFactor() float64 {
	if !p.Service.StartupCPUBoost {
		return 1
	}
	return StartupFactor(p.Service.cpu(), cmp.Or(p.StartupCPUShare, DefaultStartupCPUShare))
}

// Memory is the memory model of an instance: a base once started, plus
// what every request in flight holds. An instance whose use exceeds the
// service's limit is terminated CrashDelay later (if it is still above the
// limit then), with every request in flight on it answered 503.
type Memory struct {
	BaseMiB    [2]float64 // drawn per instance
	CrashDelay Dist
	// RetainedMiB is what each answered request leaves behind (caches,
	// fragmentation): the base grows with every request served.
	RetainedMiB [2]float64
}

// Dist is a distribution of durations: the empirical one of Quantiles
// when they are set, log-normal with median Median and shape Sigma when
// Median is set, else uniform; always clamped to [Lo, Hi].
type Dist struct {
	Lo, Hi time.Duration
	Median time.Duration
	Sigma  float64
	// Quantiles, when set, are the distribution's quantiles at equally
	// spaced probabilities from 0 to 1, ascending: a draw interpolates
	// between the two around a uniform probability.
	Quantiles []time.Duration
}

func (d Dist) draw(rng *rand.Rand) time.Duration {
	if n := len(d.Quantiles); n > 0 {
		if n == 1 {
			return min(max(d.Quantiles[0], d.Lo), d.Hi)
		}
		x := rng.Float64() * float64(n-1)
		i := int(x)
		if i >= n-1 {
			i = n - 2
		}
		lo, hi := d.Quantiles[i], d.Quantiles[i+1]
		v := lo + time.Duration((x-float64(i))*float64(hi-lo))
		return min(max(v, d.Lo), d.Hi)
	}
	if d.Median == 0 {
		if d.Hi <= d.Lo {
			return d.Lo
		}
		return d.Lo + time.Duration(rng.Int64N(int64(d.Hi-d.Lo)))
	}
	v := time.Duration(float64(d.Median) * math.Exp(d.Sigma*rng.NormFloat64()))
	return min(max(v, d.Lo), d.Hi)
}

// uniform draws from [lo, hi).
func uniform(rng *rand.Rand, r [2]float64) float64 { return r[0] + rng.Float64()*(r[1]-r[0]) }

// Endpoint is one kind of request the client sends.
type Endpoint struct {
	Method, Name string // Name as Locust names it: the path without query
	Weight       int    // Locust task weight
	// Query, when set, makes the query string sent and logged with the
	// path (with its "?"); Locust names the request without it.
	Query func(rng *rand.Rand) string
	// Service is the instance time of a request on a warm instance.
	Service                     Dist
	RequestBytes, ResponseBytes [2]int64 // request as logged, response body
	MemoryMiB                   [2]float64
}

// pick draws an endpoint by weight.
func pick(rng *rand.Rand, eps []Endpoint) *Endpoint {
	total := 0
	for _, e := range eps {
		total += e.Weight
	}
	n := rng.IntN(total)
	for i := range eps {
		if n < eps[i].Weight {
			return &eps[i]
		}
		n -= eps[i].Weight
	}
	return &eps[len(eps)-1]
}

func between64(rng *rand.Rand, r [2]int64) int64 {
	if r[1] <= r[0] {
		return r[0]
	}
	return r[0] + rng.Int64N(r[1]-r[0])
}
