package collect

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/runlens/runlens/internal/jsonerr"
	"github.com/runlens/runlens/model"
)

// Cloud Run's defaults, applied where a service resource leaves a setting out.
const (
	defaultCPU          = 1.0 // vCPU
	defaultMemoryMiB    = 512
	defaultConcurrency  = 80
	defaultMaxInstances = 100
)

// ReadService reads a Cloud Run service resource: the Admin API v2 Service
// JSON (service.json in a snapshot, `gcloud run services describe` with the
// v2 API) or the v1 Knative Service that `gcloud run services describe
// --format=json` prints.
//
// CPU and memory are the sum of every container's limits (v2
// RevisionTemplate.containers is repeated: the ingress container and its
// sidecars); a container that sets no limit counts Cloud Run's default
// (1 vCPU, 512 MiB). Unset concurrency is 80 when the ingress container
// has 1 vCPU or more and 1 below (the Admin API's documented default);
// unset maximum instances is 100. GPUs: v2 template.nodeSelector.accelerator
// or v1 spec.template.spec.nodeSelector["run.googleapis.com/accelerator"]
// gives the type, a container limit "nvidia.com/gpu" the count (one when
// only the type is set).
//
// Scaling: v2 Service.scaling (service level: min_instance_count,
// max_instance_count, scaling_mode, manual_instance_count) and the v1
// service annotations run.googleapis.com/minScale, scalingMode and
// manualInstanceCount are read beside the revision template's own. Google
// recommends the service level and advises against combining both; where
// both are set, the minimum is the larger and the maximum the smaller.
// Manual scaling keeps manual_instance_count instances: minimum and
// maximum both.
//
// Billing: v1 reads the template annotation run.googleapis.com/cpu-throttling
// ("false" means instance-based). v2 reads containers[0].resources.cpuIdle:
// true means request-based. cpuIdle is a proto3 bool, which JSON output
// omits when false, and the API documents that once resources are set the
// caller must set it to keep request-based billing; so an absent cpuIdle
// means request-based only when the container sets no resources at all.
//
// Startup CPU boost: v2 containers[0].resources.startupCpuBoost, v1 the
// template annotation run.googleapis.com/startup-cpu-boost ("true").
func ReadService(name string, r io.Reader) (*model.ServiceConfig, error) {
	text, err := Decode(r)
	if err != nil {
		return nil, jsonerr.In(name, err)
	}
	data, err := io.ReadAll(text)
	if err != nil {
		return nil, jsonerr.In(name, err)
	}
	cfg, err := parseService(data)
	if err != nil {
		return nil, jsonerr.At(name, data, err) // at the line of a JSON error
	}
	return cfg, nil
}

// parseService tells the v1 and v2 shapes apart and converts either.
func parseService(data []byte) (*model.ServiceConfig, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty file")
	}
	var probe struct {
		APIVersion string          `json:"apiVersion"`
		Kind       string          `json:"kind"`
		Spec       json.RawMessage `json:"spec"`
		Template   json.RawMessage `json:"template"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		if Sniff(data) == FormatYAML {
			return nil, errors.New("YAML, not JSON: export with --format=json")
		}
		return nil, err
	}
	switch {
	case probe.Kind != "" && probe.Kind != "Service":
		return nil, fmt.Errorf("kind %q, want a Cloud Run Service", probe.Kind)
	case probe.APIVersion != "" || probe.Spec != nil:
		return parseKnative(data)
	case probe.Template != nil:
		return parseRunV2(data)
	}
	return nil, errors.New("not a Cloud Run service resource: no template or spec")
}

// runV2 is the part of a v2 Service read here.
type runV2 struct {
	RunService
}

func parseRunV2(data []byte) (*model.ServiceConfig, error) {
	var s runV2
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	cfg := &model.ServiceConfig{Concurrency: s.Template.MaxInstanceRequestConcurrency}
	cfg.Project, cfg.Region, cfg.Name = splitServiceName(s.Name)
	if sc := s.Template.Scaling; sc != nil {
		cfg.MinInstances, cfg.MaxInstances = sc.MinInstanceCount, sc.MaxInstanceCount
	}
	if len(s.Template.Containers) == 0 {
		return nil, errors.New("template.containers is empty")
	}
	if err := setContainers(cfg, s.Template.Containers, "template.containers"); err != nil {
		return nil, err
	}
	if ns := s.Template.NodeSelector; ns != nil && ns.Accelerator != "" {
		cfg.Accelerator = ns.Accelerator
	}
	res := s.Template.Containers[0].Resources
	cfg.Billing = model.BillingInstance
	cfg.StartupCPUBoost = res.StartupCPUBoost
	if res.CPUIdle != nil && *res.CPUIdle || res.CPUIdle == nil && len(res.Limits) == 0 {
		cfg.Billing = model.BillingRequest
	}
	if sc := s.Scaling; sc != nil {
		manual := -1
		if strings.EqualFold(sc.ScalingMode, "MANUAL") {
			manual = 0
			if sc.ManualInstanceCount != nil {
				manual = *sc.ManualInstanceCount
			}
		}
		serviceScaling(cfg, sc.MinInstanceCount, sc.MaxInstanceCount, manual)
	}
	cfg.Revisions = appendRevision(cfg.Revisions, lastSegment(s.LatestReadyRevision))
	for _, t := range s.TrafficStatuses {
		cfg.Revisions = appendRevision(cfg.Revisions, lastSegment(t.Revision))
		cfg.Traffic = append(cfg.Traffic, model.TrafficTarget{Revision: lastSegment(t.Revision), Percent: t.Percent, Tag: t.Tag,
			Latest: strings.HasSuffix(t.Type, "LATEST")})
	}
	applyDefaults(cfg)
	return cfg, nil
}

// serviceScaling applies service-level scaling over the template's: the
// larger minimum, the smaller maximum, or with manual >= 0 that many
// instances exactly.
func serviceScaling(cfg *model.ServiceConfig, minCount, maxCount, manual int) {
	if manual >= 0 {
		cfg.ScalingMode, cfg.MinInstances, cfg.MaxInstances = model.ScalingManual, manual, manual
		return
	}
	cfg.MinInstances = max(cfg.MinInstances, minCount)
	if maxCount > 0 && (cfg.MaxInstances <= 0 || maxCount < cfg.MaxInstances) {
		cfg.MaxInstances = maxCount
	}
}

// setContainers sums the containers' limits, counts their GPUs and keeps
// the ingress container's CPU (the one with a port, else the first) for
// the concurrency default.
func setContainers(cfg *model.ServiceConfig, cs []Container, where string) error {
	ingress := -1
	cpus := make([]float64, len(cs))
	for i, c := range cs {
		var one model.ServiceConfig
		if err := setLimits(&one, c.Resources.Limits, fmt.Sprintf("%s[%d]", where, i)); err != nil {
			return err
		}
		cpus[i] = cmp.Or(one.CPU, defaultCPU)
		cfg.CPU += cpus[i]
		cfg.MemoryMiB += cmp.Or(one.MemoryMiB, defaultMemoryMiB)
		cfg.GPUs += one.GPUs
		if ingress < 0 && len(c.Ports) > 0 {
			ingress = i
		}
	}
	cfg.Containers = len(cs)
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = defaultConcurrency
		if cpus[max(ingress, 0)] < 1 {
			cfg.Concurrency = 1
		}
	}
	return nil
}

// splitServiceName splits "projects/P/locations/R/services/S"; any other
// form is taken as the bare service name.
func splitServiceName(name string) (project, region, service string) {
	p := strings.Split(name, "/")
	if len(p) == 6 && p[0] == "projects" && p[2] == "locations" && p[4] == "services" {
		return p[1], p[3], p[5]
	}
	return "", "", lastSegment(name)
}

func lastSegment(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }

func appendRevision(revs []string, r string) []string {
	if r == "" {
		return revs
	}
	for _, have := range revs {
		if have == r {
			return revs
		}
	}
	return append(revs, r)
}

// knative is the part of a v1 (serving.knative.dev/v1) Service read here.
type knative struct {
	Metadata knativeMeta `json:"metadata"`
	Spec     struct {
		Template struct {
			Metadata knativeMeta `json:"metadata"`
			Spec     struct {
				ContainerConcurrency Int64             `json:"containerConcurrency"`
				Containers           []Container       `json:"containers"`
				NodeSelector         map[string]string `json:"nodeSelector"`
			} `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
	Status struct {
		LatestReadyRevisionName string `json:"latestReadyRevisionName"`
		Traffic                 []struct {
			RevisionName string `json:"revisionName"`
		} `json:"traffic"`
	} `json:"status"`
}

type knativeMeta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// Knative annotations and labels Cloud Run uses.
const (
	annMinScale      = "autoscaling.knative.dev/minScale"
	annMaxScale      = "autoscaling.knative.dev/maxScale"
	annCPUThrottling = "run.googleapis.com/cpu-throttling"
	annCPUBoost      = "run.googleapis.com/startup-cpu-boost"
	// Service-level scaling, on the service's own metadata.
	annServiceMinScale = "run.googleapis.com/minScale"
	annScalingMode     = "run.googleapis.com/scalingMode"
	annManualInstances = "run.googleapis.com/manualInstanceCount"
	nodeSelectorGPU    = "run.googleapis.com/accelerator"
	limitGPU           = "nvidia.com/gpu"
	labelLocation      = "cloud.googleapis.com/location"
)

func parseKnative(data []byte) (*model.ServiceConfig, error) {
	var s knative
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	tpl := s.Spec.Template
	cfg := &model.ServiceConfig{
		Project: s.Metadata.Namespace, Region: s.Metadata.Labels[labelLocation], Name: s.Metadata.Name,
		Concurrency: int(tpl.Spec.ContainerConcurrency), Billing: model.BillingRequest,
	}
	ann := tpl.Metadata.Annotations
	var err error
	if cfg.MinInstances, err = scaleAnnotation(ann, annMinScale); err != nil {
		return nil, err
	}
	if cfg.MaxInstances, err = scaleAnnotation(ann, annMaxScale); err != nil {
		return nil, err
	}
	if strings.EqualFold(strings.TrimSpace(ann[annCPUThrottling]), "false") {
		cfg.Billing = model.BillingInstance
	}
	cfg.StartupCPUBoost = strings.EqualFold(strings.TrimSpace(ann[annCPUBoost]), "true")
	if len(tpl.Spec.Containers) == 0 {
		return nil, errors.New("spec.template.spec.containers is empty")
	}
	if err := setContainers(cfg, tpl.Spec.Containers, "spec.template.spec.containers"); err != nil {
		return nil, err
	}
	cfg.Accelerator = tpl.Spec.NodeSelector[nodeSelectorGPU]
	if err := knativeServiceScaling(cfg, s.Metadata.Annotations); err != nil {
		return nil, err
	}
	cfg.Revisions = appendRevision(cfg.Revisions, s.Status.LatestReadyRevisionName)
	for _, t := range s.Status.Traffic {
		cfg.Revisions = appendRevision(cfg.Revisions, t.RevisionName)
	}
	applyDefaults(cfg)
	return cfg, nil
}

// knativeServiceScaling reads the service-level scaling annotations.
func knativeServiceScaling(cfg *model.ServiceConfig, ann map[string]string) error {
	minCount, err := scaleAnnotation(ann, annServiceMinScale)
	if err != nil {
		return err
	}
	manual := -1
	if strings.EqualFold(strings.TrimSpace(ann[annScalingMode]), "manual") {
		if manual, err = scaleAnnotation(ann, annManualInstances); err != nil {
			return err
		}
	}
	serviceScaling(cfg, minCount, 0, manual)
	return nil
}

// scaleAnnotation reads an instance-count annotation; absent is 0.
func scaleAnnotation(ann map[string]string, key string) (int, error) {
	v, ok := ann[key]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("annotation %s: want a count of instances, got %q", key, v)
	}
	return n, nil
}

// setLimits reads the cpu and memory limits of a container.
func setLimits(cfg *model.ServiceConfig, limits map[string]string, where string) error {
	if v, ok := limits["cpu"]; ok {
		cpu, err := ParseCPU(v)
		if err != nil {
			return fmt.Errorf("%s cpu limit: %w", where, err)
		}
		cfg.CPU = cpu
	}
	if v, ok := limits["memory"]; ok {
		mib, err := ParseMemoryMiB(v)
		if err != nil {
			return fmt.Errorf("%s memory limit: %w", where, err)
		}
		cfg.MemoryMiB = mib
	}
	if v, ok := limits[limitGPU]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return fmt.Errorf("%s %s limit: want a count of GPUs, got %q", where, limitGPU, v)
		}
		cfg.GPUs = n
	}
	return nil
}

func applyDefaults(cfg *model.ServiceConfig) {
	if cfg.CPU == 0 {
		cfg.CPU = defaultCPU
	}
	if cfg.MemoryMiB == 0 {
		cfg.MemoryMiB = defaultMemoryMiB
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = defaultConcurrency
	}
	if cfg.MaxInstances <= 0 && cfg.ScalingMode != model.ScalingManual {
		cfg.MaxInstances = defaultMaxInstances
	}
	if cfg.ScalingMode == "" {
		cfg.ScalingMode = model.ScalingAutomatic
	}
	if cfg.Accelerator != "" && cfg.GPUs == 0 {
		cfg.GPUs = 1
	}
}

// ParseCPU reads a Kubernetes CPU quantity as vCPUs: "1", "2", "0.5", "1000m".
func ParseCPU(s string) (float64, error) {
	t := strings.TrimSpace(s)
	scale := 1.0
	if m, ok := strings.CutSuffix(t, "m"); ok {
		t, scale = m, 1e-3
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !finite(v) || v <= 0 {
		return 0, fmt.Errorf("%q: want a positive quantity like \"1\" or \"1000m\"", s)
	}
	return v * scale, nil
}

// quantitySuffixes are the Kubernetes quantity suffixes, binary first so
// that "Mi" is not read as "M" followed by junk.
var quantitySuffixes = []struct {
	suffix string
	mult   float64
}{
	{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40}, {"Pi", 1 << 50}, {"Ei", 1 << 60},
	{"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18},
}

// ParseMemoryMiB reads a Kubernetes memory quantity ("512Mi", "2Gi", "1G",
// "256M", "1073741824", "129e6") and returns MiB, rounded to the nearest
// MiB when the quantity is decimal (1G is 953.67 MiB, so 954).
func ParseMemoryMiB(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	for _, q := range quantitySuffixes {
		if rest, ok := strings.CutSuffix(t, q.suffix); ok {
			t, mult = rest, q.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !finite(v) || v < 0 {
		return 0, fmt.Errorf("%q: want a quantity like \"512Mi\" or \"2Gi\"", s)
	}
	mib := math.Round(v * mult / (1 << 20))
	if mib < 1 || mib > 1<<40 {
		return 0, fmt.Errorf("%q: %v MiB is out of range", s, mib)
	}
	return int64(mib), nil
}
