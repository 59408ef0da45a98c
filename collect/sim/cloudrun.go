package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/model"
)

// Service is the Cloud Run configuration the model honours.
type Service struct {
	Project, Region, Name, Revision string
	URL                             string // e.g. https://mobilenet-6ypcyxkpwq-ew.a.run.app
	Image                           string
	Port                            int
	CPU                             string // limits.cpu as Cloud Run spells it: "1"
	Memory                          string // limits.memory: "2Gi"
	Concurrency                     int
	MinInstances, MaxInstances      int
	// RequestBilling means CPU is allocated only while requests are in
	// flight (cpuIdle): instances are billed for startup and busy time only.
	RequestBilling bool
	// Accelerator is the GPU type (template.nodeSelector.accelerator, e.g.
	// "nvidia-l4") and GPUs the count in the container's limits
	// ("nvidia.com/gpu"); none when empty.
	Accelerator string
	GPUs        int
	// StartupCPUBoost gives an instance model.BoostedCPU while it starts
	// (resources.startupCpuBoost): its startup is shorter by the share of
	// it that is CPU-bound (Platform.StartupCPUShare).
	StartupCPUBoost bool
}

// cpu is the CPU limit in vCPUs; 1 when CPU does not parse.
func (s Service) cpu() float64 {
	if v, err := collect.ParseCPU(s.CPU); err == nil && v > 0 {
		return v
	}
	return 1
}

// memoryMiB is the memory limit in MiB; 0 when Memory does not parse.
func (s Service) memoryMiB() int64 {
	mib, _ := collect.ParseMemoryMiB(s.Memory)
	return mib
}

// Container is the name Cloud Run gives the service's only container.
func (s Service) Container() string { return s.Name + "-1" }

// Instance is the life of one container instance.
type Instance struct {
	ID     string
	Reason string    // scaling reason, e.g. "AUTOSCALING"
	Start  time.Time // "Starting new instance"
	Ready  time.Time // the startup probe succeeded: it takes requests from here
	Retire time.Time // shut down; zero while still alive at the window's end
	// BaseMiB is the memory the instance uses with no request in flight,
	// once started; zero when memory is not modelled per request.
	BaseMiB float64
	// ExceededMiB is the memory in use when the instance exceeded its
	// memory limit and was terminated at Retire; zero for an instance that
	// was retired or is still alive.
	ExceededMiB int
}

// Crashed reports whether the instance was terminated for exceeding its
// memory limit.
func (in Instance) Crashed() bool { return in.ExceededMiB > 0 }

// Request is one request as the Cloud Run front end logs it.
type Request struct {
	Method, Path string
	Arrival      time.Time     // LogEntry.timestamp
	Latency      time.Duration // httpRequest.latency, including any wait for a starting instance
	Status       int
	RequestSize  int64
	ResponseSize int64
	UserAgent    string
	RemoteIP     string
	Protocol     string
	Instance     int     // index into Run.Instances, set by Route; -1 when rejected before any instance
	MemoryMiB    float64 // memory the request holds on its instance while in flight
	RetainedMiB  float64 // memory it leaves behind on its instance once answered
}

// End is when the response was sent.
func (r Request) End() time.Time { return r.Arrival.Add(r.Latency) }

// Run is what the model knows about one service over one window.
type Run struct {
	Service   Service
	Window    model.Window
	Instances []Instance
	Requests  []Request // sorted by arrival

	idx *runIndex // while metrics are sampled
}

// served returns when instance work on r began: its arrival, or the
// instance's readiness when r waited for the instance to start.
func (r *Run) served(q Request) time.Time {
	if q.Instance < 0 {
		return q.Arrival
	}
	ready := r.Instances[q.Instance].Ready
	if q.Arrival.Before(ready) {
		return ready
	}
	return q.Arrival
}

// Route assigns every request, in arrival order, to an instance: the ready
// one with the fewest requests in flight below the concurrency limit, the
// oldest on a tie; with none ready, the instance that will be ready first
// (starting, or started for this very request), where the request waits. A
// request no instance can take is an error: this model does not start
// instances by itself, the scenario does.
func (r *Run) Route() error {
	slices.SortStableFunc(r.Requests, func(a, b Request) int { return a.Arrival.Compare(b.Arrival) })
	inFlight := make([][]time.Time, len(r.Instances)) // end times of assigned requests
	for i := range r.Requests {
		q := &r.Requests[i]
		for j := range inFlight {
			inFlight[j] = slices.DeleteFunc(inFlight[j], func(end time.Time) bool { return !end.After(q.Arrival) })
		}
		j := r.pick(q.Arrival, inFlight)
		if j < 0 {
			return fmt.Errorf("routing the %s %s request at %s: no instance alive to take it", q.Method, q.Path, q.Arrival.Format(time.RFC3339Nano))
		}
		q.Instance = j
		if q.End().Before(r.served(*q)) {
			return fmt.Errorf("routing the request at %s: its latency %v ends before instance %d is ready", q.Arrival.Format(time.RFC3339Nano), q.Latency, j+1)
		}
		inFlight[j] = append(inFlight[j], q.End())
	}
	return nil
}

func (r *Run) pick(t time.Time, inFlight [][]time.Time) int {
	best, starting := -1, -1
	for j, in := range r.Instances {
		if !in.Retire.IsZero() && !t.Before(in.Retire) {
			continue
		}
		if t.Before(in.Ready) { // starting, or about to be started for this request
			if starting < 0 || in.Ready.Before(r.Instances[starting].Ready) {
				starting = j
			}
			continue
		}
		if len(inFlight[j]) >= r.Service.Concurrency {
			continue
		}
		if best < 0 || len(inFlight[j]) < len(inFlight[best]) {
			best = j
		}
	}
	if best < 0 {
		return starting
	}
	return best
}

// RetireIdle retires instance i idle[i] after its last response (or after
// it became ready, if it served nothing).
func (r *Run) RetireIdle(idle []time.Duration) error {
	if len(idle) != len(r.Instances) {
		return errors.New("retiring instances: one idle time per instance wanted")
	}
	for i := range r.Instances {
		last := r.Instances[i].Ready
		for _, q := range r.Requests {
			if q.Instance == i && q.End().After(last) {
				last = q.End()
			}
		}
		r.Instances[i].Retire = last.Add(idle[i])
	}
	return nil
}

// life is the instance's span, ending at the window's end while alive.
func (r *Run) life(i int) span {
	in := r.Instances[i]
	end := in.Retire
	if end.IsZero() {
		end = r.Window.End
	}
	return span{in.Start, end}
}

// instanceID makes an id like Cloud Run's: a long hex string whose first
// bytes are shared by instances of the same zone.
func instanceID(rng *rand.Rand, prefix string) string {
	const n = 156
	b := make([]byte, 0, n)
	b = append(b, prefix...)
	for len(b) < n {
		b = append(b, hexDigits[rng.IntN(16)])
	}
	return string(b)
}

const hexDigits = "0123456789abcdef"

// randHex returns n random hex digits.
func randHex(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[rng.IntN(16)]
	}
	return string(b)
}
