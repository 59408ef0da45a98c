package sim

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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
	for _, tc := range []struct {
		name    string
		request bool
		reqs    []Request
		want    []span
	}{
		// Startup [0, 1000) and the first request [1000, 1150) are one span, rounded up.
		{"startup joins the first request", true, []Request{req(500, 650)}, []span{ms(0, 1200)}},
		{"rounding joins close spans", true, []Request{req(1250, 50), req(1330, 40)}, []span{ms(0, 1000), ms(1250, 1450)}},
		{"separate spans round separately", true, []Request{req(1000, 10), req(5000, 101)}, []span{ms(0, 1100), ms(5000, 5200)}},
		{"exact multiples stay", true, []Request{req(2000, 300)}, []span{ms(0, 1000), ms(2000, 2300)}},
		{"instance-based billing bills the life", false, []Request{req(2000, 300)}, []span{ms(0, 62300)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRun(80, tc.reqs...)
			r.Service.RequestBilling = tc.request
			r.Instances = r.Instances[:1]
			if err := r.Route(); err != nil {
				t.Fatal(err)
			}
			if err := r.RetireIdle([]time.Duration{time.Minute}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, r.billable(0), cmp.AllowUnexported(span{})); diff != "" {
				t.Errorf("billable spans (-want +got):\n%s", diff)
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
