package gcp

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

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
	copySnapshot(t, filepath.Join("..", "..", "fixtures", "paper-mobilenet"), dir)
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
