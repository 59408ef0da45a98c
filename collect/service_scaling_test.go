package collect

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/model"
)

// TestReadServiceContainersScalingGPU covers sidecars (every container's
// limits count), service-level scaling, the concurrency default below one
// vCPU and GPUs, in both the v2 and the v1 shapes. Before, CPU and memory
// were containers[0]'s, Service.scaling and the service annotations were
// not read, concurrency defaulted to 80 whatever the CPU, and no GPU was
// seen.
func TestReadServiceContainersScalingGPU(t *testing.T) {
	v2 := func(service, template string) string {
		return `{"name":"projects/p/locations/r/services/s",` + service + `"template":{` + template + `}}`
	}
	v1 := func(serviceAnn, templateAnn, spec string) string {
		return `{"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"s","namespace":"p","labels":{"cloud.googleapis.com/location":"r"},"annotations":{` + serviceAnn + `}},` +
			`"spec":{"template":{"metadata":{"annotations":{` + templateAnn + `}},"spec":{` + spec + `}}}}`
	}
	sidecars := `"containers":[{"image":"app","ports":[{"containerPort":8080}],"resources":{"limits":{"cpu":"2","memory":"4Gi"},"cpuIdle":true}},` +
		`{"image":"proxy","resources":{"limits":{"cpu":"1","memory":"512Mi"}}},{"image":"agent"}]`
	base := model.ServiceConfig{Project: "p", Region: "r", Name: "s", CPU: 1, MemoryMiB: 512, Concurrency: 80, MaxInstances: 100,
		Billing: model.BillingRequest, Containers: 1, ScalingMode: model.ScalingAutomatic}
	with := func(f func(*model.ServiceConfig)) model.ServiceConfig {
		c := base
		f(&c)
		return c
	}
	tests := []struct {
		name, doc string
		want      model.ServiceConfig
	}{
		{"v2 sidecars: limits summed, an unset one at the default", v2("", sidecars), with(func(c *model.ServiceConfig) {
			c.CPU, c.MemoryMiB, c.Containers = 4, 4096+512+512, 3
		})},
		{"v1 sidecars", v1("", "", strings.Replace(sidecars, `,"cpuIdle":true`, "", 1)), with(func(c *model.ServiceConfig) {
			c.CPU, c.MemoryMiB, c.Containers = 4, 4096+512+512, 3
		})},
		{"v2 concurrency default below 1 vCPU", v2("", `"containers":[{"resources":{"limits":{"cpu":"500m","memory":"256Mi"},"cpuIdle":true}}]`), with(func(c *model.ServiceConfig) {
			c.CPU, c.MemoryMiB, c.Concurrency = 0.5, 256, 1
		})},
		{"v1 concurrency default below 1 vCPU", v1("", "", `"containers":[{"resources":{"limits":{"cpu":"0.25"}}}]`), with(func(c *model.ServiceConfig) {
			c.CPU, c.Concurrency = 0.25, 1
		})},
		{"v2 service-level min and max", v2(`"scaling":{"minInstanceCount":3,"maxInstanceCount":7},`, `"scaling":{"minInstanceCount":1,"maxInstanceCount":20},"containers":[{}]`),
			with(func(c *model.ServiceConfig) { c.MinInstances, c.MaxInstances = 3, 7 })},
		{"v2 service-level min only", v2(`"scaling":{"minInstanceCount":2,"scalingMode":"AUTOMATIC"},`, `"containers":[{}]`),
			with(func(c *model.ServiceConfig) { c.MinInstances = 2 })},
		{"v2 manual scaling", v2(`"scaling":{"scalingMode":"MANUAL","manualInstanceCount":4},`, `"scaling":{"maxInstanceCount":20},"containers":[{}]`),
			with(func(c *model.ServiceConfig) {
				c.MinInstances, c.MaxInstances, c.ScalingMode = 4, 4, model.ScalingManual
			})},
		{"v1 service-level minScale", v1(`"run.googleapis.com/minScale":"2"`, `"autoscaling.knative.dev/maxScale":"5"`, `"containers":[{}]`),
			with(func(c *model.ServiceConfig) { c.MinInstances, c.MaxInstances = 2, 5 })},
		{"v1 manual scaling", v1(`"run.googleapis.com/scalingMode":"manual","run.googleapis.com/manualInstanceCount":"3"`, "", `"containers":[{}]`),
			with(func(c *model.ServiceConfig) {
				c.MinInstances, c.MaxInstances, c.ScalingMode = 3, 3, model.ScalingManual
			})},
		{"v2 GPU", v2("", `"nodeSelector":{"accelerator":"nvidia-l4"},"containers":[{"resources":{"limits":{"cpu":"4","memory":"16Gi","nvidia.com/gpu":"1"}}}]`),
			with(func(c *model.ServiceConfig) {
				c.CPU, c.MemoryMiB, c.Billing, c.Accelerator, c.GPUs = 4, 16384, model.BillingInstance, "nvidia-l4", 1
			})},
		{"v1 GPU", v1("", `"run.googleapis.com/cpu-throttling":"false"`, `"nodeSelector":{"run.googleapis.com/accelerator":"nvidia-l4"},"containers":[{"resources":{"limits":{"cpu":"8","memory":"32Gi","nvidia.com/gpu":"1"}}}]`),
			with(func(c *model.ServiceConfig) {
				c.CPU, c.MemoryMiB, c.Billing, c.Accelerator, c.GPUs = 8, 32768, model.BillingInstance, "nvidia-l4", 1
			})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadService("service.json", strings.NewReader(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// "Container terminated on signal 9." is a kill, not a shutdown.
func TestSignalNineIsACrash(t *testing.T) {
	for text, want := range map[string]model.EventKind{
		"Container terminated on signal 9.":       model.EventCrash,
		"Container terminated on signal 15.":      model.EventShutdown,
		"Shutting down instance due to idleness.": model.EventShutdown,
	} {
		if got := eventKind(text); got != want {
			t.Errorf("%q: %s, want %s", text, got, want)
		}
	}
}
