package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// ClockSkewAndStrays is the "clock skew and stray traffic" scenario
// (fixtures/clock-skew-and-strays): the
// client's clock is 2.5 s ahead of the server's, another client (k6) hits
// the service in the same window, Locust is stopped with requests in
// flight, and for a moment connections are refused before reaching the
// service.
const ClockSkewAndStrays = "clock-skew-and-strays"

// clockOffset is the client's clock minus the server's.
const clockOffset = 2500 * time.Millisecond

var (
	// Locust started at 14:00:00.000 on the client's clock.
	skewStart  = time.Date(2024, 5, 21, 14, 0, 0, 0, time.UTC).Add(-clockOffset)
	skewWindow = windowOf(time.Date(2024, 5, 21, 13, 58, 0, 0, time.UTC), time.Date(2024, 5, 21, 14, 6, 0, 0, time.UTC))
	// skewOutage is when the local proxy Locust went through was restarted.
	skewOutage = Outage{From: skewStart.Add(100 * time.Second), To: skewStart.Add(101*time.Second + 200*time.Millisecond)}
)

func clockSkewScenario() engineScenario {
	return engineScenario{
		name: ClockSkewAndStrays,
		platform: Platform{
			Service: Service{
				Project: "runlens-demo", Region: "europe-west1", Name: "catalog-api", Revision: "catalog-api-00021-tex",
				URL:   "https://catalog-api-6ypcyxkpwq-ew.a.run.app",
				Image: "europe-west1-docker.pkg.dev/runlens-demo/shop/catalog-api@sha256:5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b",
				Port:  8080, CPU: "1", Memory: "512Mi", Concurrency: 80, MinInstances: 0, MaxInstances: 20,
				RequestBilling: true,
			},
			Startup:  Dist{Lo: 1800 * time.Millisecond, Hi: 3200 * time.Millisecond},
			IdleKeep: Dist{Lo: 8 * time.Minute, Hi: 15 * time.Minute},
		},
		workload: clockSkewWorkload,
		window:   skewWindow,
		util: Utilization{
			CPUStarting: [2]float64{0.4, 0.8},
			CPUServing:  [2]float64{0.2, 0.6},
			CPUIdle:     [2]float64{0.002, 0.02},
			Memory:      [2]float64{0.3, 0.38},
		},
		prefix: "catalog",
		check:  checkClockSkew,
	}
}

func buildClockSkew(seed uint64) (*snapshotSpec, error) { return clockSkewScenario().build(seed) }

// skewPace is the locustfile's custom wait_time: 12-second phases of
// busier and quieter browsing, so that the request rate has a shape to
// align on.
func skewPace(elapsed time.Duration) (time.Duration, time.Duration) {
	phases := [][2]time.Duration{
		{200 * time.Millisecond, 600 * time.Millisecond},
		{1500 * time.Millisecond, 3 * time.Second},
		{100 * time.Millisecond, 300 * time.Millisecond},
		{3 * time.Second, 5 * time.Second},
		{500 * time.Millisecond, 1200 * time.Millisecond},
		{0, 200 * time.Millisecond},
		{2 * time.Second, 4 * time.Second},
	}
	p := phases[int(elapsed/(12*time.Second))%len(phases)]
	return p[0], p[1]
}

// clockSkewWorkload: 24 FastHttpUsers spawned at 1/s with the phased
// wait_time, -t 3m and no --stop-timeout; 40 k6 smoke-test requests, one
// every 2.5 s from 45 s before Locust's start.
func clockSkewWorkload(rng *rand.Rand) Workload {
	products := Endpoint{Method: "GET", Name: "/products", Weight: 4,
		Service:      Dist{Lo: 35 * time.Millisecond, Hi: 140 * time.Millisecond, Median: 70 * time.Millisecond, Sigma: 0.3},
		RequestBytes: [2]int64{230, 250}, ResponseBytes: [2]int64{6000, 14000}}
	k6 := OtherClient{Endpoints: []Endpoint{products}, UserAgent: "k6/0.49.0 (https://k6.io/)", RemoteIP: "192.0.2.45", Protocol: "HTTP/1.1"}
	for i := range 40 {
		k6.Times = append(k6.Times, skewStart.Add(-45*time.Second+time.Duration(i)*2500*time.Millisecond+time.Duration(rng.Int64N(int64(300*time.Millisecond)))))
	}
	return Workload{
		LoadTest: LoadTest{Start: skewStart, Users: 24, SpawnRate: 1, RunTime: 3 * time.Minute, KillAtStop: true, Offset: clockOffset},
		Endpoints: []Endpoint{
			products,
			{Method: "GET", Name: "/search", Weight: 3,
				Query: func(rng *rand.Rand) string {
					return "?q=" + searchTerms[rng.IntN(len(searchTerms))] + "&page=" + strconv.Itoa(1+rng.IntN(3))
				},
				Service:      Dist{Lo: 60 * time.Millisecond, Hi: 320 * time.Millisecond, Median: 130 * time.Millisecond, Sigma: 0.35},
				RequestBytes: [2]int64{250, 280}, ResponseBytes: [2]int64{3000, 9000}},
			{Method: "POST", Name: "/cart", Weight: 2,
				Service:      Dist{Lo: 40 * time.Millisecond, Hi: 200 * time.Millisecond, Median: 90 * time.Millisecond, Sigma: 0.3},
				RequestBytes: [2]int64{380, 520}, ResponseBytes: [2]int64{300, 700}},
		},
		Pace:         skewPace,
		Net:          Dist{Lo: 12 * time.Millisecond, Hi: 30 * time.Millisecond},
		UserAgent:    "python/gevent-http-client-2.0.11",
		RemoteIP:     "203.0.113.9",
		Protocol:     "HTTP/1.1",
		Refused:      []Outage{skewOutage},
		RefusedAfter: Dist{Lo: 400 * time.Microsecond, Hi: 2500 * time.Microsecond},
		RefusedError: connectionRefused,
		Others:       []OtherClient{k6},
	}
}

var searchTerms = []string{"shoes", "lamp", "desk", "kettle", "backpack", "jacket", "headphones", "mug"}

// checkClockSkew: 3 to 8 requests in flight at the stop, 8 to 16 refused
// connections, the k6 requests both before and during the Locust run.
func checkClockSkew(run *Run, cr *ClientRun) error {
	abandoned, refused := 0, 0
	for _, c := range cr.Calls {
		switch {
		case c.Abandoned:
			abandoned++
		case c.Error == connectionRefused:
			refused++
		}
	}
	if abandoned < 3 || abandoned > 8 || refused < 8 || refused > 16 {
		return fmt.Errorf("%d requests in flight at the stop, %d refused; want 3 to 8 and 8 to 16", abandoned, refused)
	}
	return nil
}
