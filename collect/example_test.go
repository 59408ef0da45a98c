package collect_test

import (
	"fmt"
	"strings"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/model"
)

// Two request entries of a log sink's NDJSON export, read into a Dataset.
func ExampleReadLogs() {
	const log = `{"logName":"projects/p/logs/run.googleapis.com%2Frequests","resource":{"type":"cloud_run_revision","labels":{"service_name":"api","location":"europe-west1","revision_name":"api-00001-abc"}},"timestamp":"2024-03-14T10:00:00Z","insertId":"a1","httpRequest":{"requestMethod":"GET","requestUrl":"https://api-xyz.a.run.app/predict?x=1","status":200,"latency":"0.250s"},"labels":{"instanceId":"00f1"}}
{"logName":"projects/p/logs/run.googleapis.com%2Frequests","resource":{"type":"cloud_run_revision","labels":{"service_name":"api","location":"europe-west1","revision_name":"api-00001-abc"}},"timestamp":"2024-03-14T10:00:01Z","insertId":"a2","httpRequest":{"requestMethod":"GET","requestUrl":"https://api-xyz.a.run.app/predict","status":503,"latency":"0.004s"},"labels":{"instanceId":"00f1"}}
`
	ds := &model.Dataset{}
	n, err := collect.ReadLogs("requests.ndjson", strings.NewReader(log), ds)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n, "entries read as", ds.Sources[0].Format)
	for _, r := range ds.Requests {
		fmt.Println(r.Time.Format("15:04:05"), r.Method, r.Path, r.Status, r.Latency, r.InstanceID)
	}
	// Output:
	// 2 entries read as logging-ndjson
	// 10:00:00 GET /predict 200 250ms 00f1
	// 10:00:01 GET /predict 503 4ms 00f1
}

// Sniff tells the formats apart by their first bytes.
func ExampleSniff() {
	for _, head := range []string{
		`[{"logName": "projects/p/logs/run.googleapis.com%2Frequests"}]`,
		`{"timeSeries": [{"metric": {"type": "run.googleapis.com/request_count"}}]}`,
		`{"apiVersion": "serving.knative.dev/v1", "kind": "Service"}`,
	} {
		fmt.Println(collect.Sniff([]byte(head)))
	}
	// Output:
	// logging
	// timeseries
	// service
}
