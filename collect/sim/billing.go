package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runlens/runlens/model"
)

// HourUsage is what a simulated service used in one UTC hour, from the
// model's own instances and requests (its ground truth, not an analysis
// of the snapshot): the billable spans of every instance as Cloud Run
// bills them (billable), times the CPU and memory limits, the extra CPU
// of startup CPU boost, and the requests, by arrival. Under request-based
// billing a minimum instance's time outside its rounded startup and busy
// spans is idle, billed at the idle rates: IdleVCPUSeconds and
// IdleGiBSeconds, apart from VCPUSeconds and GiBSeconds.
type HourUsage struct {
	Start                           time.Time
	InstanceSeconds                 float64
	VCPUSeconds, GiBSeconds         float64
	IdleVCPUSeconds, IdleGiBSeconds float64
	GPUSeconds                      float64
	Requests                        int64
	// ResponseBytes is the size of the responses of the hour's requests:
	// what left the service, for a bill's network egress.
	ResponseBytes int64
}

// BilledUsage realises the scenario with the seed, as Write does, and
// returns its service and its billable usage per UTC hour with any usage,
// in order.
func BilledUsage(scenario string, seed uint64) (Service, []HourUsage, error) {
	for _, s := range scenarios {
		if s.name == scenario {
			spec, err := s.build(seed)
			if err != nil {
				return Service{}, nil, err
			}
			return spec.run.Service, spec.run.hourUsage(), nil
		}
	}
	return Service{}, nil, fmt.Errorf("simulating: unknown scenario %q (known: %s)", scenario, strings.Join(Scenarios(), ", "))
}

// hourUsage adds up the run's billable usage per hour.
func (r *Run) hourUsage() []HourUsage {
	byHour := map[time.Time]*HourUsage{}
	at := func(h time.Time) *HourUsage {
		if u, ok := byHour[h]; ok {
			return u
		}
		u := &HourUsage{Start: h}
		byHour[h] = u
		return u
	}
	cpu, gib, gpus := r.Service.cpu(), float64(r.Service.memoryMiB())/1024, float64(r.Service.GPUs)
	for i := range r.Instances {
		for _, b := range r.billable(i) {
			for h, d := range hourly(b) {
				u := at(h)
				u.InstanceSeconds += d.Seconds()
				u.VCPUSeconds += d.Seconds() * cpu
				u.GiBSeconds += d.Seconds() * gib
				u.GPUSeconds += d.Seconds() * gpus
			}
		}
		for _, idle := range r.idleMin(i) {
			for h, d := range hourly(idle) {
				u := at(h)
				u.VCPUSeconds -= d.Seconds() * cpu
				u.GiBSeconds -= d.Seconds() * gib
				u.IdleVCPUSeconds += d.Seconds() * cpu
				u.IdleGiBSeconds += d.Seconds() * gib
			}
		}
		if r.Service.StartupCPUBoost {
			for h, d := range hourly(r.boosted(i)) {
				at(h).VCPUSeconds += d.Seconds() * (model.BoostedCPU(cpu) - cpu)
			}
		}
	}
	for _, q := range r.Requests {
		u := at(q.Arrival.UTC().Truncate(time.Hour))
		u.Requests++
		u.ResponseBytes += q.ResponseSize
	}
	out := make([]HourUsage, 0, len(byHour))
	for _, u := range byHour {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b HourUsage) int { return a.Start.Compare(b.Start) })
	return out
}

// idleMin is the idle time of instance i when it is a minimum instance
// under request-based billing: its life outside its rounded startup and
// busy spans.
func (r *Run) idleMin(i int) []span {
	if !r.Service.RequestBilling || r.Instances[i].Reason != minInstanceReason {
		return nil
	}
	return subtract(r.life(i), r.roundedActive(i))
}

// ServiceUsage is a service's billable usage per hour.
type ServiceUsage struct {
	Service Service
	Hours   []HourUsage
}

// AuditProjectUsage is the billable usage of each service of the audit
// project (AuditProject) with the seed, in AuditServices' order: its run's,
// and that of its revision without traffic that holds instances.
func AuditProjectUsage(seed uint64) ([]ServiceUsage, error) {
	var out []ServiceUsage
	for _, s := range auditServices() {
		run, err := s.run(seed)
		if err != nil {
			return nil, err
		}
		hours := run.hourUsage()
		if s.stale != nil {
			stale, err := s.staleRun(seed)
			if err != nil {
				return nil, err
			}
			hours = addHours(hours, stale.hourUsage())
		}
		out = append(out, ServiceUsage{Service: run.Service, Hours: hours})
	}
	return out, nil
}

// addHours adds b's hours to a's.
func addHours(a, b []HourUsage) []HourUsage {
	byHour := map[time.Time]HourUsage{}
	for _, u := range slices.Concat(a, b) {
		v := byHour[u.Start]
		v.Start = u.Start
		v.InstanceSeconds += u.InstanceSeconds
		v.VCPUSeconds += u.VCPUSeconds
		v.GiBSeconds += u.GiBSeconds
		v.IdleVCPUSeconds += u.IdleVCPUSeconds
		v.IdleGiBSeconds += u.IdleGiBSeconds
		v.GPUSeconds += u.GPUSeconds
		v.Requests += u.Requests
		v.ResponseBytes += u.ResponseBytes
		byHour[u.Start] = v
	}
	out := make([]HourUsage, 0, len(byHour))
	for _, u := range byHour {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b HourUsage) int { return a.Start.Compare(b.Start) })
	return out
}

// boosted is instance i's span of startup CPU boost: its startup, and
// under instance-based billing model.BoostAfterReady more within its life.
func (r *Run) boosted(i int) span {
	in := r.Instances[i]
	s := span{in.Start, in.Ready}
	if !r.Service.RequestBilling {
		s.end = minTime(in.Ready.Add(model.BoostAfterReady), r.life(i).end)
	}
	return s
}

// hourly splits s at UTC hour boundaries: each hour's start and the time
// of s within it.
func hourly(s span) map[time.Time]time.Duration {
	out := map[time.Time]time.Duration{}
	for h := s.start.UTC().Truncate(time.Hour); h.Before(s.end); h = h.Add(time.Hour) {
		if d := s.overlap(h, h.Add(time.Hour)); d > 0 {
			out[h] += d
		}
	}
	return out
}
