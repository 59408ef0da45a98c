package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	"github.com/runlens/runlens/collect/gcp/fakegcp"
	"github.com/runlens/runlens/model"
)

func fakeGCPCommand() command {
	return command{
		name:    "fake-gcp",
		summary: "serve snapshots over the Cloud Logging, Monitoring and Run gRPC APIs, for trying collect without a project",
		args:    "[-addr HOST:PORT] SNAPSHOT|PROJECT...",
		examples: []string{
			"runlens fake-gcp -addr 127.0.0.1:8085 fixtures/paper-mobilenet",
		},
		flags: func(fs *flag.FlagSet) func(io.Writer, io.Writer, []string) error {
			addr := fs.String("addr", "127.0.0.1:8085", "listen on `HOST:PORT` (port 0 picks a free one)")
			return func(stdout, stderr io.Writer, args []string) error {
				if len(args) == 0 {
					return usagef("fake-gcp: give at least one snapshot directory")
				}
				ctx, stop := interruptible()
				defer stop()
				return serveFake(ctx, stderr, *addr, args, nil)
			}
		},
	}
}

// serveFake serves the snapshots on addr until ctx ends; ready, when not
// nil, receives the address once the server listens.
func serveFake(ctx context.Context, stderr io.Writer, addr string, snapshots []string, ready chan<- string) error {
	srv, err := fakegcp.New(snapshots...)
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("fake-gcp: %w", err)
	}
	st := srv.Stats()
	fmt.Fprintf(stderr, "fake-gcp: serving %d log entries, %d time series, %d services and %d recommendations on %s until interrupted\n",
		st.Entries, st.Series, st.Services, st.Recommendations, lis.Addr())
	if hint := tryHint(lis.Addr().String(), snapshots[0]); hint != "" {
		fmt.Fprintf(stderr, "try: %s\n", hint)
	}
	if ready != nil {
		ready <- lis.Addr().String()
	}
	go func() {
		<-ctx.Done()
		srv.Stop()
	}()
	return srv.Serve(lis)
}

// tryHint is a collect command for the first snapshot's manifest, or an
// audit command when it is a project's directory of snapshots.
func tryHint(addr, dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	project := false
	if err != nil {
		if ms, _ := filepath.Glob(filepath.Join(dir, "*", "manifest.json")); len(ms) > 0 {
			b, err = os.ReadFile(ms[0])
			project = true
		}
	}
	var m model.Manifest
	if err != nil || json.Unmarshal(b, &m) != nil || m.Window.IsZero() {
		return ""
	}
	if project {
		return fmt.Sprintf("runlens audit -endpoint %s -project %s -region %s -start %s -end %s",
			addr, m.Project, m.Region, m.Window.Start.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"), m.Window.End.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"))
	}
	return fmt.Sprintf("runlens collect -endpoint %s -project %s -region %s -service %s -start %s -end %s -o snap",
		addr, m.Project, m.Region, m.Service, m.Window.Start.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"), m.Window.End.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"))
}
