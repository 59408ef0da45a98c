package analyze_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/model"
)

// A Dataset of ten requests, one of them failed, analyzed with no metrics,
// service or client: the report says what it had to do without.
func ExampleRun() {
	start := time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC)
	ds := &model.Dataset{}
	for i := range 10 {
		status := 200
		if i == 9 {
			status = 500
		}
		ds.Requests = append(ds.Requests, model.Request{
			Time: start.Add(time.Duration(i) * time.Second), Method: "POST", Path: "/predict",
			Status: status, Latency: time.Duration(100+10*i) * time.Millisecond, InstanceID: "00f1",
		})
	}
	rpt := analyze.Run(ds, analyze.Options{Generated: start})
	t := rpt.Server.Total
	fmt.Printf("%d requests, %d 5xx, p50 %.0f ms, p95 %.0f ms\n", t.Requests, t.Status5xx, t.P50MS, t.P95MS)
	for _, m := range rpt.Missing {
		source, _, _ := strings.Cut(m, ":")
		fmt.Println("missing:", source)
	}
	// Output:
	// 10 requests, 1 5xx, p50 140 ms, p95 190 ms
	// missing: client
	// missing: system logs
	// missing: service
	// missing: metric request_count
	// missing: metric instance_count
	// missing: metric billable_instance_time
	// missing: metric cpu/utilizations
	// missing: metric memory/utilizations
}
