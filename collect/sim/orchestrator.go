package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// OrchestratorWaiting is the "orchestrator waiting" scenario
// (fixtures/orchestrator-waiting): a recommender
// that calls three downstream services one after another and waits for
// each, on instance-based billing with two min instances, so billable time
// is whole instance lifetimes while the CPU is mostly idle.
const OrchestratorWaiting = "orchestrator-waiting"

var (
	orchStart    = time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC)
	orchMinStart = orchStart.Add(-150 * time.Second) // the deployment that started the min instances
	orchWindow   = windowOf(orchStart.Add(-3*time.Minute), orchStart.Add(15*time.Minute))
)

func orchestratorScenario() engineScenario {
	return engineScenario{
		name: OrchestratorWaiting,
		platform: Platform{
			Service: Service{
				Project: "runlens-demo", Region: "europe-west1", Name: "recommender", Revision: "recommender-00012-paf",
				URL:   "https://recommender-6ypcyxkpwq-ew.a.run.app",
				Image: "europe-west1-docker.pkg.dev/runlens-demo/shop/recommender@sha256:2d7c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d",
				Port:  8080, CPU: "1", Memory: "512Mi", Concurrency: 80, MinInstances: 2, MaxInstances: 20,
				RequestBilling: false,
			},
			Startup:  Dist{Lo: 2500 * time.Millisecond, Hi: 4500 * time.Millisecond},
			IdleKeep: Dist{Lo: 10 * time.Minute, Hi: 15 * time.Minute},
			MinStart: orchMinStart,
		},
		workload: orchestratorWorkload,
		window:   orchWindow,
		util: Utilization{
			CPUStarting: [2]float64{0.35, 0.8},
			CPUServing:  [2]float64{0.015, 0.07}, // waiting on the downstream calls
			CPUIdle:     [2]float64{0.002, 0.015},
			Memory:      [2]float64{0.28, 0.36},
		},
		prefix: "recommender",
		check:  checkOrchestrator,
	}
}

func buildOrchestrator(seed uint64) (*snapshotSpec, error) { return orchestratorScenario().build(seed) }

// orchestratorWorkload: 2 users, wait_time between(3, 6), -t 10m: about
// 0.3 requests a second. GET /recommendations calls the profile, catalog
// and ranking services in turn (1.5 to 3 s, of which under 0.1 s is the
// recommender's own CPU); GET /recommendations/similar calls the catalog,
// embeddings and ranking services (1.5 to 2.8 s).
func orchestratorWorkload(*rand.Rand) Workload {
	return Workload{
		LoadTest: LoadTest{Start: orchStart, Users: 2, SpawnRate: 1, WaitMin: 3 * time.Second, WaitMax: 6 * time.Second, RunTime: 10 * time.Minute},
		Endpoints: []Endpoint{
			{Method: "GET", Name: "/recommendations", Weight: 5,
				Query:        func(rng *rand.Rand) string { return "?user_id=" + strconv.Itoa(1000+rng.IntN(9000)) },
				Service:      Dist{Lo: 1500 * time.Millisecond, Hi: 3 * time.Second, Median: 2100 * time.Millisecond, Sigma: 0.2},
				RequestBytes: [2]int64{280, 300}, ResponseBytes: [2]int64{1800, 4200}},
			{Method: "GET", Name: "/recommendations/similar", Weight: 1,
				Query:        func(rng *rand.Rand) string { return "?item_id=" + strconv.Itoa(100000+rng.IntN(900000)) },
				Service:      Dist{Lo: 1500 * time.Millisecond, Hi: 2800 * time.Millisecond, Median: 1800 * time.Millisecond, Sigma: 0.15},
				RequestBytes: [2]int64{290, 310}, ResponseBytes: [2]int64{1500, 3600}},
		},
		Net:       Dist{Lo: 10 * time.Millisecond, Hi: 30 * time.Millisecond},
		UserAgent: "python-requests/2.31.0", RemoteIP: "203.0.113.140", Protocol: "HTTP/1.1",
	}
}

// checkOrchestrator: the two min instances serve everything and live the
// whole window.
func checkOrchestrator(run *Run, _ *ClientRun) error {
	if len(run.Instances) != 2 {
		return fmt.Errorf("%d instances, want the 2 min instances only", len(run.Instances))
	}
	for i, in := range run.Instances {
		if !in.Retire.IsZero() || in.Reason != "MIN_INSTANCE" {
			return fmt.Errorf("instance %d: reason %s, retired %v; want a min instance alive at the end", i+1, in.Reason, in.Retire)
		}
	}
	return nil
}
