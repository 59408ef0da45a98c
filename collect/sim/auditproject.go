package sim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
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
)

// AuditProject is the audit's fixture project (fixtures/audit-project): a
// day of seven services of project runlens-audit in europe-west1, one
// snapshot directory each, made so that each but the control shows one
// kind of waste (see the fixture's README).
const AuditProject = "audit-project"

var (
	auditDay      = time.Date(2024, 6, 4, 0, 0, 0, 0, time.UTC)
	auditWindow   = windowOf(auditDay, auditDay.Add(24*time.Hour))
	auditMinStart = auditDay.Add(-20 * time.Minute) // the deployment that started the min instances
)

// AuditServices are the audit project's services, in the order they are
// written.
func AuditServices() []string {
	var out []string
	for _, s := range auditServices() {
		out = append(out, s.platform.Service.Name)
	}
	return out
}

// auditService is one service of the audit project: its platform, its
// day of traffic, its utilization, and any revision without traffic that
// holds instances (run beside it, in the same snapshot).
type auditService struct {
	platform Platform
	traffic  auditTraffic
	util     Utilization
	stale    *Service
	// traffic targets of the service resource, beyond 100 % to the latest
	// ready revision
	tags []collect.TrafficTarget
}

// auditTraffic is a day of requests: Poisson arrivals at PerHour in the
// hours listed (all when nil), with Bursts of BurstSize requests a second
// apart at random times of every such hour.
type auditTraffic struct {
	Hours             []int
	PerHour           float64
	Bursts, BurstSize int
	Endpoints         []Endpoint
	UserAgent         string
}

func auditBase(name, revision, cpu, memory string, minInstances int, requestBilling bool) Service {
	return Service{
		Project: "runlens-audit", Region: "europe-west1", Name: name, Revision: revision,
		URL:   "https://" + name + "-4hk2wq7zpa-ew.a.run.app",
		Image: "europe-west1-docker.pkg.dev/runlens-audit/apps/" + name + ":2024-06-01",
		Port:  8080, CPU: cpu, Memory: memory, Concurrency: 80, MinInstances: minInstances, MaxInstances: 10,
		RequestBilling: requestBilling,
	}
}

func ep(method, path string, weight int, lo, median, hi time.Duration, response [2]int64) Endpoint {
	return Endpoint{Method: method, Name: path, Weight: weight, Service: Dist{Lo: lo, Hi: hi, Median: median, Sigma: 0.35},
		RequestBytes: [2]int64{300, 900}, ResponseBytes: response}
}

const ms = time.Millisecond

func auditServices() []auditService {
	busyUtil := Utilization{CPUStarting: [2]float64{0.5, 0.9}, CPUServing: [2]float64{0.55, 0.9}, CPUIdle: [2]float64{0.005, 0.03},
		Memory: [2]float64{0.62, 0.68}}
	day := func(perHour float64, eps ...Endpoint) auditTraffic {
		return auditTraffic{PerHour: perHour, Endpoints: eps, UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/125.0"}
	}
	legacy := auditBase("legacy", "legacy-00005-kax", "1", "512Mi", 0, true)
	stale := legacy
	stale.Revision, stale.MinInstances = "legacy-00003-pod", 1
	boost := auditBase("embedder", "embedder-00011-zum", "1", "1Gi", 1, true)
	boost.StartupCPUBoost = true
	return []auditService{
		{ // billed all day for two min instances, serving in 8 hours of 24
			platform: Platform{Service: auditBase("catalog", "catalog-00021-fej", "1", "512Mi", 2, true),
				Startup: Dist{Lo: 2 * time.Second, Hi: 4 * time.Second}, IdleKeep: Dist{Lo: 10 * time.Minute, Hi: 15 * time.Minute}, MinStart: auditMinStart},
			traffic: auditTraffic{Hours: []int{9, 10, 11, 12, 13, 14, 15, 16}, PerHour: 90, UserAgent: "catalog-sync/1.4",
				Endpoints: []Endpoint{ep("GET", "/products", 5, 40*ms, 90*ms, 400*ms, [2]int64{4000, 16000}), ep("GET", "/products/search", 2, 60*ms, 150*ms, 600*ms, [2]int64{2000, 9000})}},
			util: busyUtil,
		},
		{ // 4 vCPU and 8 GiB for work that uses a few % of the CPU and 250 to 370 MiB
			platform: Platform{Service: auditBase("reports", "reports-00007-wiv", "4", "8Gi", 0, true),
				Startup: Dist{Lo: 3 * time.Second, Hi: 6 * time.Second}, IdleKeep: Dist{Lo: 5 * time.Minute, Hi: 15 * time.Minute}},
			traffic: day(40, ep("POST", "/reports", 3, 3*time.Second, 6*time.Second, 15*time.Second, [2]int64{20000, 90000}),
				ep("GET", "/reports/status", 1, 20*ms, 40*ms, 120*ms, [2]int64{300, 600})),
			util: Utilization{CPUStarting: [2]float64{0.02, 0.05}, CPUServing: [2]float64{0.01, 0.04}, CPUIdle: [2]float64{0.001, 0.008},
				Memory: [2]float64{0.025, 0.04}},
		},
		{ // instance-based billing for a trickle of short requests: instances live all day for seconds of work
			platform: Platform{Service: auditBase("api", "api-00042-hov", "1", "512Mi", 0, false),
				Startup: Dist{Lo: 1500 * ms, Hi: 3 * time.Second}, IdleKeep: Dist{Lo: 14 * time.Minute, Hi: 15 * time.Minute}},
			traffic: day(40, ep("GET", "/v1/orders", 3, 30*ms, 80*ms, 300*ms, [2]int64{800, 3000}), ep("POST", "/v1/orders", 1, 60*ms, 150*ms, 500*ms, [2]int64{300, 900})),
			util:    busyUtil,
		},
		{ // startup CPU boost billed for scale-outs no request waited for
			platform: Platform{Service: boost, Startup: Dist{Lo: 8 * time.Second, Hi: 14 * time.Second},
				IdleKeep: Dist{Lo: 2 * time.Minute, Hi: 4 * time.Minute}, MinStart: auditMinStart, ScaleOutAt: 3},
			traffic: auditTraffic{PerHour: 12, Bursts: 3, BurstSize: 8, UserAgent: "indexer/2.0",
				Endpoints: []Endpoint{ep("POST", "/embed", 1, 1200*ms, 2*time.Second, 3500*ms, [2]int64{6000, 6200})}},
			util: Utilization{CPUStarting: [2]float64{0.8, 1}, CPUServing: [2]float64{0.7, 0.95}, CPUIdle: [2]float64{0.005, 0.02},
				Memory: [2]float64{0.62, 0.74}},
		},
		{ // a tagged revision without traffic holding a min instance, and a second unused tag
			platform: Platform{Service: legacy, Startup: Dist{Lo: 2 * time.Second, Hi: 4 * time.Second},
				IdleKeep: Dist{Lo: 10 * time.Minute, Hi: 15 * time.Minute}, MinStart: auditMinStart},
			traffic: day(25, ep("GET", "/legacy/invoices", 1, 50*ms, 120*ms, 500*ms, [2]int64{1500, 6000})),
			util:    busyUtil,
			stale:   &stale,
			tags: []collect.TrafficTarget{
				{Type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", Revision: "legacy-00003-pod", Tag: "beta"},
				{Type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", Revision: "legacy-00004-wen", Tag: "canary"},
			},
		},
		{ // large responses (network egress); its logs are the around-the-service part
			platform: Platform{Service: auditBase("ingest", "ingest-00013-dal", "1", "512Mi", 0, true),
				Startup: Dist{Lo: 2 * time.Second, Hi: 4 * time.Second}, IdleKeep: Dist{Lo: 10 * time.Minute, Hi: 15 * time.Minute}},
			traffic: day(35, ep("POST", "/ingest", 2, 80*ms, 200*ms, 900*ms, [2]int64{400, 900}), ep("GET", "/export", 1, 200*ms, 600*ms, 2*time.Second, [2]int64{2_000_000, 6_000_000})),
			util:    busyUtil,
		},
		{ // the control: sized and billed for what it does
			platform: Platform{Service: auditBase("checkout", "checkout-00031-sur", "1", "512Mi", 0, true),
				Startup: Dist{Lo: 2 * time.Second, Hi: 4 * time.Second}, IdleKeep: Dist{Lo: 10 * time.Minute, Hi: 15 * time.Minute}},
			traffic: day(40, ep("POST", "/checkout", 1, 120*ms, 300*ms, 1200*ms, [2]int64{700, 2000}), ep("GET", "/cart", 3, 20*ms, 60*ms, 250*ms, [2]int64{1200, 5000})),
			util:    busyUtil,
		},
	}
}

// arrivals draws the service's day of requests.
func (t auditTraffic) arrivals(rng *rand.Rand) []Arrival {
	hours := t.Hours
	if hours == nil {
		for h := range 24 {
			hours = append(hours, h)
		}
	}
	var out []Arrival
	add := func(at time.Time) {
		e := pick(rng, t.Endpoints)
		out = append(out, Arrival{At: at, Method: e.Method, Path: e.Name, UserAgent: t.UserAgent, Service: e.Service.draw(rng),
			RequestSize: between64(rng, e.RequestBytes), ResponseSize: between64(rng, e.ResponseBytes)})
	}
	for _, h := range hours {
		from := auditDay.Add(time.Duration(h) * time.Hour)
		end := from.Add(time.Hour)
		if h == 23 {
			end = end.Add(-5 * time.Minute) // every request answered within the window
		}
		for at := from.Add(expGap(rng, t.PerHour)); at.Before(end); at = at.Add(expGap(rng, t.PerHour)) {
			add(at.Truncate(time.Microsecond))
		}
		for range t.Bursts {
			at := from.Add(time.Duration(rng.Int64N(int64(50 * time.Minute))))
			for k := range t.BurstSize {
				add(at.Add(time.Duration(k) * 150 * ms).Truncate(time.Microsecond))
			}
		}
	}
	return out
}

// expGap is the gap to the next Poisson arrival at perHour an hour.
func expGap(rng *rand.Rand, perHour float64) time.Duration {
	return time.Duration(rng.ExpFloat64() / perHour * float64(time.Hour))
}

// WriteAuditProject simulates the audit project with the seed and writes
// one snapshot per service below dir (dir/catalog, dir/reports...), every
// file gzip-compressed but the manifest and the service resource. The
// same seed gives byte-identical files.
func WriteAuditProject(dir string, seed uint64) error {
	for _, s := range auditServices() {
		if err := s.write(filepath.Join(dir, s.platform.Service.Name), seed); err != nil {
			return err
		}
	}
	return nil
}

// run plays the service's day.
func (s auditService) run(seed uint64) (*Run, error) {
	name := AuditProject + "/" + s.platform.Service.Name
	rng := stream(seed, name)
	run, _, err := simulate(s.platform, Workload{Replay: Columns(s.traffic.arrivals(rng))}, auditWindow, rng)
	if err != nil {
		return nil, fmt.Errorf("simulating %s: %w", name, err)
	}
	return run, nil
}

// staleRun plays the revision without traffic: its min instances only.
func (s auditService) staleRun(seed uint64) (*Run, error) {
	p := s.platform
	p.Service = *s.stale
	run, _, err := simulate(p, Workload{}, auditWindow, stream(seed, AuditProject+"/"+p.Service.Revision))
	return run, err
}

func (s auditService) write(dir string, seed uint64) error {
	run, err := s.run(seed)
	if err != nil {
		return err
	}
	name := AuditProject + "/" + run.Service.Name
	spec := &snapshotSpec{scenario: name, seed: seed, uid: uuid(stream(seed, name+"/uid")), run: run, util: s.aroundUtil()}
	p, files, err := spec.parts()
	if err != nil {
		return err
	}
	if s.stale != nil {
		stale, err := s.staleRun(seed)
		if err != nil {
			return err
		}
		sp := &snapshotSpec{scenario: name, seed: seed, run: stale, util: s.aroundUtil()}
		q, _, err := sp.parts()
		if err != nil {
			return err
		}
		p.System = mergeEntries(p.System, q.System)
		for f, m := range q.Metrics {
			r := p.Metrics[f]
			r.TimeSeries = append(r.TimeSeries, m.TimeSeries...)
			p.Metrics[f] = r
		}
	}
	p.Service.Traffic = append([]collect.TrafficTarget{{Type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", Percent: 100}}, s.tags...)
	p.Service.TrafficStatuses = []collect.TrafficTarget{{Type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", Percent: 100}}
	for _, t := range s.tags {
		t.URI = "https://" + t.Tag + "---" + strings.TrimPrefix(run.Service.URL, "https://")
		p.Service.TrafficStatuses = append(p.Service.TrafficStatuses, t)
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
	for i, f := range files[3:] {
		files[3+i] = f + ".gz"
		roundDistributions(p.Metrics[f])
		if err := writeGzipJSON(filepath.Join(dir, files[3+i]), p.Metrics[f]); err != nil {
			return err
		}
	}
	if len(s.tags) > 0 {
		if err := snapshot.WriteJSON(filepath.Join(dir, snapshot.RevisionsFile), s.revisions(run.Service)); err != nil {
			return err
		}
		files = append(files, snapshot.RevisionsFile)
	}
	return snapshot.WriteManifest(dir, run.manifest(name, seed, files))
}

// roundDistributions rounds the utilization distributions' means and
// sums of squared deviations to 6 significant digits, which keeps the
// fixture small; runlens reads quantiles from the buckets, not from them.
func roundDistributions(r collect.ListTimeSeriesResponse) {
	for _, ts := range r.TimeSeries {
		if !strings.HasSuffix(ts.Metric.Type, "/utilizations") {
			continue
		}
		for k := range ts.Points {
			if d := ts.Points[k].Value.DistributionValue; d != nil {
				d.Mean, d.SumOfSquaredDeviation = round6(d.Mean), round6(d.SumOfSquaredDeviation)
			}
		}
	}
}

func round6(v float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return f
}

// revisions are the tagged revisions as the Revisions API lists them:
// the stale one with its own minimum instance, the others with none.
func (s auditService) revisions(svc Service) map[string][]collect.RunRevision {
	parent := "projects/" + svc.Project + "/locations/" + svc.Region + "/services/" + svc.Name
	var out []collect.RunRevision
	for _, t := range s.tags {
		scaling := &collect.RevisionScaling{MaxInstanceCount: svc.MaxInstances}
		if s.stale != nil && t.Revision == s.stale.Revision {
			scaling.MinInstanceCount = s.stale.MinInstances
		}
		limits := map[string]string{"cpu": svc.CPU, "memory": svc.Memory}
		out = append(out, collect.RunRevision{Name: parent + "/revisions/" + t.Revision, Service: svc.Name, Scaling: scaling,
			Containers: []collect.Container{{Image: svc.Image, Ports: []collect.ContainerPort{{ContainerPort: svc.Port}},
				Resources: collect.ResourceRequirements{Limits: limits}}}})
	}
	return map[string][]collect.RunRevision{"revisions": out}
}

// mergeEntries merges two logs, each in time order, into one.
func mergeEntries(a, b []collect.LogEntry) []collect.LogEntry {
	out := make([]collect.LogEntry, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		ta, _ := time.Parse(time.RFC3339Nano, a[0].Timestamp)
		tb, _ := time.Parse(time.RFC3339Nano, b[0].Timestamp)
		if tb.Before(ta) {
			out, b = append(out, b[0]), b[1:]
			continue
		}
		out, a = append(out, a[0]), a[1:]
	}
	return append(append(out, a...), b...)
}

// writeGzipJSON writes v as compact JSON, gzip-compressed with a zero
// header (no name, no time), atomically.
func writeGzipJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		zw := gzip.NewWriter(w)
		if _, err := zw.Write(buf.Bytes()); err != nil {
			return err
		}
		return zw.Close()
	})
}
