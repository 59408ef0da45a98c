package render_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/model"
	"github.com/runlens/runlens/render"
)

// A report rendered as Markdown, for a CI comment: its headline and the
// first table.
func ExampleMarkdown() {
	start := time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC)
	ds := &model.Dataset{}
	for i := range 10 {
		ds.Requests = append(ds.Requests, model.Request{
			Time: start.Add(time.Duration(i) * time.Second), Method: "POST", Path: "/predict",
			Status: 200, Latency: time.Duration(100+10*i) * time.Millisecond, InstanceID: "00f1",
		})
	}
	rpt := analyze.Run(ds, analyze.Options{Generated: start})
	var b bytes.Buffer
	if err := render.Markdown(&b, rpt, render.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	head, _, _ := strings.Cut(b.String(), "### Response time percentiles")
	fmt.Print(head)
	// Output:
	// ## runlens: Cloud Run service
	//
	// Window 2024-03-14 10:00:00 to 10:00:09 UTC.
	// Requests: server 10. Cold starts: 1 (10.0 % of requests waited, penalty p50 0 ms). Cost: $0.00005198, idle share 23.7 %.
	//
	// ### Request statistics
	//
	// | Method | Name       | Source | Requests | Fails | Avg ms | Min ms | Max ms | Avg size B | Req/s |
	// |:-------|:-----------|:-------|---------:|------:|-------:|-------:|-------:|-----------:|------:|
	// | POST   | /predict   | server |       10 |     0 |    145 |    100 |    190 |          0 |   1.1 |
	// |        | Aggregated | server |       10 |     0 |    145 |    100 |    190 |          0 |   1.1 |
}
