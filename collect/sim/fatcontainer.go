package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// FatContainer is the "fat container" scenario (fixtures/fat-container): a whole application with a
// large language model in one container, concurrency 80, 1 vCPU and
// 2 GiB, whose memory grows with the requests in flight until instances
// exceed the limit, are terminated with their requests, and are replaced.
const FatContainer = "fat-container"

var (
	fatStart  = time.Date(2024, 7, 16, 13, 0, 0, 0, time.UTC)
	fatWindow = windowOf(fatStart.Add(-time.Minute), fatStart.Add(12*time.Minute))
)

func fatContainerScenario() engineScenario {
	return engineScenario{
		name: FatContainer,
		platform: Platform{
			Service: Service{
				Project: "runlens-demo", Region: "us-central1", Name: "monolith-llm", Revision: "monolith-llm-00007-xod",
				URL:   "https://monolith-llm-3kq7nq5gaq-uc.a.run.app",
				Image: "us-central1-docker.pkg.dev/runlens-demo/apps/monolith-llm@sha256:7e6d5c4b3a291807f6e5d4c3b2a1908f7e6d5c4b3a291807f6e5d4c3b2a19080",
				Port:  8080, CPU: "1", Memory: "2Gi", Concurrency: 80, MinInstances: 0, MaxInstances: 10,
				RequestBilling: true,
			},
			Startup:  Dist{Lo: 19 * time.Second, Hi: 30 * time.Second, Median: 24 * time.Second, Sigma: 0.1},
			IdleKeep: Dist{Lo: 8 * time.Minute, Hi: 14 * time.Minute},
			Memory: &Memory{BaseMiB: [2]float64{1480, 1560}, CrashDelay: Dist{Lo: 200 * time.Millisecond, Hi: 1500 * time.Millisecond},
				RetainedMiB: [2]float64{2, 8}},
			ScaleOutAt: 3,
		},
		workload: fatContainerWorkload,
		window:   fatWindow,
		util: Utilization{
			CPUStarting:        [2]float64{0.8, 1.0}, // loading the model
			CPUServing:         [2]float64{0.85, 1.0},
			CPUIdle:            [2]float64{0.002, 0.03},
			Memory:             [2]float64{-0.008, 0.008},
			MemoryFromRequests: true,
		},
		prefix: "monolith",
		check:  checkFatContainer,
	}
}

func buildFatContainer(seed uint64) (*snapshotSpec, error) { return fatContainerScenario().build(seed) }

// fatContainerWorkload: 8 users spawned at 1/s, wait_time between(2, 6),
// -t 10m. POST /generate holds 70 to 140 MiB for its KV cache while it
// runs, POST /summarize 50 to 110 MiB, the home page next to nothing.
func fatContainerWorkload(*rand.Rand) Workload {
	return Workload{
		LoadTest: LoadTest{Start: fatStart, Users: 8, SpawnRate: 1, WaitMin: 2 * time.Second, WaitMax: 6 * time.Second, RunTime: 10 * time.Minute},
		Endpoints: []Endpoint{
			{Method: "POST", Name: "/generate", Weight: 6,
				Service:      Dist{Lo: 1800 * time.Millisecond, Hi: 12 * time.Second, Median: 4500 * time.Millisecond, Sigma: 0.35},
				RequestBytes: [2]int64{600, 2400}, ResponseBytes: [2]int64{900, 4800}, MemoryMiB: [2]float64{70, 140}},
			{Method: "POST", Name: "/summarize", Weight: 2,
				Service:      Dist{Lo: 1200 * time.Millisecond, Hi: 8 * time.Second, Median: 3 * time.Second, Sigma: 0.3},
				RequestBytes: [2]int64{3000, 16000}, ResponseBytes: [2]int64{400, 1500}, MemoryMiB: [2]float64{50, 110}},
			{Method: "GET", Name: "/", Weight: 2,
				Service:      Dist{Lo: 15 * time.Millisecond, Hi: 60 * time.Millisecond},
				RequestBytes: [2]int64{240, 260}, ResponseBytes: [2]int64{5200, 5400}, MemoryMiB: [2]float64{1, 4}},
		},
		Net:       Dist{Lo: 8 * time.Millisecond, Hi: 25 * time.Millisecond},
		UserAgent: "python-requests/2.31.0", RemoteIP: "198.51.100.77", Protocol: "HTTP/1.1",
	}
}

// checkFatContainer: at least 3 instances exceed the memory limit, with
// requests in flight, and every crash is followed by a new instance.
func checkFatContainer(run *Run, _ *ClientRun) error {
	crashes, failed := 0, 0
	for _, in := range run.Instances {
		if in.Crashed() {
			crashes++
		}
	}
	for _, q := range run.Requests {
		if q.Status >= 500 {
			failed++
		}
	}
	if crashes < 3 || failed < crashes {
		return fmt.Errorf("%d memory-limit crashes with %d requests answered 5xx; want 3 or more, with requests", crashes, failed)
	}
	return nil
}
