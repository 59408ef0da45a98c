package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/model"
)

// The count server's log is read by runlens as Cloud Run request entries,
// one per request it counted.
func TestServerLogIsReadByRunlens(t *testing.T) {
	s := newServer(time.Millisecond)
	ts := httptest.NewServer(s)
	defer ts.Close()
	for _, p := range []string{"/ok", "/fail", "/a?b=c"} {
		resp, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	dir := t.TempDir()
	logFile, countFile := filepath.Join(dir, "server.ndjson"), filepath.Join(dir, "count.json")
	if err := s.write(logFile, countFile); err != nil {
		t.Fatal(err)
	}
	count, err := os.ReadFile(countFile)
	if err != nil || strings.TrimSpace(string(count)) != `{"requests":3}` {
		t.Errorf("count = %q, %v", count, err)
	}
	f, err := os.Open(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds := &model.Dataset{Skipped: map[string]int{}}
	if _, err := collect.ReadLogs(logFile, f, ds); err != nil {
		t.Fatal(err)
	}
	if len(ds.Requests) != 3 || len(ds.Warnings) != 0 {
		t.Fatalf("requests %d, warnings %q", len(ds.Requests), ds.Warnings)
	}
	r := ds.Requests[1]
	if r.Method != "GET" || r.Path != "/fail" || r.Status != 500 || r.Latency < time.Millisecond || r.InstanceID != "countserver-1" {
		t.Errorf("request = %+v", r)
	}
	if ds.Requests[2].Path != "/a" {
		t.Errorf("path = %q", ds.Requests[2].Path)
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	if _, err := listen(options{addr: "0.0.0.0:0"}); err == nil || !strings.Contains(err.Error(), "only loopback addresses") {
		t.Errorf("error = %v", err)
	}
}
