package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// ContinuousColdStarts is the "continuous cold starts" scenario
// (fixtures/continuous-coldstarts): a
// DistilBERT question-answering service with concurrency 1 under steady
// Locust traffic, where idle instances are retired within seconds and new
// ones keep starting, each making one request wait about 10 s.
const ContinuousColdStarts = "continuous-coldstarts"

var (
	coldStart  = time.Date(2024, 4, 9, 15, 0, 0, 0, time.UTC)
	coldWindow = windowOf(coldStart.Add(-time.Minute), coldStart.Add(13*time.Minute))
)

func coldStartsScenario() engineScenario {
	return engineScenario{
		name: ContinuousColdStarts,
		platform: Platform{
			Service: Service{
				Project: "runlens-demo", Region: "us-central1", Name: "distilbert-qa", Revision: "distilbert-qa-00003-wuz",
				URL:   "https://distilbert-qa-3kq7nq5gaq-uc.a.run.app",
				Image: "us-central1-docker.pkg.dev/runlens-demo/models/distilbert-qa@sha256:9b1f0c2d3e4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e",
				Port:  8080, CPU: "2", Memory: "3Gi", Concurrency: 1, MinInstances: 0, MaxInstances: 100,
				RequestBilling: true,
			},
			Startup:  Dist{Lo: 8400 * time.Millisecond, Hi: 11200 * time.Millisecond, Median: 9600 * time.Millisecond, Sigma: 0.07},
			IdleKeep: Dist{Lo: 2 * time.Second, Hi: 20 * time.Second},
		},
		workload: coldStartsWorkload,
		window:   coldWindow,
		util: Utilization{
			CPUStarting: [2]float64{0.55, 0.95}, // loading torch and the model
			CPUServing:  [2]float64{0.55, 0.92},
			CPUIdle:     [2]float64{0.001, 0.02},
			Memory:      [2]float64{0.47, 0.56}, // about 1.5 GiB of 3 GiB
		},
		prefix: "distilbert",
		check:  checkColdStarts,
	}
}

func buildColdStarts(seed uint64) (*snapshotSpec, error) { return coldStartsScenario().build(seed) }

// coldStartsWorkload: 14 users spawned at 2/s, wait_time between(1, 3),
// -t 10m with --stop-timeout: about 4 requests a second, nine in ten of
// them questions.
func coldStartsWorkload(*rand.Rand) Workload {
	return Workload{
		LoadTest: LoadTest{Start: coldStart, Users: 14, SpawnRate: 2, WaitMin: time.Second, WaitMax: 3 * time.Second, RunTime: 10 * time.Minute},
		Endpoints: []Endpoint{
			{Method: "POST", Name: "/answer", Weight: 9, Service: Dist{Lo: 560 * time.Millisecond, Hi: 1200 * time.Millisecond, Median: 820 * time.Millisecond, Sigma: 0.18},
				RequestBytes: [2]int64{900, 3200}, ResponseBytes: [2]int64{70, 260}},
			{Method: "GET", Name: "/healthz", Weight: 1, Service: Dist{Lo: 3 * time.Millisecond, Hi: 14 * time.Millisecond},
				RequestBytes: [2]int64{240, 260}, ResponseBytes: [2]int64{15, 16}},
		},
		Net:       Dist{Lo: 8 * time.Millisecond, Hi: 25 * time.Millisecond},
		UserAgent: "python-requests/2.31.0", RemoteIP: "198.51.100.23", Protocol: "HTTP/1.1",
	}
}

// coldSteady is the steady part of the run: after the ramp and first
// minute, until the last 30 s.
func coldSteady(lt LoadTest) (time.Time, time.Time) {
	return lt.Start.Add(time.Minute), lt.Stop().Add(-30 * time.Second)
}

// checkColdStarts: at least 10 instances start in the steady part, in
// every two minutes of it, and their first requests wait about 10 s.
func checkColdStarts(run *Run, cr *ClientRun) error {
	from, to := coldSteady(cr.Test)
	buckets := map[int]bool{}
	steady := 0
	for _, in := range run.Instances {
		if !in.Start.Before(from) && in.Start.Before(to) {
			steady++
			buckets[int(in.Start.Sub(from)/(2*time.Minute))] = true
		}
	}
	if steady < 10 || len(buckets) < 4 {
		return fmt.Errorf("%d instances started in the steady part, in %d of its two-minute spans; want 10 or more in 4", steady, len(buckets))
	}
	return nil
}
