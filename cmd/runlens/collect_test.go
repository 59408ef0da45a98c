package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// paperSnapshot is the paper-mobilenet fixture snapshot.
func paperSnapshot(t *testing.T) string {
	dir := filepath.Join("..", "..", "fixtures", "paper-mobilenet")
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		t.Fatalf("the fixture is missing: %v", err)
	}
	return dir
}

// startFakeGCP runs the fake-gcp command's server until the test ends.
func startFakeGCP(t *testing.T, snapshots ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() { done <- serveFake(ctx, &stderr, "127.0.0.1:0", snapshots, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("fake-gcp: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("fake-gcp did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("fake-gcp: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("fake-gcp did not stop when its context ended")
		}
	})
	return addr
}

// liveCLI runs the command line with a deadline on the whole run.
func liveCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(&stdout, &stderr, args) }()
	select {
	case err := <-done:
		return stdout.String(), stderr.String(), err
	case <-time.After(60 * time.Second):
		t.Fatalf("runlens %s: no answer in 60s", strings.Join(args, " "))
		return "", "", nil
	}
}

// figures are the numbers a live round trip must keep.
type figures struct {
	Server struct {
		Total struct {
			Requests int64 `json:"requests"`
		} `json:"total"`
	} `json:"server"`
	ColdStarts struct {
		Count int `json:"count"`
	} `json:"cold_starts"`
	Instances struct {
		Distinct int `json:"distinct"`
	} `json:"instances"`
	Cost struct {
		TotalUSD float64 `json:"total_usd"`
	} `json:"cost"`
}

func reportFigures(t *testing.T, args ...string) figures {
	t.Helper()
	stdout, stderr, err := liveCLI(t, append(args, "-format", "json")...)
	if err != nil {
		t.Fatalf("runlens %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	var f figures
	if err := json.Unmarshal([]byte(stdout), &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCollectFakeGCP is the README's shell session: fake-gcp serving the
// fixture, collect with the fixture manifest's values, report; and the
// live form of report in one step.
func TestCollectFakeGCP(t *testing.T) {
	fixture := paperSnapshot(t)
	addr := startFakeGCP(t, fixture)
	var m struct {
		Project, Region, Service string
		Window                   struct{ Start, End time.Time }
	}
	readJSON(t, filepath.Join(fixture, "manifest.json"), &m)
	live := []string{"-endpoint", addr, "-project", m.Project, "-region", m.Region,
		"-start", m.Window.Start.Format(time.RFC3339Nano), "-end", m.Window.End.Format(time.RFC3339Nano), "-q", "-log-budget", "6000"}
	snap := filepath.Join(t.TempDir(), "snap")
	_, stderr, err := liveCLI(t, append([]string{"collect", "-service", m.Service, "-o", snap}, live...)...)
	if err != nil {
		t.Fatalf("collect: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "wrote "+snap+": 425 request entries") {
		t.Errorf("collect's summary: %q", stderr)
	}
	want := reportFigures(t, "report", fixture)
	if want.Server.Total.Requests != 425 || want.ColdStarts.Count == 0 || want.Instances.Distinct == 0 || want.Cost.TotalUSD == 0 {
		t.Fatalf("fixture figures %+v: want 425 requests and some cold starts, instances and cost", want)
	}
	if diff := cmp.Diff(want, reportFigures(t, "report", snap)); diff != "" {
		t.Errorf("report of the collected snapshot (-fixture +collected):\n%s", diff)
	}
	if diff := cmp.Diff(want, reportFigures(t, append([]string{"report", "-service", m.Service}, live...)...)); diff != "" {
		t.Errorf("live report (-fixture +live):\n%s", diff)
	}
}

func TestCollectUsageErrors(t *testing.T) {
	base := []string{"collect", "-endpoint", "127.0.0.1:1", "-project", "p", "-region", "r", "-service", "s", "-o", t.TempDir()}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"since and start", []string{"-since", "2h", "-start", "2024-03-14T09:59:30Z"}, "-since and -start are exclusive"},
		{"no window", nil, "a window is required: -since DURATION, or -start TIME [-end TIME]"},
		{"bad since", []string{"-since", "soon"}, `-since: "soon" is not a positive duration such as 90m, 2h or 1d`},
		{"bad start", []string{"-start", "yesterday"}, `-start: "yesterday" is not an RFC 3339 time such as 2024-03-14T09:59:30Z`},
		{"backwards", []string{"-start", "2024-03-14T10:00:00Z", "-end", "2024-03-14T09:00:00Z"}, "-start 2024-03-14T10:00:00Z is not before -end 2024-03-14T09:00:00Z"},
		{"max calls", []string{"-since", "1d", "-max-calls", "0"}, "-max-calls: want a positive number, or -1 for no limit"},
		{"endpoint garbage", []string{"-since", "1h", "-endpoint", "garbage"}, `-endpoint: "garbage" is not HOST:PORT, e.g. 127.0.0.1:8085`},
		{"start in year 1", []string{"-start", "0001-01-01T00:00:00Z"}, "-start: 0001-01-01T00:00:00Z is outside the years 1970 to 2199 that runlens reads"},
		{"end in year 9999", []string{"-start", "2024-03-14T09:59:30Z", "-end", "9999-12-31T23:59:59Z"}, "-end: 9999-12-31T23:59:59Z is outside the years 1970 to 2199"},
		{"filter that steps out of its parentheses", []string{"-since", "1h", "-filter", `) OR (`}, `-filter: ") OR (": the ) at byte 1 closes no (`},
		{"filter not closed", []string{"-since", "1h", "-filter", `(severity>=ERROR`}, `-filter: "(severity>=ERROR": 1 ( not closed`},
		{"filter quote not closed", []string{"-since", "1h", "-filter", `textPayload:"a) OR (b`}, `-filter: "textPayload:\"a) OR (b": a string literal (") is not closed`},
		{"window of centuries", []string{"-start", "1971-01-01T00:00:00Z", "-end", "2100-01-01T00:00:00Z"}, "longer than 400 days, the longest window runlens reports"},
		{"since 1000 days", []string{"-since", "1000d"}, "-since 1000d: longer than 400 days"},
		{"endpoint port", []string{"-since", "1h", "-endpoint", "127.0.0.1:99999"}, `-endpoint: "127.0.0.1:99999": port "99999" is not a number from 1 to 65535`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := liveCLI(t, append(base, tc.args...)...)
			if err == nil || exitCode(err) != exitUsage || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v (exit %d), want usage error %q", err, exitCode(err), tc.want)
			}
		})
	}
	t.Run("no output", func(t *testing.T) {
		_, _, err := liveCLI(t, "collect", "-project", "p", "-region", "r", "-service", "s", "-since", "2h")
		if err == nil || !strings.Contains(err.Error(), "-o DIR is required") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("report: snapshot and live flags", func(t *testing.T) {
		_, _, err := liveCLI(t, "report", "snap", "-project", "p", "-region", "r", "-service", "s", "-since", "2h")
		if err == nil || !strings.Contains(err.Error(), "give a snapshot or the live flags") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestCollectNoCredentials(t *testing.T) {
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	_, _, err := liveCLI(t, "collect", "-project", "p", "-region", "r", "-service", "s", "-since", "2h", "-o", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), `run "gcloud auth application-default login"`) || strings.Contains(err.Error(), "rpc error") {
		t.Errorf("err = %v, want one message saying how to authenticate", err)
	}
}

func TestFakeGCPUsage(t *testing.T) {
	_, _, err := liveCLI(t, "fake-gcp", "-addr", "127.0.0.1:0")
	if err == nil || exitCode(err) != exitUsage {
		t.Errorf("err = %v, want a usage error", err)
	}
	_, _, err = liveCLI(t, "fake-gcp", "-addr", "127.0.0.1:0", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "no log entries, time series or services") {
		t.Errorf("empty directory: err = %v", err)
	}
}

// Collect against an address where nothing listens fails in seconds,
// naming the address and the cause, and stderr tells of the retries first.
func TestCollectDeadEndpoint(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := l.Addr().String()
	must(t, l.Close())
	for _, args := range [][]string{
		{"collect", "-service", "s", "-o", filepath.Join(t.TempDir(), "snap")},
		{"report", "-service", "s"},
		{"audit"},
	} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel() // each waits out its retries
			start := time.Now()
			_, stderr, err := liveCLI(t, append(args, "-endpoint", addr, "-project", "p", "-region", "europe-west1", "-since", "1h")...)
			if el := time.Since(start); el >= 10*time.Second {
				t.Errorf("failed after %s, want under 10 s", el.Round(time.Millisecond))
			}
			if err == nil || !strings.Contains(err.Error(), "cannot connect to "+addr+": connect: connection refused (gave up after ") {
				t.Errorf("err = %v, want one naming %s and the refused connection", err, addr)
			}
			if !strings.Contains(stderr, "cannot connect to "+addr+": connect: connection refused; retrying in ") {
				t.Errorf("stderr does not tell of the retries:\n%s", stderr)
			}
		})
	}
	t.Run("audit endpoint", func(t *testing.T) {
		_, _, err := liveCLI(t, "audit", "-endpoint", "garbage", "-project", "p", "-since", "1h")
		if err == nil || exitCode(err) != exitUsage || !strings.Contains(err.Error(), "-endpoint: ") {
			t.Errorf("err = %v, want a usage error naming -endpoint", err)
		}
	})
}
