package gcp

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/gcp/fakegcp"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/internal/fixturetest"
	"github.com/runlens/runlens/model"
)

// The synthetic service of the tests.
const (
	tProject = "demo-project"
	tRegion  = "europe-west1"
	tService = "mobilenet"
)

var tStart = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// synth describes a snapshot to generate.
type synth struct {
	requests, system int
	metrics          bool // write request_count, summing to requests
	strays           bool // add entries the collector's filter must leave out
}

// writeSynth writes a snapshot in REST JSON (through collect/snapshot,
// not protojson) and returns the insertIds of the request and system
// entries a collection of [tStart, tStart+1h) must return, in order.
func writeSynth(t *testing.T, s synth) (dir string, reqIDs, sysIDs []string) {
	t.Helper()
	dir = t.TempDir()
	var reqs, sys []collect.LogEntry
	for i := range s.requests {
		// Every third entry shares its predecessor's timestamp: ties must
		// survive paging and resumption.
		at := tStart.Add(time.Duration(i-i%3/2) * 500 * time.Millisecond)
		e := requestEntry(tService, fmt.Sprintf("req-%05d", i), at)
		reqs = append(reqs, e)
		reqIDs = append(reqIDs, e.InsertID)
	}
	for i := range s.system {
		e := systemEntry(fmt.Sprintf("sys-%03d", i), tStart.Add(time.Duration(i)*time.Minute))
		sys = append(sys, e)
		sysIDs = append(sysIDs, e.InsertID)
	}
	if s.strays {
		reqs = append(reqs,
			requestEntry("other-service", "stray-service", tStart.Add(time.Second)),
			requestEntry(tService, "stray-before", tStart.Add(-time.Nanosecond)),
			requestEntry(tService, "stray-after", tStart.Add(time.Hour)))
	}
	must(t, snapshot.WriteEntries(filepath.Join(dir, snapshot.RequestsFile), reqs))
	must(t, snapshot.WriteEntries(filepath.Join(dir, snapshot.SystemFile), sys))
	if s.metrics {
		must(t, snapshot.WriteJSON(filepath.Join(dir, model.MetricFile("run.googleapis.com/request_count")), requestCount(s.requests)))
	}
	must(t, snapshot.WriteJSON(filepath.Join(dir, snapshot.ServiceFile), runService()))
	must(t, snapshot.WriteManifest(dir, model.Manifest{Project: tProject, Region: tRegion, Service: tService,
		Window: model.Window{Start: tStart, End: tStart.Add(time.Hour)}}))
	return dir, reqIDs, sysIDs
}

func resource(service string) *collect.MonitoredResource {
	return &collect.MonitoredResource{Type: "cloud_run_revision", Labels: map[string]string{
		"service_name": service, "location": tRegion, "project_id": tProject,
		"revision_name": service + "-00001-abc", "configuration_name": service,
	}}
}

func requestEntry(service, id string, at time.Time) collect.LogEntry {
	return collect.LogEntry{
		LogName:   "projects/" + tProject + "/logs/run.googleapis.com%2Frequests",
		Resource:  resource(service),
		Timestamp: at.Format(time.RFC3339Nano), ReceiveTimestamp: at.Add(time.Second).Format(time.RFC3339Nano),
		Severity: "INFO", InsertID: id,
		HTTPRequest: &collect.HTTPRequest{RequestMethod: "POST", RequestURL: "https://mobilenet-x.a.run.app/predict?id=" + id,
			RequestSize: 1234, Status: 200, ResponseSize: 56, UserAgent: "locust", RemoteIP: "2001:db8::1",
			Latency: "0.702123456s", Protocol: "HTTP/1.1"},
		Labels: map[string]string{"instanceId": "00f0a1b2c3"},
		Trace:  "projects/" + tProject + "/traces/abc", SpanID: "0123456789abcdef", TraceSampled: true,
	}
}

func systemEntry(id string, at time.Time) collect.LogEntry {
	return collect.LogEntry{
		LogName:   "projects/" + tProject + "/logs/run.googleapis.com%2Fvarlog%2Fsystem",
		Resource:  resource(tService),
		Timestamp: at.Format(time.RFC3339Nano), Severity: "INFO", InsertID: id,
		TextPayload: "Starting new instance. Reason: AUTOSCALING - Instance started due to configured scaling factors (e.g. CPU utilization, request throughput, etc.) or no existing capacity for current traffic.",
		Labels:      map[string]string{"instanceId": "00f0a1b2c3", "scaling_reason": "AUTOSCALING"},
	}
}

// requestCount is a request_count response whose points add up to n.
func requestCount(n int) collect.ListTimeSeriesResponse {
	ts := collect.TimeSeries{
		Metric:     collect.Metric{Type: "run.googleapis.com/request_count", Labels: map[string]string{"response_code_class": "2xx"}},
		Resource:   *resource(tService),
		MetricKind: "DELTA", ValueType: "INT64", Unit: "1",
	}
	for m := 0; n > 0; m++ {
		v := collect.Int64(min(n, 1000))
		n -= int(v)
		ts.Points = append(ts.Points, collect.WirePoint{
			Interval: collect.TimeInterval{StartTime: stamp(tStart.Add(time.Duration(m) * time.Minute)), EndTime: stamp(tStart.Add(time.Duration(m+1) * time.Minute))},
			Value:    collect.TypedValue{Int64Value: &v},
		})
	}
	return collect.ListTimeSeriesResponse{TimeSeries: []collect.TimeSeries{ts}, Unit: "1"}
}

func runService() collect.RunService {
	idle := true
	return collect.RunService{
		Name: "projects/" + tProject + "/locations/" + tRegion + "/services/" + tService,
		Template: collect.RevisionTemplate{
			Scaling:                       &collect.RevisionScaling{MaxInstanceCount: 20},
			MaxInstanceRequestConcurrency: 4,
			Containers: []collect.Container{{Image: "gcr.io/x/mobilenet", Resources: collect.ResourceRequirements{
				Limits: map[string]string{"cpu": "1", "memory": "2Gi"}, CPUIdle: &idle}}},
		},
		LatestReadyRevision: "projects/" + tProject + "/locations/" + tRegion + "/revisions/" + tService + "-00001-abc",
	}
}

// startFake serves dirs on a loopback port until the test ends.
func startFake(t *testing.T, dirs ...string) *fakegcp.Server {
	t.Helper()
	return fixturetest.Serve(t, dirs...)
}

// testConfig collects the synthetic service's hour from the fake, with
// fast retries and no pacing to speak of.
func testConfig(t *testing.T, s *fakegcp.Server) Config {
	return Config{
		Project: tProject, Region: tRegion, Service: tService,
		Start: tStart, End: tStart.Add(time.Hour),
		Endpoint: s.Addr(), OutDir: t.TempDir(),
		LogCallBudget: 1_000_000, CallTimeout: 5 * time.Second,
		Retry: Retry{Attempts: 5, Initial: time.Millisecond, Max: 5 * time.Millisecond},
	}
}

// deadline is every test's context: no test waits longer than this.
func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
