package loadtest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
)

// fuzzSeeds adds the testdata files and the given texts to the corpus.
func fuzzSeeds(f *testing.F, files []string, texts ...string) {
	for _, name := range files {
		b, err := os.ReadFile(td(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range texts {
		f.Add([]byte(s))
	}
}

// fuzzRead reads b as the tool's result: no panic, and a run that reads
// holds together.
func fuzzRead(t *testing.T, tool string, b []byte) {
	path := filepath.Join(t.TempDir(), "result")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	Sniff(b)
	run, _, err := ReadWith([]string{path}, Options{Tool: tool})
	if err != nil {
		return
	}
	checkRun(t, run)
}

func checkRun(t *testing.T, run *model.ClientRun) {
	var sum int64
	for _, e := range append([]model.ClientEndpoint{run.Total}, run.Endpoints...) {
		if e.Requests < 0 || e.Failures < 0 || e.Min < 0 || e.Max < e.Min || e.Avg < 0 || e.RPS < 0 {
			t.Fatalf("endpoint = %+v", e)
		}
		if !slices.IsSortedFunc(e.Percentiles, func(a, b model.Percentile) int { return int(a.Value - b.Value) }) {
			t.Fatalf("percentiles not increasing: %v", e.Percentiles)
		}
	}
	for _, e := range run.Endpoints {
		sum += e.Requests
	}
	if !run.TotalsOnly && sum != run.Total.Requests {
		t.Fatalf("endpoints sum to %d requests, the total is %d", sum, run.Total.Requests)
	}
	var last int64
	for i, s := range run.History {
		if s.TotalRequests < last || s.RPS < 0 || s.Users < 0 || i > 0 && !s.Time.After(run.History[i-1].Time) {
			t.Fatalf("history row %d = %+v", i, s)
		}
		last = s.TotalRequests
	}
	if last > run.Total.Requests {
		t.Fatalf("history counts %d requests, the total %d", last, run.Total.Requests)
	}
}

func FuzzReadK6(f *testing.F) {
	fuzzSeeds(f, []string{"k6_out.ndjson", "k6_summary_export.json", "k6_handle_summary.json"},
		`{"type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1e300,"tags":{}},"metric":"http_reqs"}`,
		`{"type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":-1,"tags":{"status":"x"}},"metric":"http_req_failed"}`,
		`{"type":"Point","data":{"time":"9999-12-31T23:59:59Z","value":NaN},"metric":"http_req_duration"}`,
		`{"type":"Metric","data":{},"metric":"vus"}`+"\n"+`{"type":"Point","data":{"time":"0001-01-01T00:00:00Z","value":1e18},"metric":"vus"}`,
		`{"metrics":{"http_reqs":{"values":{"count":5}},"http_req_failed":{"values":{"passes":9}},"http_req_duration":{"p(abc)":1,"p(101)":2,"max":-1}},"state":{}}`,
		`{"metrics":{"http_reqs":{"count":1e300}},"root_group":{}}`,
	)
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, "k6", b) })
}

func FuzzReadJMeter(f *testing.F) {
	fuzzSeeds(f, []string{"jmeter_headerless.csv", "jmeter_tab_dates.jtl", "jmeter_nested.xml"},
		"timeStamp,elapsed,label,responseCode,success\n1,2,a-0,,true\n-5,99999999999999999999,a,200,maybe\n",
		"timeStamp,elapsed,label,success\n31/31/2023 99:99:99,1,a,true\n2023-01-01 00:00:00,1,a,true\n",
		"1700000000000,1,a,200,OK,t,text,true,\"unterminated\n",
		"<testResults><sample ts=\"1700000000000\" t=\"-1\" s=\"true\"><sample><sample/></sample></sample><httpSample ts=\"x\"/>",
		"<testResults><sample rm=\"Number of samples in transaction\"><sample ts=\"1\" t=\"1\" s=\"false\"><failureMessage>x</failureMessage></sample></sample>",
	)
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, "jmeter", b) })
}

func FuzzReadVegeta(f *testing.F) {
	fuzzSeeds(f, []string{"vegeta_results.bin", "vegeta_results.json", "vegeta_results.csv", "vegeta_report.json"},
		`{"code":99999,"timestamp":"2024-01-01T00:00:00Z","latency":-5}`,
		`{"code":200,"timestamp":"2024-01-01T00:00:00Z","latency":9223372036854775807,"bytes_in":18446744073709551615}`,
		"1704067200000000000,200,-1,0,5,\n9223372036854775807,0,1,1,1,err,,,,,,\n",
		`{"latencies":{"mean":-1},"requests":-3,"success":2,"status_codes":{"x":1,"0":-5}}`,
		`{"latencies":{},"requests":5,"success":0.5,"status_codes":{"0":3},"errors":["500 Internal","dial: refused"]}`,
		"\xff\xfeR\x00e\x00s\x00u\x00l\x00t\x00C\x00o\x00d\x00e\x00T\x00i\x00m\x00e\x00s\x00t\x00a\x00m\x00p\x00L\x00a\x00t\x00e\x00n\x00c\x00y\x00",
		"\x10\xff\x81\x03\x01\x01\x06Result\x01\xff\x82\x00\x01\x01\x01\x04Code\x01\x06\x00\x00\x00TimestampLatency",
	)
	if b, err := os.ReadFile(td("vegeta_results.bin")); err == nil {
		f.Add(b[:len(b)/2])
		f.Add(logtest.Gzip(f, b))
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, "vegeta", b) })
}
