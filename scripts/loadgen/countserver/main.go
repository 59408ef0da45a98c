// Command countserver is the local HTTP server that scripts/loadgen-check
// runs real load generators against. It counts every request it receives
// and logs each one as a Cloud Run request log entry, one JSON object per
// line as a log sink writes them, so that runlens can reconcile what a load
// generator counted with what the server saw.
//
// GET /fail answers 500, anything else 200, each after -delay (so that a
// generator stopped by its timer leaves requests in flight). It listens on
// the loopback address only, stops on SIGINT or SIGTERM or after -max, and
// then writes the log and {"requests": N} to -count. -closed-addr-file
// names a loopback address where nothing listens, for connection failures.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/internal/atomicfile"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "countserver: %v\n", err)
		os.Exit(1)
	}
}

type options struct {
	addr, addrFile, closedFile, logFile, countFile string
	delay, max                                     time.Duration
}

func run(args []string) error {
	var o options
	fs := flag.NewFlagSet("countserver", flag.ContinueOnError)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:0", "loopback `HOST:PORT` to listen on")
	fs.StringVar(&o.addrFile, "addr-file", "", "write the address listened on to `FILE`")
	fs.StringVar(&o.closedFile, "closed-addr-file", "", "write a loopback address where nothing listens to `FILE`")
	fs.StringVar(&o.logFile, "log", "server.ndjson", "request log `FILE` (Cloud Run request entries, NDJSON)")
	fs.StringVar(&o.countFile, "count", "count.json", "count `FILE`, written at exit")
	fs.DurationVar(&o.delay, "delay", 20*time.Millisecond, "time each request takes")
	fs.DurationVar(&o.max, "max", 5*time.Minute, "stop after this long at most")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := listen(o)
	if err != nil {
		return err
	}
	s := newServer(o.delay)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case <-time.After(o.max):
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return err
	}
	return s.write(o.logFile, o.countFile)
}

// listen opens the loopback listener and writes the address files.
func listen(o options) (net.Listener, error) {
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("-addr %s: only loopback addresses", o.addr)
	}
	if o.closedFile != "" {
		closed, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		closed.Close()
		if err := os.WriteFile(o.closedFile, []byte(closed.Addr().String()), 0o644); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, err
	}
	if o.addrFile != "" {
		if err := atomicfile.Write(o.addrFile, func(w io.Writer) error {
			_, err := io.WriteString(w, ln.Addr().String())
			return err
		}); err != nil {
			ln.Close()
			return nil, err
		}
	}
	return ln, nil
}

// server counts requests and keeps a log entry for each.
type server struct {
	delay   time.Duration
	mu      sync.Mutex
	count   int64
	entries []collect.LogEntry
}

func newServer(delay time.Duration) *server { return &server{delay: delay} }

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	s.mu.Lock()
	s.count++
	s.mu.Unlock()
	time.Sleep(s.delay)
	status := http.StatusOK
	if r.URL.Path == "/fail" {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	n, _ := io.WriteString(w, http.StatusText(status)+"\n")
	s.log(r, arrived, status, n)
}

// log keeps the request as a Cloud Run request log entry.
func (s *server) log(r *http.Request, arrived time.Time, status, size int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, collect.LogEntry{
		LogName: "projects/local/logs/run.googleapis.com%2Frequests",
		Resource: &collect.MonitoredResource{Type: "cloud_run_revision", Labels: map[string]string{
			"service_name": "countserver", "revision_name": "countserver-00001", "location": "local", "project_id": "local",
		}},
		Timestamp: arrived.UTC().Format(time.RFC3339Nano),
		Severity:  "INFO",
		InsertID:  fmt.Sprintf("%08d", len(s.entries)+1),
		HTTPRequest: &collect.HTTPRequest{
			RequestMethod: r.Method, RequestURL: "http://" + r.Host + r.URL.RequestURI(), Status: status,
			ResponseSize: collect.Int64(size), UserAgent: r.UserAgent(), RemoteIP: r.RemoteAddr,
			Latency: fmt.Sprintf("%.9fs", time.Since(arrived).Seconds()), Protocol: r.Proto,
		},
		Labels: map[string]string{"instanceId": "countserver-1"},
	})
}

// write saves the log entries and the count.
func (s *server) write(logFile, countFile string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := atomicfile.Write(logFile, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		for i := range s.entries {
			if err := enc.Encode(&s.entries[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if int64(len(s.entries)) != s.count {
		return errors.New("some requests were counted but never answered")
	}
	return atomicfile.Write(countFile, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(map[string]int64{"requests": s.count})
	})
}
