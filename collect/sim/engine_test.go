package sim

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixed is a distribution that always gives d.
func fixed(d time.Duration) Dist { return Dist{Lo: d, Hi: d} }

// tinyPlatform: concurrency 1, 2 s startups, idle instances kept 5 s.
func tinyPlatform() Platform {
	return Platform{
		Service:  Service{Name: "t", URL: "https://t.a.run.app", Memory: "1Gi", Concurrency: 1, MaxInstances: 10, RequestBilling: true},
		Startup:  fixed(2 * time.Second),
		IdleKeep: fixed(5 * time.Second),
	}
}

// tinyWorkload: users spawned at once, 500 ms requests, 1 s waits, 10 ms
// of network each way.
func tinyWorkload(users int, runTime time.Duration) Workload {
	return Workload{
		LoadTest:  LoadTest{Start: t0, Users: users, SpawnRate: 1e6, WaitMin: time.Second, WaitMax: time.Second, RunTime: runTime},
		Endpoints: []Endpoint{{Method: "GET", Name: "/", Weight: 1, Service: fixed(500 * time.Millisecond)}},
		Net:       fixed(10 * time.Millisecond),
		UserAgent: "python-requests/2.31.0",
	}
}

func simulateTiny(t *testing.T, p Platform, w Workload) (*Run, *ClientRun) {
	t.Helper()
	run, cr, err := simulate(p, w, windowOf(t0.Add(-time.Minute), at(120_000)), rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return run, cr
}

func reasons(run *Run) []string {
	var out []string
	for _, in := range run.Instances {
		out = append(out, in.Reason)
	}
	return out
}

func statuses(run *Run) map[int]int {
	out := map[int]int{}
	for _, q := range run.Requests {
		out[q.Status]++
	}
	return out
}

// With concurrency 1, two users need two instances: each first request
// waits for its instance's 2 s startup, later ones reuse them; after the
// stop both are retired 5 s after their last response.
func TestEngineStartsAnInstanceWhenNoneHasAFreeSlot(t *testing.T) {
	run, cr := simulateTiny(t, tinyPlatform(), tinyWorkload(2, 10*time.Second))
	if diff := cmp.Diff([]string{"AUTOSCALING", "AUTOSCALING"}, reasons(run)); diff != "" {
		t.Fatalf("instances (-want +got):\n%s", diff)
	}
	if len(run.Requests) != len(cr.Calls) || len(run.Requests) < 10 {
		t.Fatalf("%d server requests for %d calls", len(run.Requests), len(cr.Calls))
	}
	waited := 0
	for _, q := range run.Requests {
		in := run.Instances[q.Instance]
		switch {
		case q.Arrival.Before(in.Ready):
			waited++
			if got := q.Latency - 500*time.Millisecond; got < 1996*time.Millisecond || got > 1999*time.Millisecond {
				t.Errorf("first request waited %v for its instance, want its 2 s startup less 1 to 4 ms", got)
			}
		case q.Latency != 500*time.Millisecond:
			t.Errorf("warm request took %v, want 500ms", q.Latency)
		}
	}
	if waited != 2 {
		t.Errorf("%d requests waited for a start, want 2", waited)
	}
	for i, in := range run.Instances {
		var last time.Time
		for _, q := range run.Requests {
			if q.Instance == i {
				last = maxTime(last, q.End())
			}
		}
		if want := last.Add(5 * time.Second).Truncate(time.Microsecond); !in.Retire.Equal(want) {
			t.Errorf("instance %d retired at %v, want 5 s after its last response, %v", i, in.Retire, want)
		}
	}
}

// A min instance started before the load serves it all and is kept.
func TestEngineKeepsMinInstances(t *testing.T) {
	p := tinyPlatform()
	p.Service.MinInstances, p.MinStart = 1, t0.Add(-30*time.Second)
	run, _ := simulateTiny(t, p, tinyWorkload(1, 10*time.Second))
	if diff := cmp.Diff([]string{"MIN_INSTANCE"}, reasons(run)); diff != "" {
		t.Fatalf("instances (-want +got):\n%s", diff)
	}
	if !run.Instances[0].Retire.IsZero() {
		t.Errorf("min instance retired at %v, want it kept", run.Instances[0].Retire)
	}
	_, system := run.LogEntries(rand.New(rand.NewPCG(1, 2)))
	want := "Starting new instance. Reason: MIN_INSTANCE - Instance started because of customer-configured min-instances or min-instances."
	if len(system) != 2 || system[0].TextPayload != want || system[0].Labels["scaling_reason"] != "MIN_INSTANCE" {
		t.Errorf("system log %+v, want the min-instance start and its probe", system)
	}
}

// Two 20 MiB requests on a 1000 MiB base exceed the 1 GiB limit: the
// instance is terminated 100 ms later with both requests answered 503,
// and the retries start a new instance, which meets the same fate.
func TestEngineMemoryLimitTerminatesTheInstance(t *testing.T) {
	p := tinyPlatform()
	p.Service.Concurrency = 80
	p.Memory = &Memory{BaseMiB: [2]float64{1000, 1000}, CrashDelay: fixed(100 * time.Millisecond)}
	w := tinyWorkload(2, 4*time.Second)
	w.Endpoints[0].MemoryMiB = [2]float64{20, 20}
	run, cr := simulateTiny(t, p, w)
	first := run.Instances[0]
	if first.ExceededMiB != 1040 || !first.Retire.Equal(first.Ready.Add(100*time.Millisecond)) {
		t.Fatalf("first instance: exceeded %d MiB, retired %v after ready; want 1040 MiB, 100ms", first.ExceededMiB, first.Retire.Sub(first.Ready))
	}
	if len(run.Instances) != 2 || run.Instances[1].Reason != "AUTOSCALING" || run.Instances[1].Start.Before(first.Retire) || !run.Instances[1].Crashed() {
		t.Errorf("instances %+v, want a second one started after the termination, terminated too", run.Instances)
	}
	if diff := cmp.Diff(map[int]int{503: 4}, statuses(run)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	for _, c := range cr.Calls {
		if want := "HTTPError('503 Server Error: Service Unavailable for url: https://t.a.run.app/')"; c.Error != want {
			t.Errorf("call error %q, want %q", c.Error, want)
		}
	}
	_, system := run.LogEntries(rand.New(rand.NewPCG(1, 2)))
	var texts []string
	for _, e := range system {
		if e.Severity == "ERROR" {
			texts = append(texts, e.TextPayload)
		}
	}
	text := "Memory limit of 1024 MiB exceeded with 1040 MiB used. Consider increasing the memory limit, see https://cloud.google.com/run/docs/configuring/memory-limits"
	want := []string{text, text}
	if diff := cmp.Diff(want, texts); diff != "" {
		t.Errorf("error entries (-want +got):\n%s", diff)
	}
}

// With max instances 1 and concurrency 1, the second user's first
// request is rejected at once with 429, before any instance.
func TestEngineRejectsAtMaxInstances(t *testing.T) {
	p := tinyPlatform()
	p.Service.MaxInstances = 1
	run, cr := simulateTiny(t, p, tinyWorkload(2, time.Second))
	if len(run.Instances) != 1 || statuses(run)[429] != 1 {
		t.Fatalf("%d instances, statuses %v; want 1 instance and one 429", len(run.Instances), statuses(run))
	}
	requests, _ := run.LogEntries(rand.New(rand.NewPCG(1, 2)))
	for _, e := range requests {
		if _, ok := e.Labels["instanceId"]; ok == (e.HTTPRequest.Status == 429) {
			t.Errorf("status %d entry with labels %v: a rejected request has no instance, others have one", e.HTTPRequest.Status, e.Labels)
		}
	}
	failed := 0
	for _, c := range cr.Calls {
		if c.Error == "HTTPError('429 Client Error: Too Many Requests for url: https://t.a.run.app/')" {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d calls failed with 429, want 1", failed)
	}
}

// Connections refused during an outage never reach the service; with
// KillAtStop the request in flight at the stop is served but abandoned.
func TestEngineRefusedAndKilledAtStop(t *testing.T) {
	p := tinyPlatform()
	p.Service.MinInstances, p.MinStart = 1, t0.Add(-30*time.Second)
	w := tinyWorkload(1, 1800*time.Millisecond)
	w.KillAtStop = true
	w.Refused = []Outage{{t0, t0.Add(10 * time.Millisecond)}}
	w.RefusedAfter, w.RefusedError = fixed(time.Millisecond), connectionRefused
	run, cr := simulateTiny(t, p, w)
	// Sent at 0 (refused, 1 ms), 1.001 s (answered at 1.521 s), 2.521 s:
	// after the stop at 1.8 s, so only two calls.
	if len(cr.Calls) != 2 || cr.Calls[0].Error != connectionRefused || cr.Calls[0].Status != 0 || cr.Calls[1].Abandoned {
		t.Fatalf("calls %+v: want a refused one and an answered one", cr.Calls)
	}
	if len(run.Requests) != 1 {
		t.Errorf("%d server requests, want 1: the refused one never arrived", len(run.Requests))
	}
	w.RunTime = 1200 * time.Millisecond // the second call is in flight at the stop
	run, cr = simulateTiny(t, p, w)
	if len(cr.Calls) != 2 || !cr.Calls[1].Abandoned || len(run.Requests) != 1 || run.Requests[0].Status != 200 {
		t.Errorf("calls %+v, %d server requests: want the second call abandoned and served", cr.Calls, len(run.Requests))
	}
	if got := cr.Stopped[0]; !got.Equal(w.Stop()) {
		t.Errorf("user stopped at %v, want the stop %v", got, w.Stop())
	}
}

// Another client's requests reach the service and are routed like the
// load test's.
func TestEngineOtherClient(t *testing.T) {
	w := tinyWorkload(1, 3*time.Second)
	w.Others = []OtherClient{{Times: []time.Time{at(-20_000), at(60_000)}, Endpoints: w.Endpoints, UserAgent: "k6/0.49.0 (https://k6.io/)"}}
	run, cr := simulateTiny(t, tinyPlatform(), w)
	agents := map[string]int{}
	for _, q := range run.Requests {
		agents[q.UserAgent]++
	}
	want := map[string]int{"k6/0.49.0 (https://k6.io/)": 2, "python-requests/2.31.0": len(cr.Calls)}
	if diff := cmp.Diff(want, agents); diff != "" {
		t.Errorf("server requests by user agent (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(run.Requests[0].UserAgent, "k6/") {
		t.Errorf("first request from %q, want k6's, 20 s before the load test", run.Requests[0].UserAgent)
	}
}
