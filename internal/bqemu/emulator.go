package bqemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"
)

// Version is the emulator release scripts/bigquery-emulator builds, and
// Build the version of the script's own main around it (its BUILD).
const (
	Version = "v0.6.6"
	Build   = "3"
)

// The project and dataset every emulator starts with.
const (
	Project = "runlens-test"
	Dataset = "logs"
)

// startTimeout bounds the wait for a started emulator to answer.
const startTimeout = 60 * time.Second

// Emulator is a running BigQuery emulator.
type Emulator struct {
	// Project and Dataset exist from the start.
	Project, Dataset string
	// Endpoint is the REST API's base URL, http://127.0.0.1:PORT.
	Endpoint string

	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{}
	tmp    string // the emulator's TMPDIR: its database and SQLite's spills
}

// Binary returns the path of the emulator: $RUNLENS_BIGQUERY_EMULATOR if
// set, else bigquery-emulator on $PATH, else the binary scripts/bigquery-emulator
// builds into the cache. ok is false when none is an executable file.
func Binary() (path string, ok bool) {
	if p := os.Getenv("RUNLENS_BIGQUERY_EMULATOR"); p != "" {
		lp, err := exec.LookPath(p)
		return lp, err == nil
	}
	if lp, err := exec.LookPath("bigquery-emulator"); err == nil {
		return lp, true
	}
	p, err := CachePath()
	if err != nil {
		return "", false
	}
	lp, err := exec.LookPath(p)
	return lp, err == nil
}

// CachePath is where scripts/bigquery-emulator puts the binary:
// ${XDG_CACHE_HOME:-$HOME/.cache}/runlens/bigquery-emulator-VERSION-BUILD/bigquery-emulator.
func CachePath() (string, error) {
	dir := os.Getenv("XDG_CACHE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".cache")
	}
	return filepath.Join(dir, "runlens", "bigquery-emulator-"+Version+"-"+Build, "bigquery-emulator"), nil
}

// Start runs an emulator with the project Project and the dataset Dataset
// until the test ends. Without a binary (see Binary) it skips the test, or
// with RUNLENS_REQUIRE_BIGQUERY=1 fails it.
func Start(t testing.TB) *Emulator {
	t.Helper()
	exe, ok := Binary()
	if !ok {
		msg := "BigQuery emulator not found: set RUNLENS_BIGQUERY_EMULATOR, put bigquery-emulator on $PATH or run scripts/bigquery-emulator"
		if p := os.Getenv("RUNLENS_BIGQUERY_EMULATOR"); p != "" {
			msg = "BigQuery emulator not found: RUNLENS_BIGQUERY_EMULATOR=" + p + " is not an executable file (scripts/bigquery-emulator builds one)"
		}
		if os.Getenv("RUNLENS_REQUIRE_BIGQUERY") == "1" {
			t.Fatal(msg + " (RUNLENS_REQUIRE_BIGQUERY=1)")
		}
		t.Skip(msg + ": skipping")
	}
	// A port picked free can be taken before the emulator binds it: try
	// again with others.
	var errs []error
	for range 3 {
		e, err := start(exe, Project, Dataset)
		if err == nil {
			t.Cleanup(func() {
				if t.Failed() { // the emulator's own account: a crash, a query it could not run
					out := e.stderr.Bytes()
					t.Logf("BigQuery emulator output (the last 4 KiB):\n%s", out[max(0, len(out)-4096):])
				}
				e.stop()
			})
			return e
		}
		errs = append(errs, err)
	}
	t.Fatalf("starting the BigQuery emulator %s: %v", exe, errors.Join(errs...))
	return nil
}

// start runs exe on free ports and waits until it answers.
func start(exe, project, dataset string) (*Emulator, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	e := &Emulator{
		Project:  project,
		Dataset:  dataset,
		Endpoint: "http://127.0.0.1:" + strconv.Itoa(ports[0]),
		stderr:   &syncBuffer{},
		exited:   make(chan struct{}),
	}
	e.cmd = exec.Command(exe, "--host=127.0.0.1",
		"--port="+strconv.Itoa(ports[0]), "--grpc-port="+strconv.Itoa(ports[1]),
		"--project="+project, "--dataset="+dataset, "--log-level=error")
	e.cmd.Stdout = e.stderr
	e.cmd.Stderr = e.stderr
	// The emulator keeps its database in a temporary file, and SQLite
	// spills large sorts next to it (gigabytes for a million entries): in
	// a directory of their own, removed when the emulator is stopped,
	// however it ends.
	if e.tmp, err = os.MkdirTemp("", "runlens-bigquery-emulator-"); err != nil {
		return nil, err
	}
	e.cmd.Env = append(os.Environ(), "TMPDIR="+e.tmp)
	dieWithTest(e.cmd)
	if err := e.cmd.Start(); err != nil {
		os.RemoveAll(e.tmp)
		return nil, err
	}
	go func() {
		_ = e.cmd.Wait()
		close(e.exited)
	}()
	if err := e.wait(); err != nil {
		e.stop()
		return nil, err
	}
	return e, nil
}

// wait polls the dataset until the emulator serves it.
func (e *Emulator) wait() error {
	url := e.Endpoint + "/bigquery/v2/projects/" + e.Project + "/datasets/" + e.Dataset
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-e.exited:
			return fmt.Errorf("exited: %s: %s", e.cmd.ProcessState, bytes.TrimSpace(e.stderr.Bytes()))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer from %s after %s: %s", url, startTimeout, bytes.TrimSpace(e.stderr.Bytes()))
		}
	}
}

// stop ends the emulator: SIGTERM, then SIGKILL if it lingers.
func (e *Emulator) stop() {
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(5 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.exited
	}
	_ = os.RemoveAll(e.tmp)
}

// Client returns a client of the emulator for the project Project, closed
// when the test ends.
func (e *Emulator) Client(t testing.TB) *bigquery.Client {
	t.Helper()
	c, err := bigquery.NewClient(context.Background(), e.Project,
		option.WithEndpoint(e.Endpoint), option.WithoutAuthentication())
	if err != nil {
		t.Fatalf("bigquery client of the emulator: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// CreateDataset creates another dataset in the project and returns its id.
func (e *Emulator) CreateDataset(t testing.TB, id string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.Client(t).Dataset(id).Create(ctx, &bigquery.DatasetMetadata{}); err != nil {
		t.Fatalf("creating dataset %s in the emulator: %v", id, err)
	}
	return id
}

// freePorts returns n loopback TCP ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// syncBuffer is a bytes.Buffer the emulator's output goroutines can share
// with the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Keep the first 64 KiB: enough to tell why it failed.
	if b.buf.Len() < 64<<10 {
		b.buf.Write(p)
	}
	return len(p), nil
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
