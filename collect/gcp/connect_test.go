package gcp

import (
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runlens/runlens/collect/gcp/fakegcp"
)

func TestCheckEndpoint(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8085": true, "localhost:1": true, "[::1]:65535": true, "logging.googleapis.com:443": true,
		"garbage": false, "127.0.0.1:99999": false, "127.0.0.1:0": false, "127.0.0.1:": false, ":8085": false,
		"127.0.0.1:http": false, "127.0.0.1:-1": false,
	} {
		if err := CheckEndpoint(addr); (err == nil) != ok {
			t.Errorf("CheckEndpoint(%q) = %v", addr, err)
		}
	}
}

// deadAddr is an address where nothing listens: a port bound, then freed.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := l.Addr().String()
	must(t, l.Close())
	return addr
}

// syncBuffer is a progress writer the collection's goroutines share.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A first call that cannot connect fails within the connect wait, naming
// the address and the cause, after retries that progress tells of; it
// used to be retried for minutes in silence.
func TestConnectFailsFast(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer silent.Close()
	var mu sync.Mutex
	var held []net.Conn
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()
	go func() { // takes connections and never says a word
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	for _, tc := range []struct {
		name, addr, cause string
		retries           bool
	}{
		{"nothing listens", deadAddr(t), "connection refused", true},
		{"silent server", silent.Addr().String(), "no gRPC connection in", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var progress syncBuffer
			cfg := Config{Project: tProject, Region: tRegion, Service: tService, Start: tStart, End: tStart.Add(time.Hour),
				Endpoint: tc.addr, OutDir: t.TempDir(), Progress: &progress}
			start := time.Now()
			_, err := Collect(deadline(t), cfg)
			el := time.Since(start)
			var ce *connectError
			if err == nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), "cannot connect to "+tc.addr+": ") ||
				!strings.Contains(err.Error(), tc.cause) || !strings.Contains(err.Error(), "gave up after") {
				t.Fatalf("err = %v, want one naming %s and %q", err, tc.addr, tc.cause)
			}
			if el > DefaultConnectWait+2*time.Second {
				t.Errorf("failed after %s, want within the connect wait of %s", el, DefaultConnectWait)
			}
			if tc.retries && !strings.Contains(progress.String(), "cannot connect to "+tc.addr+": connect: connection refused; retrying in ") {
				t.Errorf("progress does not tell of the retries:\n%s", progress.String())
			}
		})
	}
}

// A server that starts a moment after the collection is waited for.
func TestConnectWaitsForAServerStarting(t *testing.T) {
	dir, _, _ := writeSynth(t, synth{requests: 10, system: 1, metrics: true})
	addr := deadAddr(t)
	cfg := Config{Project: tProject, Region: tRegion, Service: tService, Start: tStart, End: tStart.Add(time.Hour),
		Endpoint: addr, OutDir: t.TempDir(), LogCallBudget: 1_000_000}
	fake, err := fakegcp.New(dir)
	must(t, err)
	t.Cleanup(fake.Stop)
	started := make(chan error, 1)
	go func() {
		time.Sleep(time.Second)
		started <- fake.Start(addr)
	}()
	res, err := Collect(deadline(t), cfg)
	must(t, <-started)
	if err != nil {
		t.Fatalf("a server up after a second: %v", err)
	}
	if res.Requests != 10 || res.Manifest.Retries["GetService"] == 0 {
		t.Errorf("%d requests, retries %v: want the 10 requests, after GetService retried", res.Requests, res.Manifest.Retries)
	}
}

func TestCheckFilter(t *testing.T) {
	for f, ok := range map[string]bool{
		``: true,
		`resource.labels.revision_name="mobilenet-00002-xyz"`:                      true,
		`textPayload:"a ) OR ( b" AND (severity>=ERROR OR httpRequest.status=503)`: true,
		`textPayload:"say \"hi)\""`:                                                true,
		`) OR (`:                                                                   false,
		`severity>=ERROR) OR (logName:"x"`:                                         false,
		`((a)`:                                                                     false,
		`textPayload:"open`:                                                        false,
	} {
		if err := CheckFilter(f); (err == nil) != ok {
			t.Errorf("CheckFilter(%q) = %v, want ok %v", f, err, ok)
		}
	}
}
