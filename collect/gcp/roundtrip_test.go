package gcp

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/internal/fixturetest"
	"github.com/runlens/runlens/model"
	"github.com/runlens/runlens/render"
)

// reportJSON analyzes a snapshot and renders the JSON report, with the
// snapshot's directory replaced by SNAPSHOT in the source paths.
func reportJSON(t *testing.T, dir string) string {
	t.Helper()
	ds, err := snapshot.Load(dir)
	must(t, err)
	rpt := analyze.Run(ds, analyze.Options{Generated: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
	var buf bytes.Buffer
	must(t, render.JSON(&buf, rpt))
	return strings.ReplaceAll(buf.String(), filepath.ToSlash(dir)+"/", "SNAPSHOT/")
}

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

// TestLiveRoundTrip serves each fixture snapshot from the fake, collects
// it through the real Google clients with the fixture's own project,
// service and window, and requires the collected snapshot's report to equal
// the fixture's, byte for byte.
func TestLiveRoundTrip(t *testing.T) {
	for _, fixture := range fixturetest.Dirs(t, filepath.Join("..", "..", "fixtures"), 1) {
		t.Run(filepath.Base(fixture), func(t *testing.T) { roundTrip(t, fixture) })
	}
}

func roundTrip(t *testing.T, fixture string) {
	ds, err := snapshot.Load(fixture)
	must(t, err)
	res, cfg := collectFixture(t, fixture)

	want, got := reportJSON(t, fixture), reportJSON(t, cfg.OutDir)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report of the collected snapshot (-fixture +collected):\n%s", diff)
	}
	// The collection's own counts, stated outright.
	if res.Requests != len(ds.Requests) || res.SystemEntries == 0 || res.Series == 0 {
		t.Errorf("collected %d requests (fixture %d), %d system entries, %d series", res.Requests, len(ds.Requests), res.SystemEntries, res.Series)
	}
	pages := (len(ds.Requests)+999)/1000 + 1
	if n := res.Manifest.APICalls["ListLogEntries"]; n != pages {
		t.Errorf("%d ListLogEntries calls, want %d: one per page of each log", n, pages)
	}
	metrics := len(Metrics)
	if ds.Service != nil && ds.Service.Accelerator != "" {
		metrics += len(GPUMetrics)
	}
	if n := res.Manifest.APICalls["ListTimeSeries"]; n != metrics {
		t.Errorf("%d ListTimeSeries calls, want one per metric (%d)", n, metrics)
	}
	if len(res.Manifest.Warnings) != 0 {
		t.Errorf("warnings: %q", res.Manifest.Warnings)
	}
	checkSameFiles(t, fixture, cfg.OutDir)
}

// checkSameFiles requires the collected snapshot to hold a file for every
// data file of the fixture, and no other.
func checkSameFiles(t *testing.T, fixture, collected string) {
	t.Helper()
	list := func(dir string) []string {
		var out []string
		for _, sub := range []string{".", snapshot.MetricsDir, snapshot.ClientDir} {
			ents, _ := os.ReadDir(filepath.Join(dir, sub))
			for _, e := range ents {
				if e.Type().IsRegular() && filepath.Ext(e.Name()) != ".md" {
					out = append(out, filepath.ToSlash(filepath.Join(sub, e.Name())))
				}
			}
		}
		return out
	}
	if diff := cmp.Diff(list(fixture), list(collected)); diff != "" {
		t.Errorf("snapshot files (-fixture +collected):\n%s", diff)
	}
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
		rel := model.MetricFile(m)
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
			fixturetest.CopyTree(t, gpuFixture, dir, nil)
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

// TestSidecarCost prices a two-container service end to end: the
// paper-mobilenet snapshot with its service.json given a sidecar, read
// offline and collected from fake-gcp through the real clients.
//
// paper-mobilenet bills 239.1 s of instance time (the
// billable_instance_time metric) at Tier 1 request-based prices
// ($0.000024 per vCPU-second, $0.0000025 per GiB-second, $0.40 per
// million requests) for 425 requests. Its ingress container has 1 vCPU
// and 2 GiB; the sidecar added here (an OpenTelemetry collector) 1 vCPU
// and 512 MiB. Cloud Run bills every container, so by hand:
//
//	summed limits (2 vCPU, 2.5 GiB):
//	  vCPU   239.1 × 2   = 478.2 vCPU-s  × 0.000024  = $0.0114768
//	  memory 239.1 × 2.5 = 597.75 GiB-s  × 0.0000025 = $0.001494375
//	  requests 425 / 1e6 × 0.40                      = $0.00017
//	  total                                          = $0.013141175
//	first container only (1 vCPU, 2 GiB), as runlens priced it before:
//	  vCPU   239.1 × 1   = 239.1 vCPU-s  × 0.000024  = $0.0057384
//	  memory 239.1 × 2   = 478.2 GiB-s   × 0.0000025 = $0.0011955
//	  requests                                       = $0.00017
//	  total                                          = $0.0071039
//	difference: 239.1 × (1 × 0.000024 + 0.5 × 0.0000025) = $0.006037275
//
// The unchanged fixture is the first-container-only case: its single
// container is the ingress container above.
func TestSidecarCost(t *testing.T) {
	dir := t.TempDir()
	fixturetest.CopyTree(t, filepath.Join("..", "..", "fixtures", "paper-mobilenet"), dir, nil)
	addSidecar(t, filepath.Join(dir, snapshot.ServiceFile))

	opts := analyze.Options{Generated: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	load := func(d string) *analyze.Report {
		ds, err := snapshot.Load(d)
		must(t, err)
		return analyze.Run(ds, opts)
	}
	first, sidecar := load(filepath.Join("..", "..", "fixtures", "paper-mobilenet")), load(dir)

	if s := sidecar.Service; s.Containers != 2 || s.CPU != 2 || s.MemoryMiB != 2560 || s.Billing != model.BillingRequest {
		t.Errorf("service = %+v, want 2 containers, 2 vCPU, 2560 MiB, request-based", s)
	}
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"billable seconds", sidecar.Cost.BillableInstanceSeconds, 239.1},
		{"vCPU-seconds, summed limits", sidecar.Cost.VCPUSeconds, 478.2},
		{"GiB-seconds, summed limits", sidecar.Cost.MemoryGiBSeconds, 597.75},
		{"total, summed limits", sidecar.Cost.TotalUSD, 0.013141175},
		{"vCPU-seconds, first container", first.Cost.VCPUSeconds, 239.1},
		{"GiB-seconds, first container", first.Cost.MemoryGiBSeconds, 478.2},
		{"total, first container", first.Cost.TotalUSD, 0.0071039},
		{"difference", sidecar.Cost.TotalUSD - first.Cost.TotalUSD, 0.006037275},
	} {
		if math.Abs(f.got-f.want) > 1e-9*math.Max(1, math.Abs(f.want)) {
			t.Errorf("%s = %.12g, want %.12g", f.name, f.got, f.want)
		}
	}
	if sidecar.Cost.ResourceSource != "limits" {
		t.Errorf("resource source %q, want limits (no allocation_time metric in the snapshot)", sidecar.Cost.ResourceSource)
	}

	// Live: the Admin API's repeated containers survive the fake, the
	// client and service.json, and the report is the offline one.
	res, cfg := collectFixture(t, dir)
	if len(res.Manifest.Warnings) != 0 {
		t.Errorf("warnings: %q", res.Manifest.Warnings)
	}
	var svc collect.RunService
	b, err := os.ReadFile(filepath.Join(cfg.OutDir, snapshot.ServiceFile))
	must(t, err)
	must(t, json.Unmarshal(b, &svc))
	if n := len(svc.Template.Containers); n != 2 {
		t.Errorf("collected service.json has %d containers, want 2", n)
	}
	if diff := cmp.Diff(reportJSON(t, dir), reportJSON(t, cfg.OutDir)); diff != "" {
		t.Errorf("report of the collected snapshot (-offline +collected):\n%s", diff)
	}
}

// addSidecar gives a v2 service.json a second container: an OpenTelemetry
// collector with 1 vCPU and 512 MiB and no port.
func addSidecar(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	var svc map[string]any
	must(t, json.Unmarshal(b, &svc))
	tpl := svc["template"].(map[string]any)
	tpl["containers"] = append(tpl["containers"].([]any), map[string]any{
		"name":      "otel-collector",
		"image":     "us-docker.pkg.dev/cloud-ops-agents-artifacts/google-cloud-opentelemetry-collector/otelcol-google:0.121.0",
		"resources": map[string]any{"limits": map[string]any{"cpu": "1", "memory": "512Mi"}},
	})
	b, err = json.MarshalIndent(svc, "", "  ")
	must(t, err)
	must(t, os.WriteFile(path, b, 0o644))
}
