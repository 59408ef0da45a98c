package whatif

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/sim/large"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

// BenchmarkRunSettings replays a large request log (collect/sim/large,
// 100,000 requests over a day; RUNLENS_BENCH_REQUESTS for another size)
// under 1, 4 and 12 settings (min-instances 0 to 2, concurrency 10 and
// 80, both billing modes), the backtest's replays with them. It reports
// the time per configuration replayed (s/config, the backtest counted)
// and the largest heap in use while replaying (peak-heap-MiB), which
// should not grow with the settings: a replay holds the traffic in
// columns and streams its requests into the analysis.
//
//	go test ./whatif -run '^$' -bench RunSettings -benchtime 1x
func BenchmarkRunSettings(b *testing.B) {
	n := 100_000
	if s := os.Getenv("RUNLENS_BENCH_REQUESTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("RUNLENS_BENCH_REQUESTS: %v", err)
		}
	}
	tr := benchTraffic(b, n)
	var all []analyze.WhatIfSetting
	for _, mi := range []int{0, 1, 2} {
		for _, c := range []int{10, 80} {
			for _, bill := range []string{model.BillingRequest, model.BillingInstance} {
				all = append(all, analyze.WhatIfSetting{MinInstances: mi, Concurrency: c, Billing: bill})
			}
		}
	}
	for _, k := range []int{1, 4, 12} {
		b.Run(fmt.Sprintf("settings=%d", k), func(b *testing.B) {
			runtime.GC()
			stop := sampleHeap()
			for b.Loop() {
				if _, err := Run(tr, all[:k], 1, nil); err != nil {
					b.Fatal(err)
				}
			}
			peak := stop()
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/float64(k+1), "s/config")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// benchTraffic is the traffic of n requests written by large.Write.
func benchTraffic(b *testing.B, n int) *Traffic {
	b.Helper()
	path := filepath.Join(b.TempDir(), "requests.ndjson")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := large.Write(f, large.Options{Requests: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	ds, err := snapshot.Read(snapshot.Inputs{Logs: []string{path}})
	if err != nil {
		b.Fatal(err)
	}
	tr, err := Observe(ds, analyze.Run(ds, analyze.Options{}))
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

// sampleHeap samples the heap's live objects every 10 ms until the
// function it returns is called, which returns the largest sample.
func sampleHeap() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}
