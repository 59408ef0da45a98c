package sim

import (
	"math"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

// buildSpec realises a scenario with the default seed.
func buildSpec(t *testing.T, name string) *snapshotSpec {
	t.Helper()
	for _, s := range scenarios {
		if s.name == name {
			sp, err := s.build(DefaultSeed)
			if err != nil {
				t.Fatal(err)
			}
			return sp
		}
	}
	t.Fatalf("no scenario %s", name)
	return nil
}

func TestGroundTruth(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		want     truth
	}{
		{ContinuousColdStarts, truth{
			ClientRequests: 2792, Client: map[string]int{"GET /healthz": 293, "POST /answer": 2499},
			Server: map[string]int{"GET /healthz": 293, "POST /answer": 2499}, Status: map[int]int{200: 2792},
			Agents: map[string]int{"python-requests/2.31.0": 2792}, Starts: map[string]int{"AUTOSCALING": 65}, Waited: 65,
			Abandoned: map[string]int{}, Refused: map[string]int{}, BillableMS: 2_847_000, InFlightMS: 2_714_740,
		}},
		{OrchestratorWaiting, truth{
			ClientRequests: 182, Client: map[string]int{"GET /recommendations": 152, "GET /recommendations/similar": 30},
			Server: map[string]int{"GET /recommendations": 152, "GET /recommendations/similar": 30}, Status: map[int]int{200: 182},
			Agents: map[string]int{"python-requests/2.31.0": 182}, Starts: map[string]int{"MIN_INSTANCE": 2},
			Abandoned: map[string]int{}, Refused: map[string]int{}, BillableMS: 2_099_863, InFlightMS: 381_030,
		}},
		{FatContainer, truth{
			ClientRequests: 602, ClientFailures: 22, Client: map[string]int{"GET /": 123, "POST /generate": 362, "POST /summarize": 117},
			Server: map[string]int{"GET /": 123, "POST /generate": 362, "POST /summarize": 117}, Status: map[int]int{200: 580, 503: 22},
			Agents: map[string]int{"python-requests/2.31.0": 602}, Starts: map[string]int{"AUTOSCALING": 12}, Waited: 16,
			MemoryExceeded: 8, Killed: 22, Abandoned: map[string]int{}, Refused: map[string]int{}, BillableMS: 1_850_000, InFlightMS: 1_674_739,
		}},
		{ClockSkewAndStrays, truth{
			ClientRequests: 6058, ClientFailures: 13, Client: map[string]int{"GET /products": 2657, "GET /search": 2050, "POST /cart": 1351},
			Server: map[string]int{"GET /products": 2693, "GET /search": 2047, "POST /cart": 1350}, Status: map[int]int{200: 6090},
			Agents: map[string]int{"k6/0.49.0 (https://k6.io/)": 40, "python/gevent-http-client-2.0.11": 6050},
			Starts: map[string]int{"AUTOSCALING": 1}, Waited: 2,
			Abandoned:  map[string]int{"GET /products": 2, "GET /search": 2, "POST /cart": 1},
			Refused:    map[string]int{"GET /products": 6, "GET /search": 5, "POST /cart": 2},
			BillableMS: 148_400, InFlightMS: 137_389,
		}},
		{GPUInference, truth{
			ClientRequests: 4767, Client: map[string]int{"GET /healthz": 513, "POST /predict": 4254},
			Server: map[string]int{"GET /healthz": 513, "POST /predict": 4254}, Status: map[int]int{200: 4767},
			Agents: map[string]int{"python-requests/2.31.0": 4767}, Starts: map[string]int{"AUTOSCALING": 2}, Waited: 12,
			Abandoned: map[string]int{}, Refused: map[string]int{}, BillableMS: 1_993_567, InFlightMS: 486_103,
		}},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			sp := buildSpec(t, tc.scenario)
			got := truthOf(sp.run, sp.client)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ground truth (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScenarioFixturesUpToDate(t *testing.T) {
	for _, name := range []string{ContinuousColdStarts, OrchestratorWaiting, FatContainer, ClockSkewAndStrays, GPUInference} {
		t.Run(name, func(t *testing.T) { checkFixtureUpToDate(t, name) })
	}
}

// loadFixture reads a scenario's fixture as runlens does, with no warning.
func loadFixture(t *testing.T, scenario string) *model.Dataset {
	t.Helper()
	ds, err := snapshot.Load(fixtureDir(scenario))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Warnings) > 0 || ds.Client == nil || ds.Service == nil {
		t.Fatalf("%s: warnings %q, client %v, service %v", scenario, ds.Warnings, ds.Client != nil, ds.Service != nil)
	}
	return ds
}

// events counts the system log's events by kind.
func events(ds *model.Dataset) map[model.EventKind]int {
	out := map[model.EventKind]int{}
	for _, e := range ds.Events {
		out[e.Kind]++
	}
	return out
}

// firstRequests returns each instance's first request in the log.
func firstRequests(ds *model.Dataset) map[string]model.Request {
	out := map[string]model.Request{}
	for _, q := range ds.Requests {
		if f, ok := out[q.InstanceID]; q.InstanceID != "" && (!ok || q.Time.Before(f.Time)) {
			out[q.InstanceID] = q
		}
	}
	return out
}

// metricSamples returns every distribution sample count of a metric, by
// bucket lower bound, and the total.
func metricSamples(t *testing.T, ds *model.Dataset, metric string) (func(atLeast float64) int64, int64) {
	t.Helper()
	var dists []*model.Distribution
	var total int64
	for _, s := range ds.Metrics {
		if s.Metric != metric {
			continue
		}
		for _, p := range s.Points {
			dists = append(dists, p.Dist)
			total += p.Dist.Count
		}
	}
	if total == 0 {
		t.Fatalf("no %s samples", metric)
	}
	return func(atLeast float64) int64 {
		var n int64
		for _, d := range dists {
			for i, c := range d.Counts {
				if i > 0 && d.Bounds[i-1] >= atLeast-1e-9 {
					n += c
				}
			}
		}
		return n
	}, total
}

// continuous-coldstarts: 65 AUTOSCALING starts, 45 of them in the steady
// part (15:01:00 to 15:09:30) and in each of its two-minute spans; the
// first request of every instance waited its startup, 8.4 to 11.2 s.
func TestContinuousColdStartsFixture(t *testing.T) {
	ds := loadFixture(t, ContinuousColdStarts)
	if diff := cmp.Diff(map[model.EventKind]int{model.EventStart: 65, model.EventProbeSucceeded: 65, model.EventShutdown: 65}, events(ds)); diff != "" {
		t.Errorf("system events (-want +got):\n%s", diff)
	}
	from, to := coldSteady(coldStartsWorkload(nil).LoadTest)
	steady, spans := 0, map[int]int{}
	for _, e := range ds.Events {
		if e.Kind == model.EventStart && !e.Time.Before(from) && e.Time.Before(to) {
			steady++
			spans[int(e.Time.Sub(from)/(2*time.Minute))]++
		}
	}
	if diff := cmp.Diff(map[int]int{0: 13, 1: 8, 2: 11, 3: 10, 4: 3}, spans); steady != 45 || diff != "" {
		t.Errorf("%d starts in the steady part, want 45; per two-minute span (-want +got):\n%s", steady, diff)
	}
	first := firstRequests(ds)
	var waits []time.Duration
	for _, q := range first {
		waits = append(waits, q.Latency)
	}
	slices.Sort(waits)
	if len(waits) != 65 || waits[0] < 8400*time.Millisecond || waits[64] > 12500*time.Millisecond || waits[32] < 9500*time.Millisecond || waits[32] > 10500*time.Millisecond {
		t.Errorf("first-request latencies %v, want 65 from 8.4 s, median about 10 s", waits)
	}
}

// orchestrator-waiting: two min instances live the whole window and are
// billed for it all; 81.85 % of it had nothing in flight; CPU stayed
// under 10 % in more than 99 % of the samples.
func TestOrchestratorWaitingFixture(t *testing.T) {
	ds := loadFixture(t, OrchestratorWaiting)
	if diff := cmp.Diff(map[model.EventKind]int{model.EventStart: 2, model.EventProbeSucceeded: 2}, events(ds)); diff != "" {
		t.Errorf("system events (-want +got):\n%s", diff)
	}
	for _, e := range ds.Events {
		if e.Kind == model.EventStart && e.Reason != "MIN_INSTANCE" {
			t.Errorf("start with reason %q, want MIN_INSTANCE", e.Reason)
		}
	}
	var billable float64
	for _, s := range ds.Metrics {
		if s.Metric == model.MetricBillableTime {
			for _, p := range s.Points {
				billable += p.Double
			}
		}
	}
	inFlight := inFlightFromLogs(ds)
	if math.Abs(billable-2099.863) > 1e-6 || math.Abs(1-inFlight.Seconds()/billable-0.8185) > 0.00005 {
		t.Errorf("billable %.3f s, in flight %v, idle share %.4f; want 2099.863 s and 0.8185", billable, inFlight, 1-inFlight.Seconds()/billable)
	}
	atLeast, total := metricSamples(t, ds, model.MetricCPUUtilizations)
	if high := atLeast(0.10); float64(high) > 0.01*float64(total) {
		t.Errorf("%d of %d CPU samples at 10 %% or more, want under 1 %%", high, total)
	}
}

// inFlightFromLogs is the time with a request in flight per instance,
// from the request log: [timestamp, timestamp+latency) merged.
func inFlightFromLogs(ds *model.Dataset) time.Duration {
	per := map[string][]span{}
	for _, q := range ds.Requests {
		per[q.InstanceID] = append(per[q.InstanceID], span{q.Time, q.Time.Add(q.Latency)})
	}
	var d time.Duration
	for _, spans := range per {
		for _, s := range merge(spans) {
			d += s.length()
		}
	}
	return d
}

// fat-container: 8 instances exceed the 2 GiB limit, each answering its
// requests in flight 503 at that moment and followed by a new start;
// memory is at 95 % of the limit or more in over 1 % of the samples.
func TestFatContainerFixture(t *testing.T) {
	ds := loadFixture(t, FatContainer)
	if diff := cmp.Diff(map[model.EventKind]int{model.EventStart: 12, model.EventProbeSucceeded: 12, model.EventMemoryLimitExceeded: 8}, events(ds)); diff != "" {
		t.Errorf("system events (-want +got):\n%s", diff)
	}
	pattern := regexp.MustCompile(`^Memory limit of 2048 MiB exceeded with (2\d\d\d) MiB used\. Consider increasing the memory limit, see https://cloud\.google\.com/run/docs/configuring/memory-limits$`)
	killed := 0
	for _, e := range ds.Events {
		if e.Kind != model.EventMemoryLimitExceeded {
			continue
		}
		if m := pattern.FindStringSubmatch(e.Text); m == nil || m[1] <= "2048" {
			t.Errorf("memory event text %q", e.Text)
		}
		for _, q := range ds.Requests {
			if q.InstanceID == e.InstanceID && q.Status == 503 {
				killed++
				if end := q.Time.Add(q.Latency); end.Sub(e.Time).Abs() > time.Microsecond {
					t.Errorf("request answered 503 at %v, its instance terminated at %v", end, e.Time)
				}
			}
		}
		if !slices.ContainsFunc(ds.Events, func(s model.InstanceEvent) bool { return s.Kind == model.EventStart && s.Time.After(e.Time) }) {
			t.Errorf("no instance started after the termination at %v", e.Time)
		}
	}
	if killed != 22 || ds.Client.Total.Failures != 22 {
		t.Errorf("%d requests answered 503 by terminated instances, %d client failures; want 22 and 22", killed, ds.Client.Total.Failures)
	}
	atLeast, total := metricSamples(t, ds, model.MetricMemoryUtilizations)
	if high := atLeast(0.95); float64(high) < 0.01*float64(total) {
		t.Errorf("%d of %d memory samples at 95 %% or more, want over 1 %% (p99 at 0.95 or above)", high, total)
	}
}

// clock-skew-and-strays: the server logs 6090 requests: Locust's 6058
// less its 13 refused connections, plus 5 in flight at the stop and 40
// from k6 (18 before Locust's start). Locust's per-second counts line up
// with the server's response times shifted by 2.5 s.
func TestClockSkewAndStraysFixture(t *testing.T) {
	ds := loadFixture(t, ClockSkewAndStrays)
	c := ds.Client
	var refused int64
	for _, f := range c.Failures {
		if f.Error == connectionRefused {
			refused += f.Occurrences
		}
	}
	serverStart := skewStart
	locust, k6, k6Before := 0, 0, 0
	for _, q := range ds.Requests {
		switch q.UserAgent {
		case "k6/0.49.0 (https://k6.io/)":
			k6++
			if q.Time.Before(serverStart) {
				k6Before++
			}
		case "python/gevent-http-client-2.0.11":
			locust++
		}
	}
	inFlightAtStop := locust - int(c.Total.Requests-refused)
	got := []int{len(ds.Requests), int(c.Total.Requests), int(c.Total.Failures), int(refused), inFlightAtStop, k6, k6Before}
	if diff := cmp.Diff([]int{6090, 6058, 13, 13, 5, 40, 18}, got); diff != "" {
		t.Errorf("server, client, failures, refused, in flight at stop, k6, k6 before the start (-want +got):\n%s", diff)
	}
	if first := c.History[0].Time; !first.Equal(time.Date(2024, 5, 21, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("first history row at %v, want 14:00:00 on the client's clock", first)
	}
	if off := estimateOffset(ds); (off - clockOffset).Abs() > 100*time.Millisecond {
		t.Errorf("offset estimated from the files %v, want 2.5 s within 100 ms", off)
	}
}

// estimateOffset finds the shift of the server's response times that best
// matches Locust's per-second counts (the differences of the aggregate
// rows' Total Request Count), trying -5 s to +5 s in 10 ms steps.
func estimateOffset(ds *model.Dataset) time.Duration {
	var ticks []time.Time
	var counts []int64
	var prev int64
	for _, h := range ds.Client.History {
		if h.Name == "Aggregated" {
			ticks, counts = append(ticks, h.Time), append(counts, h.TotalRequests-prev)
			prev = h.TotalRequests
		}
	}
	var ends []time.Time
	for _, q := range ds.Requests {
		ends = append(ends, q.Time.Add(q.Latency))
	}
	best, bestErr := time.Duration(0), math.Inf(1)
	for off := -5 * time.Second; off <= 5*time.Second; off += 10 * time.Millisecond {
		got := make([]int64, len(ticks))
		for _, e := range ends {
			k, _ := slices.BinarySearchFunc(ticks, e.Add(off), func(t, x time.Time) int { return t.Compare(x) })
			if k > 0 && k < len(ticks) {
				got[k]++
			}
		}
		var sse float64
		for k := 1; k < len(ticks); k++ {
			sse += float64((got[k] - counts[k]) * (got[k] - counts[k]))
		}
		if sse < bestErr {
			best, bestErr = off, sse
		}
	}
	return best
}

// gpu-inference: the v2 service carries the L4 (nodeSelector and the
// container's nvidia.com/gpu limit) and instance-based billing; two
// instances, billed for their whole lives (1,993.568173 s); every GPU
// utilization sample under 15 %, so GPU p95 is far under the 0.3 of the
// gpu_idle finding; GPU memory under 10 %.
func TestGPUInferenceFixture(t *testing.T) {
	ds := loadFixture(t, GPUInference)
	svc := ds.Service
	got := []any{svc.Accelerator, svc.GPUs, svc.CPU, svc.MemoryMiB, svc.Billing, svc.Containers, svc.MaxInstances}
	if diff := cmp.Diff([]any{"nvidia-l4", 1, 4.0, int64(16384), model.BillingInstance, 1, 3}, got); diff != "" {
		t.Errorf("service accelerator, GPUs, CPU, MiB, billing, containers, max instances (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[model.EventKind]int{model.EventStart: 2, model.EventProbeSucceeded: 2, model.EventShutdown: 2}, events(ds)); diff != "" {
		t.Errorf("system events (-want +got):\n%s", diff)
	}
	var billable float64
	for _, s := range ds.Metrics {
		if s.Metric == model.MetricBillableTime {
			for _, p := range s.Points {
				billable += p.Double
			}
		}
	}
	if math.Abs(billable-1993.568173) > 1e-6 {
		t.Errorf("billable %.6f s, want 1993.568173 (the two instances' lives)", billable)
	}
	atLeast, total := metricSamples(t, ds, model.MetricGPUUtilizations)
	if high := atLeast(0.15); high != 0 || total < 1990 || total > 2000 {
		t.Errorf("%d of %d GPU samples at 15 %% or more; want none of about 1,994 (one a second of each life)", high, total)
	}
	if high, _ := metricSamples(t, ds, model.MetricGPUMemoryUtilizations); high(0.10) != 0 {
		t.Errorf("%d GPU memory samples at 10 %% or more, want none", high(0.10))
	}
}
