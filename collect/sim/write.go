package sim

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/internal/atomicfile"
	"github.com/runlens/runlens/model"
)

// DefaultSeed is the seed the bundled fixtures are made with.
const DefaultSeed uint64 = 1

// scenarios are the scenarios Write knows, in the order Scenarios lists them.
var scenarios = []struct {
	name  string
	build func(seed uint64) (*snapshotSpec, error)
}{
	{PaperMobileNet, func(seed uint64) (*snapshotSpec, error) {
		p, err := buildPaper(seed)
		if err != nil {
			return nil, err
		}
		return p.spec(), nil
	}},
	{ContinuousColdStarts, buildColdStarts},
	{OrchestratorWaiting, buildOrchestrator},
	{FatContainer, buildFatContainer},
	{ClockSkewAndStrays, buildClockSkew},
	{GPUInference, buildGPUInference},
}

// Scenarios lists the scenarios Write knows.
func Scenarios() []string {
	var out []string
	for _, s := range scenarios {
		out = append(out, s.name)
	}
	return out
}

// Write simulates the scenario with the seed and writes the snapshot to
// dir, creating it: manifest.json, requests.ndjson.gz, system.ndjson.gz,
// metrics/*.json, service.json and the load test's files in client/. The
// same scenario and seed give byte-identical files.
func Write(dir, scenario string, seed uint64) error {
	for _, s := range scenarios {
		if s.name == scenario {
			spec, err := s.build(seed)
			if err != nil {
				return err
			}
			return spec.write(dir)
		}
	}
	return fmt.Errorf("simulating: unknown scenario %q (known: %s)", scenario, strings.Join(Scenarios(), ", "))
}

func windowOf(start, end time.Time) model.Window { return model.Window{Start: start, End: end} }

// snapshotSpec is a realised scenario, ready to be written.
type snapshotSpec struct {
	scenario string
	seed     uint64
	uid      string // the service's uid
	run      *Run
	client   *ClientRun
	util     Utilization
	prefix   string // Locust's --csv prefix
	locust   locustOptions
}

// spec is the paper scenario's snapshot.
func (p *paper) spec() *snapshotSpec {
	return &snapshotSpec{scenario: PaperMobileNet, seed: p.seed, uid: p.uid(), run: p.run, client: p.client,
		util: paperUtilization, prefix: "mobilenet", locust: locustOptions{percentiles: paperPercentiles}}
}

// parts are the realisation as a snapshot's parts, before they are
// encoded; files are the names the manifest lists.
func (sp *snapshotSpec) parts() (snapshot.Parts, []string, error) {
	p, files, err := sp.partsWithout()
	p.Requests, p.System = sp.run.LogEntries(stream(sp.seed, "logs"))
	return p, files, err
}

// partsWithout are parts without the log entries, which the caller makes.
func (sp *snapshotSpec) partsWithout() (snapshot.Parts, []string, error) {
	run := sp.run
	metrics, err := run.Metrics(stream(sp.seed, "metrics"), sp.util)
	if err != nil {
		return snapshot.Parts{}, nil, err
	}
	p := snapshot.Parts{Service: run.Service.Resource(sp.uid), Metrics: map[string]collect.ListTimeSeriesResponse{}}
	files := []string{snapshot.RequestsFile, snapshot.SystemFile, snapshot.ServiceFile}
	for _, m := range metrics {
		name := model.MetricFile(m.Type)
		files = append(files, name)
		p.Metrics[name] = m.Response
	}
	return p, files, nil
}

// write stores the realisation as a snapshot.
func (sp *snapshotSpec) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("simulating into %s: %w", dir, err)
	}
	p, files, err := sp.parts()
	if err != nil {
		return err
	}
	if err := snapshot.WriteEntries(filepath.Join(dir, snapshot.RequestsFile), p.Requests); err != nil {
		return err
	}
	if err := snapshot.WriteEntries(filepath.Join(dir, snapshot.SystemFile), p.System); err != nil {
		return err
	}
	if err := snapshot.WriteJSON(filepath.Join(dir, snapshot.ServiceFile), p.Service); err != nil {
		return err
	}
	for _, name := range files[3:] {
		if err := snapshot.WriteJSON(filepath.Join(dir, name), p.Metrics[name]); err != nil {
			return err
		}
	}
	if sp.client != nil {
		client, err := writeLocust(dir, sp.prefix, sp.client, sp.locust)
		if err != nil {
			return err
		}
		files = append(files, client...)
	}
	return snapshot.WriteManifest(dir, sp.run.manifest(sp.scenario, sp.seed, files))
}

// writeLocust writes Locust's four CSV files for the run into dir/client,
// named as `locust --csv PREFIX` names them, and returns their snapshot paths.
func writeLocust(dir, prefix string, cr *ClientRun, o locustOptions) ([]string, error) {
	stats, history, failures, exceptions := locustFiles(cr, o)
	var files []string
	for _, f := range []struct {
		suffix string
		data   []byte
	}{{"_stats.csv", stats}, {"_stats_history.csv", history}, {"_failures.csv", failures}, {"_exceptions.csv", exceptions}} {
		name := snapshot.ClientDir + "/" + prefix + f.suffix
		files = append(files, name)
		if err := writeBytes(filepath.Join(dir, name), f.data); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// uid is the service's uid, fixed by the seed.
func (p *paper) uid() string { return uuid(stream(p.seed, "uid")) }

// uuid draws a version 4 UUID.
func uuid(rng *rand.Rand) string {
	h := randHex(rng, 32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

func writeBytes(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// manifest describes the snapshot: the filters a live collection of the
// same window would have used, and where every file came from.
func (r *Run) manifest(scenario string, seed uint64, files []string) model.Manifest {
	s := r.Service
	resource := fmt.Sprintf(`resource.type="cloud_run_revision" AND resource.labels.service_name=%q AND resource.labels.location=%q`, s.Name, s.Region)
	window := fmt.Sprintf(`timestamp>=%q AND timestamp<%q`, rfc3339(r.Window.Start), rfc3339(r.Window.End))
	filters := map[string]string{
		snapshot.RequestsFile: fmt.Sprintf(`%s AND logName=%q AND %s`, resource, r.logName("run.googleapis.com/requests"), window),
		snapshot.SystemFile:   fmt.Sprintf(`%s AND logName=%q AND %s`, resource, r.logName("run.googleapis.com/varlog/system"), window),
	}
	for _, m := range r.metricTypes() {
		filters[model.MetricFile(m)] = fmt.Sprintf(`metric.type=%q AND %s`, m, resource)
	}
	sources := map[string]string{}
	for _, f := range files {
		sources[f] = fmt.Sprintf("simulated: collect/sim scenario %s seed %d", scenario, seed)
	}
	return model.Manifest{
		Schema: model.SnapshotSchema, Project: s.Project, Region: s.Region, Service: s.Name,
		Window: r.Window, Filters: filters, Sources: sources,
		APICalls: map[string]int{}, Warnings: []string{},
	}
}

// Resource is the service as the Cloud Run Admin API v2 returns it.
func (s Service) Resource(uid string) collect.RunService {
	name := "projects/" + s.Project + "/locations/" + s.Region + "/services/" + s.Name
	cpuIdle := s.RequestBilling
	limits := map[string]string{"cpu": s.CPU, "memory": s.Memory}
	var gpu *collect.NodeSelector
	if s.Accelerator != "" {
		gpu = &collect.NodeSelector{Accelerator: s.Accelerator}
		limits["nvidia.com/gpu"] = strconv.Itoa(s.GPUs)
	}
	return collect.RunService{
		Name: name,
		UID:  uid,
		Template: collect.RevisionTemplate{
			Scaling:                       &collect.RevisionScaling{MinInstanceCount: s.MinInstances, MaxInstanceCount: s.MaxInstances},
			MaxInstanceRequestConcurrency: s.Concurrency,
			Containers: []collect.Container{{
				Image:     s.Image,
				Ports:     []collect.ContainerPort{{ContainerPort: s.Port}},
				Resources: collect.ResourceRequirements{Limits: limits, CPUIdle: &cpuIdle, StartupCPUBoost: s.StartupCPUBoost},
			}},
			ExecutionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
			NodeSelector:         gpu,
		},
		LatestReadyRevision: name + "/revisions/" + s.Revision,
		URI:                 s.URL,
	}
}
