// Package sim simulates a Cloud Run service under a load test and writes
// what it did as a runlens snapshot.
//
// The Cloud Run model (cloudrun.go, spans.go, metrics.go, logs.go) knows
// instances that start, become ready and are retired when idle or
// terminated over their memory limit, requests routed to instances within
// the concurrency limit, billing rounded up to 100 ms (request-based or
// instance-based), and how Cloud Monitoring samples its metrics per minute.
// The load-test model (client.go, workload.go, locust*.go) runs
// Locust-like users and computes Locust's own statistics and CSV files,
// on the client's clock. The engine (engine.go, exchange.go, platform.go)
// plays both together as a discrete-event simulation: new instances when
// none has a free slot, cold-start delays drawn from a distribution, min
// and max instances, memory crashes, connection failures, other clients,
// users killed at the stop. A scenario (paper.go, coldstarts.go,
// orchestrator.go, fatcontainer.go, clockskew.go, gpuinference.go) sets the
// parameters; a service with GPUs (Service.Accelerator) also gets its GPU
// utilization and GPU memory metrics. A scenario that sets
// Utilization.Around (around.go) also gets Cloud Logging's byte_count per
// log and Cloud Run's sent_bytes_count per kind, drawn from its requests
// and instances, for the audit's costs around a service. Write turns a scenario and a seed
// into a snapshot directory: the same seed gives byte-identical files.
// Replay plays observed traffic again (Arrivals, held in columns), and
// RunParts hands its run to snapshot.Assemble without writing it: its
// requests as collect reads them, none of them a log entry.
package sim
