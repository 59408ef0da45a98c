package sim

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/model"
)

var t0 = time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC)

// at is t0 plus ms milliseconds.
func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func req(arrivalMs, latencyMs int) Request {
	return Request{Method: "GET", Path: "/", Arrival: at(arrivalMs), Latency: time.Duration(latencyMs) * time.Millisecond, Status: 200}
}

func testRun(concurrency int, reqs ...Request) *Run {
	return &Run{
		Service: Service{Concurrency: concurrency, RequestBilling: true},
		Window:  windowOf(t0, at(600_000)),
		Instances: []Instance{
			{ID: "a", Start: at(0), Ready: at(1000)},
			{ID: "b", Start: at(2000), Ready: at(3000)},
		},
		Requests: reqs,
	}
}

func TestRoute(t *testing.T) {
	for _, tc := range []struct {
		name        string
		concurrency int
		reqs        []Request
		want        []int
	}{
		{"waits for the starting instance", 80, []Request{req(0, 1500), req(10, 1200)}, []int{0, 0}},
		{"fewest in flight, oldest on a tie", 80, []Request{req(3000, 500), req(3100, 500), req(3200, 500), req(4000, 100)}, []int{0, 1, 0, 0}},
		{"concurrency limit", 1, []Request{req(1000, 5000), req(3500, 100), req(3600, 100)}, []int{0, 1, 1}},
		{"order of arrival", 80, []Request{req(3100, 500), req(3000, 500)}, []int{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRun(tc.concurrency, tc.reqs...)
			if err := r.Route(); err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, q := range r.Requests {
				got = append(got, q.Instance)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("instances (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRouteErrors(t *testing.T) {
	r := testRun(1, req(1000, 5000), req(1500, 100)) // b is not started yet, a is full
	r.Instances = r.Instances[:1]
	if err := r.Route(); err == nil {
		t.Error("Route with every instance full succeeded, want an error")
	}
	r = testRun(80, req(0, 500)) // ends before the instance is ready
	if err := r.Route(); err == nil {
		t.Error("Route of a request answered before its instance was ready succeeded, want an error")
	}
}

func TestBillable(t *testing.T) {
	ms := func(a, b int) span { return span{at(a), at(b)} }
	// The instance starts at 0 and is ready at 1000 ms; it is retired a
	// minute after its last response unless it is a min instance, alive
	// until the window's end at 600 s.
	for _, tc := range []struct {
		name    string
		request bool // request-based billing; else instance-based
		min     bool // a min instance: never retired
		reqs    []Request
		want    []span
		total   time.Duration
	}{
		// The five cases of the billing model, computed by hand.
		// Startup 1000 ms stays; busy [5000, 6030) is 1030 ms, billed 1100.
		{"rounding to 100 ms", true, false, []Request{req(5000, 1030)}, []span{ms(0, 1000), ms(5000, 6100)}, 2100 * time.Millisecond},
		// [5000, 5600) and [5300, 6250) overlap: one busy span of 1250 ms,
		// billed once as 1300, not 600 + 950 rounded to 1600.
		{"concurrency overlap", true, false, []Request{req(5000, 600), req(5300, 950)}, []span{ms(0, 1000), ms(5000, 6300)}, 2300 * time.Millisecond},
		// Startup, then 200 ms and 50 ms (billed 100): the 14 s between
		// them and the minute before retirement are not billed.
		{"request-based billing", true, false, []Request{req(5000, 200), req(20_000, 50)}, []span{ms(0, 1000), ms(5000, 5200), ms(20_000, 20_100)}, 1300 * time.Millisecond},
		// The same requests: the whole life, from the start to the
		// retirement 60 s after the last response at 20 050 ms.
		{"instance-based billing", false, false, []Request{req(5000, 200), req(20_000, 50)}, []span{ms(0, 80_050)}, 80_050 * time.Millisecond},
		// A min instance that serves nothing is billed its whole life, to
		// the window's end, under instance-based billing...
		{"min instances idle", false, true, nil, []span{ms(0, 600_000)}, 600 * time.Second},
		// ...and only its startup under request-based billing.
		{"min instances idle, request-based", true, true, nil, []span{ms(0, 1000)}, time.Second},
		// Startup [0, 1000) and the first request [1000, 1150) are one span, rounded up.
		{"startup joins the first request", true, false, []Request{req(500, 650)}, []span{ms(0, 1200)}, 1200 * time.Millisecond},
		{"rounding joins close spans", true, false, []Request{req(1250, 50), req(1330, 40)}, []span{ms(0, 1000), ms(1250, 1450)}, 1200 * time.Millisecond},
		{"separate spans round separately", true, false, []Request{req(1000, 10), req(5000, 101)}, []span{ms(0, 1100), ms(5000, 5200)}, 1300 * time.Millisecond},
		{"exact multiples stay", true, false, []Request{req(2000, 300)}, []span{ms(0, 1000), ms(2000, 2300)}, 1300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRun(80, tc.reqs...)
			r.Service.RequestBilling = tc.request
			r.Instances = r.Instances[:1]
			if err := r.Route(); err != nil {
				t.Fatal(err)
			}
			if !tc.min {
				if err := r.RetireIdle([]time.Duration{time.Minute}); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tc.want, r.billable(0), cmp.AllowUnexported(span{})); diff != "" {
				t.Errorf("billable spans (-want +got):\n%s", diff)
			}
			if got := r.billableTotal(); got != tc.total {
				t.Errorf("billable time %v, want %v", got, tc.total)
			}
		})
	}
}

func TestConcurrencyAndIdle(t *testing.T) {
	r := testRun(80, req(1000, 500), req(1200, 500), req(1400, 100), req(1700, 100))
	r.Instances = r.Instances[:1]
	if err := r.Route(); err != nil {
		t.Fatal(err)
	}
	if err := r.RetireIdle([]time.Duration{10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if got := r.concurrency(0, at(0), at(60_000)); got != 3 {
		t.Errorf("concurrency = %d, want 3 (at 1400 ms)", got)
	}
	if got := r.concurrency(0, at(1500), at(60_000)); got != 1 {
		t.Errorf("concurrency from 1500 ms = %d, want 1 (spans are half-open)", got)
	}
	if got, want := r.Instances[0].Retire, at(11_800); !got.Equal(want) {
		t.Errorf("retired at %v, want %v (10 s after the last response)", got, want)
	}
	idle := subtract(r.life(0), r.active(0))
	want := []span{{at(1800), at(11_800)}}
	if diff := cmp.Diff(want, idle, cmp.AllowUnexported(span{})); diff != "" {
		t.Errorf("idle spans (-want +got):\n%s", diff)
	}
}

// Startup CPU boost multiplies each startup by StartupFactor: the CPU-bound
// share of it runs on the boosted CPU (twice the limit, at most 8 vCPU).
func TestStartupCPUBoost(t *testing.T) {
	for _, tc := range []struct {
		cpu, share, want float64
	}{
		{1, 0.7, 0.65},  // 2 vCPU instead of 1: 30 % + 70 % / 2
		{2, 1, 0.5},     // 4 instead of 2, all of it CPU-bound: half
		{4, 0.46, 0.77}, // 8 instead of 4
		{6, 0.7, 1 - 0.7 + 0.7*6.0/8},
		{8, 0.7, 1}, // 8 vCPU is not boosted further
	} {
		if got := StartupFactor(tc.cpu, tc.share); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("StartupFactor(%g, %g) = %g, want %g", tc.cpu, tc.share, got, tc.want)
		}
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	startup := func(boost bool, share float64) time.Duration {
		p := Platform{Service: Service{Name: "s", CPU: "1", Memory: "512Mi", Concurrency: 1, MaxInstances: 1, StartupCPUBoost: boost},
			Startup: Dist{Lo: 4 * time.Second, Hi: 4 * time.Second}, IdleKeep: Dist{Lo: time.Minute, Hi: time.Minute}, StartupCPUShare: share}
		run, err := Replay(p, Columns([]Arrival{{At: t0.Add(time.Second), Service: 100 * time.Millisecond}}), model.Window{Start: t0, End: t0.Add(time.Minute)}, 1)
		if err != nil {
			t.Fatal(err)
		}
		in := run.Instances[0]
		return in.Ready.Sub(in.Start)
	}
	if off, on := startup(false, 0), startup(true, 0); off != 4*time.Second || on != 2600*time.Millisecond {
		t.Errorf("a 4 s startup on 1 vCPU: %v without boost, %v with it; want 4 s and 2.6 s (70 %% of it CPU-bound, on 2 vCPU)", off, on)
	}
	if on := startup(true, 1); on != 2*time.Second {
		t.Errorf("a 4 s startup, all CPU-bound, with boost: %v, want 2 s", on)
	}
}
