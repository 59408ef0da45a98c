package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// GPUInference is a model server on an NVIDIA L4 GPU under Locust: the
// MobileNetV2 classifier of paper-mobilenet moved to a GPU service (4 vCPU,
// 16 GiB, one nvidia-l4, instance-based billing as Cloud Run requires for
// GPUs). Decoding and resizing each image on the CPU takes most of a
// request, so the GPU, billed for the instances' whole lives, mostly waits.
const GPUInference = "gpu-inference"

var (
	gpuStart  = time.Date(2024, 9, 24, 14, 0, 0, 0, time.UTC)
	gpuWindow = windowOf(gpuStart.Add(-time.Minute), gpuStart.Add(25*time.Minute))
)

func gpuInferenceScenario() engineScenario {
	return engineScenario{
		name: GPUInference,
		platform: Platform{
			Service: Service{
				Project: "runlens-demo", Region: "us-central1", Name: "mobilenet-gpu", Revision: "mobilenet-gpu-00002-ruk",
				URL:   "https://mobilenet-gpu-3kq7nq5gaq-uc.a.run.app",
				Image: "us-central1-docker.pkg.dev/runlens-demo/models/mobilenet-gpu@sha256:5e2a7c9d1b3f4e6a8c0d2f4b6a8e0c2d4f6b8a0c2e4d6f8b0a2c4e6d8f0b2a4c",
				Port:  8080, CPU: "4", Memory: "16Gi", Concurrency: 8, MinInstances: 0, MaxInstances: 3,
				RequestBilling: false, Accelerator: "nvidia-l4", GPUs: 1,
			},
			// CUDA, cuDNN and TensorFlow initialise, then the model is
			// loaded onto the GPU.
			Startup:  Dist{Lo: 22 * time.Second, Hi: 38 * time.Second, Median: 28 * time.Second, Sigma: 0.12},
			IdleKeep: Dist{Lo: 6 * time.Minute, Hi: 12 * time.Minute},
		},
		workload: gpuInferenceWorkload,
		window:   gpuWindow,
		util: Utilization{
			CPUStarting: [2]float64{0.30, 0.60},
			CPUServing:  [2]float64{0.20, 0.45}, // image decoding and resizing
			CPUIdle:     [2]float64{0.002, 0.02},
			Memory:      [2]float64{0.14, 0.18}, // about 2.5 GiB of 16 GiB
			GPUStarting: [2]float64{0, 0.05},
			GPUServing:  [2]float64{0.04, 0.14}, // about 8 ms of GPU in a 110 ms request
			GPUIdle:     [2]float64{0, 0.01},
			GPUMemory:   [2]float64{0.07, 0.09}, // about 2 GB of the L4's 24 GB
		},
		prefix: "mobilenet_gpu",
		check:  checkGPUInference,
	}
}

func buildGPUInference(seed uint64) (*snapshotSpec, error) { return gpuInferenceScenario().build(seed) }

// gpuInferenceWorkload: 12 users spawned at 4/s, wait_time between(0.5,
// 1.5), -t 8m with --stop-timeout; nine in ten requests are images to
// classify.
func gpuInferenceWorkload(*rand.Rand) Workload {
	return Workload{
		LoadTest: LoadTest{Start: gpuStart, Users: 12, SpawnRate: 4, WaitMin: 500 * time.Millisecond, WaitMax: 1500 * time.Millisecond, RunTime: 8 * time.Minute},
		Endpoints: []Endpoint{
			{Method: "POST", Name: "/predict", Weight: 9,
				Service:      Dist{Lo: 60 * time.Millisecond, Hi: 250 * time.Millisecond, Median: 110 * time.Millisecond, Sigma: 0.25},
				RequestBytes: [2]int64{40_571, 120_571}, ResponseBytes: [2]int64{60, 90}},
			{Method: "GET", Name: "/healthz", Weight: 1,
				Service:      Dist{Lo: 2 * time.Millisecond, Hi: 8 * time.Millisecond},
				RequestBytes: [2]int64{240, 260}, ResponseBytes: [2]int64{40, 41}},
		},
		Net:       Dist{Lo: 10 * time.Millisecond, Hi: 30 * time.Millisecond},
		UserAgent: "python-requests/2.31.0", RemoteIP: "203.0.113.91", Protocol: "HTTP/1.1",
	}
}

// checkGPUInference: two instances, started for the first requests (the
// eight the first one can take, then one more), both retired inside the
// window after the load.
func checkGPUInference(run *Run, cr *ClientRun) error {
	if len(run.Instances) != 2 {
		return fmt.Errorf("%d instances, want 2", len(run.Instances))
	}
	for i, in := range run.Instances {
		if in.Retire.IsZero() || !in.Retire.Before(run.Window.End) || in.Retire.Before(cr.Test.Stop()) {
			return fmt.Errorf("instance %d retired at %v; want after the load and inside the window", i+1, in.Retire)
		}
	}
	return nil
}
