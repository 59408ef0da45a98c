package collect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/model"
)

func svcRead(t *testing.T, file string) (*model.ServiceConfig, error) {
	t.Helper()
	name := filepath.Join("testdata", "service", file)
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return ReadService(name, f)
}

func TestReadService(t *testing.T) {
	tests := []struct {
		file string
		want model.ServiceConfig
	}{
		{"v2_mobilenet_request.json", model.ServiceConfig{
			Project: "runlens-demo", Region: "europe-west1", Name: "mobilenet",
			CPU: 1, MemoryMiB: 2048, Concurrency: 80, MinInstances: 0, MaxInstances: 100,
			Billing: model.BillingRequest, Revisions: []string{"mobilenet-00003-kex"}, Containers: 1, ScalingMode: model.ScalingAutomatic,
			StartupCPUBoost: true, Traffic: []model.TrafficTarget{{Percent: 100, Latest: true}},
		}},
		{"v2_distilbert_instance.json", model.ServiceConfig{ // limits set, cpuIdle omitted (proto3 false)
			Project: "runlens-demo", Region: "us-central1", Name: "distilbert-qa",
			CPU: 2, MemoryMiB: 3072, Concurrency: 1, MinInstances: 1, MaxInstances: 20,
			Billing: model.BillingInstance, Revisions: []string{"distilbert-qa-00005-wuv", "distilbert-qa-00004-nas"}, Containers: 1, ScalingMode: model.ScalingAutomatic,
			StartupCPUBoost: true, Traffic: []model.TrafficTarget{{Revision: "distilbert-qa-00005-wuv", Percent: 90}, {Revision: "distilbert-qa-00004-nas", Percent: 10}},
		}},
		{"v2_defaults.json", model.ServiceConfig{ // no resources, no scaling: Cloud Run's defaults
			Project: "runlens-demo", Region: "asia-northeast1", Name: "hello",
			CPU: 1, MemoryMiB: 512, Concurrency: 80, MaxInstances: 100, Billing: model.BillingRequest, Containers: 1, ScalingMode: model.ScalingAutomatic,
		}},
		{"v1_gcloud_recommender.json", model.ServiceConfig{
			Project: "123456789012", Region: "europe-west4", Name: "recommender",
			CPU: 2, MemoryMiB: 4096, Concurrency: 40, MinInstances: 1, MaxInstances: 10,
			Billing: model.BillingInstance, Revisions: []string{"recommender-00007-lib"}, Containers: 1, ScalingMode: model.ScalingAutomatic,
			StartupCPUBoost: true,
		}},
		{"v1_gcloud_throttled.json", model.ServiceConfig{ // 1G = 10^9 bytes = 953.67 MiB
			Project: "runlens-demo", Region: "us-east1", Name: "llm-monolith",
			CPU: 1, MemoryMiB: 954, Concurrency: 80, MaxInstances: 3,
			Billing: model.BillingRequest, Revisions: []string{"llm-monolith-00012-bop"}, Containers: 1, ScalingMode: model.ScalingAutomatic,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := svcRead(t, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadServiceV2Billing(t *testing.T) {
	doc := func(resources string) string {
		return `{"name": "projects/p/locations/r/services/s", "template": {"containers": [{"image": "i"` + resources + `}]}}`
	}
	tests := []struct {
		name, in, want string
	}{
		{"cpuIdle true", doc(`, "resources": {"limits": {"cpu": "1"}, "cpuIdle": true}`), model.BillingRequest},
		{"cpuIdle false", doc(`, "resources": {"limits": {"cpu": "1"}, "cpuIdle": false}`), model.BillingInstance},
		{"limits without cpuIdle", doc(`, "resources": {"limits": {"cpu": "1"}}`), model.BillingInstance},
		{"empty resources", doc(`, "resources": {}`), model.BillingRequest},
		{"no resources", doc(``), model.BillingRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadService("s.json", strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got.Billing != tt.want {
				t.Errorf("billing %q, want %q", got.Billing, tt.want)
			}
		})
	}
}

func TestReadServiceErrors(t *testing.T) {
	tests := []struct {
		name, file, in, want string
	}{
		{"yaml", "v1_gcloud.yaml", "", "testdata/service/v1_gcloud.yaml: YAML, not JSON: export with --format=json"},
		{"revision", "v1_revision.json", "", `testdata/service/v1_revision.json: kind "Revision", want a Cloud Run Service`},
		{"time series", "", `{"timeSeries": []}`, "in.json: not a Cloud Run service resource"},
		{"syntax", "", "{\n  \"template\": {\n    \"containers\": [,]\n  }\n}", "in.json:3: invalid character ','"},
		{"type", "", "{\n  \"template\": {\"maxInstanceRequestConcurrency\": \"eighty\"}\n}", "in.json:2: want an integer at RunService.template.maxInstanceRequestConcurrency, got a string"},
		{"no containers", "", `{"name": "s", "template": {"containers": []}}`, "in.json: template.containers is empty"},
		{"v1 no containers", "", `{"apiVersion": "serving.knative.dev/v1", "kind": "Service", "spec": {}}`, "spec.template.spec.containers is empty"},
		{"bad cpu", "", `{"template": {"containers": [{"resources": {"limits": {"cpu": "lots"}}}]}}`, `template.containers[0] cpu limit: "lots"`},
		{"bad memory", "", `{"template": {"containers": [{"resources": {"limits": {"memory": "2 GB"}}}]}}`, `template.containers[0] memory limit: "2 GB"`},
		{"bad maxScale", "", `{"apiVersion": "serving.knative.dev/v1", "spec": {"template": {"metadata": {"annotations": {"autoscaling.knative.dev/maxScale": "ten"}}}}}`, `annotation autoscaling.knative.dev/maxScale: want a count of instances, got "ten"`},
		{"empty", "", "", "in.json: empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.file != "" {
				_, err = svcRead(t, tt.file)
			} else {
				_, err = ReadService("in.json", strings.NewReader(tt.in))
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseMemoryMiB(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"512Mi", 512, false}, {"2Gi", 2048, false}, {"1.5Gi", 1536, false}, {"32Gi", 32768, false},
		{"1G", 954, false},   // 1e9 / 2^20 = 953.67
		{"256M", 244, false}, // 2.56e8 / 2^20 = 244.14
		{"524288Ki", 512, false}, {"2147483648", 2048, false}, {"129e6", 123, false}, {" 4Gi ", 4096, false},
		{"1Ti", 1 << 20, false}, {"500k", 0, true}, {"", 0, true}, {"-1Gi", 0, true}, {"2GB", 0, true},
		{"NaNGi", 0, true}, {"1Ei", 1 << 40, false}, {"2Ei", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseMemoryMiB(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseMemoryMiB(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseCPU(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  bool
	}{
		{"1", 1, false}, {"2", 2, false}, {"1000m", 1, false}, {"500m", 0.5, false}, {"0.25", 0.25, false},
		{"8", 8, false}, {"0", 0, true}, {"-1", 0, true}, {"m", 0, true}, {"", 0, true}, {"Inf", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseCPU(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseCPU(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
