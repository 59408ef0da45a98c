package gcp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

// gpuFixture is fixtures/gpu-inference: a service with one nvidia-l4.
const gpuFixture = "../../fixtures/gpu-inference"

// collectFixture serves a snapshot from the fake and collects it with the
// window, project, region and service of its manifest, and its load-test
// files.
func collectFixture(t *testing.T, dir string) (*Result, Config) {
	t.Helper()
	ds, err := snapshot.Load(dir)
	must(t, err)
	m := ds.Manifest
	fake := startFake(t, dir)
	client, err := filepath.Glob(filepath.Join(dir, snapshot.ClientDir, "*"))
	must(t, err)
	cfg := Config{
		Project: m.Project, Region: m.Region, Service: m.Service, Start: m.Window.Start, End: m.Window.End,
		Endpoint: fake.Addr(), OutDir: t.TempDir(), ClientFiles: client, LogCallBudget: 1_000_000, CallTimeout: 10 * time.Second,
	}
	res, err := Collect(deadline(t), cfg)
	must(t, err)
	return res, cfg
}

// gpuSeries returns a dataset's series of the GPU metrics.
func gpuSeries(ds *model.Dataset) []model.Series {
	var out []model.Series
	for _, s := range ds.Metrics {
		if strings.Contains(s.Metric, "/gpu/") {
			out = append(out, s)
		}
	}
	return out
}

// TestLiveGPUMetrics collects fixtures/gpu-inference from fake-gcp
// through the real clients: the service's accelerator makes the collector
// read the two GPU metrics besides the others, and they come back as the
// fixture has them, so that the report's GPU utilization and its gpu_idle
// finding are the same live and offline.
func TestLiveGPUMetrics(t *testing.T) {
	res, cfg := collectFixture(t, gpuFixture)
	if n := res.Manifest.APICalls["ListTimeSeries"]; n != len(Metrics)+len(GPUMetrics) {
		t.Errorf("%d ListTimeSeries calls, want %d: every metric and the GPU ones", n, len(Metrics)+len(GPUMetrics))
	}
	for _, m := range GPUMetrics {
		rel := snapshot.MetricFile(m)
		if _, err := os.Stat(filepath.Join(cfg.OutDir, rel)); err != nil {
			t.Errorf("%s not written: %v", rel, err)
		}
		if src := res.Manifest.Sources[rel]; !strings.HasPrefix(src, "Cloud Monitoring ListTimeSeries, ALIGN_DELTA per 1m0s") {
			t.Errorf("manifest source of %s = %q, want a ListTimeSeries query aligned with ALIGN_DELTA", rel, src)
		}
	}
	want, err := snapshot.Load(gpuFixture)
	must(t, err)
	got, err := snapshot.Load(cfg.OutDir)
	must(t, err)
	if len(gpuSeries(want)) != 2 {
		t.Fatalf("the fixture has %d GPU series, want 2", len(gpuSeries(want)))
	}
	if diff := cmp.Diff(gpuSeries(want), gpuSeries(got)); diff != "" {
		t.Errorf("GPU series (-fixture +collected):\n%s", diff)
	}
	if got.Service == nil || got.Service.Accelerator != "nvidia-l4" || got.Service.GPUs != 1 {
		t.Errorf("collected service %+v, want one nvidia-l4", got.Service)
	}
	opts := analyze.Options{Generated: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	wr, gr := analyze.Run(want, opts), analyze.Run(got, opts)
	if diff := cmp.Diff(wr.Resources, gr.Resources); diff != "" || !gr.Resources.HasGPU {
		t.Errorf("resources (-fixture +collected), has GPU %v:\n%s", gr.Resources.HasGPU, diff)
	}
	if wr.Cost.GPUSeconds != gr.Cost.GPUSeconds || gr.Cost.GPUSeconds <= 0 {
		t.Errorf("GPU-seconds: fixture %v, collected %v", wr.Cost.GPUSeconds, gr.Cost.GPUSeconds)
	}
	idle := false
	for _, f := range gr.Findings {
		idle = idle || f.ID == "gpu_idle"
	}
	if !idle {
		t.Errorf("no gpu_idle finding in the collected snapshot's report: %+v", gr.Findings)
	}
}

// TestLiveGPUMetricsFollowTheAccelerator serves the gpu-inference data
// with its service in other forms: without an accelerator no GPU metric is
// asked for (and none written, though the fake has them); with the v1
// (Knative) form's run.googleapis.com/accelerator node selector they are.
func TestLiveGPUMetricsFollowTheAccelerator(t *testing.T) {
	for _, tc := range []struct {
		name    string
		service func(t *testing.T, v2 map[string]any) any
		calls   int
	}{
		{"no accelerator", func(t *testing.T, v2 map[string]any) any {
			tpl := v2["template"].(map[string]any)
			delete(tpl, "nodeSelector")
			for _, c := range tpl["containers"].([]any) {
				delete(c.(map[string]any)["resources"].(map[string]any)["limits"].(map[string]any), "nvidia.com/gpu")
			}
			return v2
		}, len(Metrics)},
		{"v1 node selector", func(*testing.T, map[string]any) any { return knativeGPUService() }, len(Metrics) + len(GPUMetrics)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copySnapshot(t, gpuFixture, dir)
			b, err := os.ReadFile(filepath.Join(dir, snapshot.ServiceFile))
			must(t, err)
			var v2 map[string]any
			must(t, json.Unmarshal(b, &v2))
			b, err = json.Marshal(tc.service(t, v2))
			must(t, err)
			must(t, os.WriteFile(filepath.Join(dir, snapshot.ServiceFile), b, 0o644))

			res, cfg := collectFixture(t, dir)
			if n := res.Manifest.APICalls["ListTimeSeries"]; n != tc.calls {
				t.Errorf("%d ListTimeSeries calls, want %d", n, tc.calls)
			}
			got, err := snapshot.Load(cfg.OutDir)
			must(t, err)
			if n, want := len(gpuSeries(got)), (tc.calls-len(Metrics))/len(GPUMetrics)*2; n != want {
				t.Errorf("%d GPU series collected, want %d", n, want)
			}
		})
	}
}

// knativeGPUService is the gpu-inference service as `gcloud run services
// describe --format=json` prints it (v1): the GPU type in the template's
// nodeSelector, the count in the container's limits.
func knativeGPUService() any {
	return map[string]any{
		"apiVersion": "serving.knative.dev/v1", "kind": "Service",
		"metadata": map[string]any{"name": "mobilenet-gpu", "namespace": "runlens-demo",
			"labels": map[string]any{"cloud.googleapis.com/location": "us-central1"}},
		"spec": map[string]any{"template": map[string]any{
			"metadata": map[string]any{"annotations": map[string]any{
				"autoscaling.knative.dev/maxScale": "3", "run.googleapis.com/cpu-throttling": "false"}},
			"spec": map[string]any{
				"containerConcurrency": 8,
				"nodeSelector":         map[string]any{"run.googleapis.com/accelerator": "nvidia-l4"},
				"containers": []any{map[string]any{"image": "mobilenet-gpu", "ports": []any{map[string]any{"containerPort": 8080}},
					"resources": map[string]any{"limits": map[string]any{"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"}}}},
			},
		}},
		"status": map[string]any{"latestReadyRevisionName": "mobilenet-gpu-00002-ruk"},
	}
}

// copySnapshot copies a snapshot's files (top level, metrics/, client/).
func copySnapshot(t *testing.T, from, to string) {
	t.Helper()
	for _, sub := range []string{".", snapshot.MetricsDir, snapshot.ClientDir} {
		ents, err := os.ReadDir(filepath.Join(from, sub))
		must(t, err)
		must(t, os.MkdirAll(filepath.Join(to, sub), 0o755))
		for _, e := range ents {
			if !e.Type().IsRegular() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(from, sub, e.Name()))
			must(t, err)
			must(t, os.WriteFile(filepath.Join(to, sub, e.Name()), b, 0o644))
		}
	}
}
