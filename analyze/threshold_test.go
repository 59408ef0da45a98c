package analyze

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in      string
		want    Threshold
		wantErr string
	}{
		{in: "p95_ms>1500", want: Threshold{Key: "p95_ms", Op: ">", Limit: 1500, Severity: "warn"}},
		{in: "  cold_start_share >= 0.01 crit ", want: Threshold{Key: "cold_start_share", Op: ">=", Limit: 0.01, Severity: "crit"}},
		{in: "unexplained_difference>0", want: Threshold{Key: "unexplained_difference", Op: ">", Limit: 0, Severity: "warn"}},
		{in: "Cost_USD < -1.5e2 INFO", want: Threshold{Key: "cost_usd", Op: "<", Limit: -150, Severity: "info"}},
		{in: "idle_share <= .6", want: Threshold{Key: "idle_share", Op: "<=", Limit: 0.6, Severity: "warn"}},
		{in: "p95 > 1500", wantErr: `unknown key "p95"`},
		{in: "p95_ms = 1500", wantErr: "want KEY OP NUMBER"},
		{in: "p95_ms > 1.5s", wantErr: "want KEY OP NUMBER"},
		{in: "p95_ms > 1500 fatal", wantErr: `severity "fatal"`},
		{in: "p95_ms > 1e999", wantErr: "not a finite number"},
		{in: "", wantErr: "want KEY OP NUMBER"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseThreshold(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestParseThresholdsFile(t *testing.T) {
	file := "\uFEFF# nightly limits\n\ncost_increase_pct > 50   # half again\nerror_rate > 0.05 crit\n"
	got, err := ParseThresholds("limits.conf", strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []Threshold{
		{Key: "cost_increase_pct", Op: ">", Limit: 50, Severity: "warn", Source: "limits.conf:3"},
		{Key: "error_rate", Op: ">", Limit: 0.05, Severity: "crit", Source: "limits.conf:4"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
	_, err = ParseThresholds("limits.conf", strings.NewReader("p95_ms > 1\nbogus\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "limits.conf:2: ") {
		t.Errorf("error %v, want one naming limits.conf line 2", err)
	}
}

func TestThresholdCheck(t *testing.T) {
	th := Threshold{Key: "p95_ms", Op: ">", Limit: 1500, Severity: "crit"}
	tests := []struct {
		v       float64
		known   bool
		status  string
		message string
	}{
		{1309.003, true, "pass", "p95_ms is 1309: threshold p95_ms > 1500 passed"},
		{1500, true, "pass", "p95_ms is 1500: threshold p95_ms > 1500 passed"},
		{1500.5, true, "fail", "p95_ms is 1500.5, crossing the threshold p95_ms > 1500"},
		{0, false, "no_data", "threshold p95_ms > 1500: no data (no request logs)"},
	}
	for _, tt := range tests {
		r := th.Check(tt.v, tt.known, "no request logs")
		if r.Status != tt.status || r.Message != tt.message {
			t.Errorf("Check(%v, %v) = %s %q, want %s %q", tt.v, tt.known, r.Status, r.Message, tt.status, tt.message)
		}
	}
	le := Threshold{Key: "requests", Op: "<=", Limit: 10}
	if r := le.Check(10, true, ""); r.Status != "fail" {
		t.Errorf("10 <= 10: %s, want fail", r.Status)
	}
}

// thresholdReport is a small report: 200 server requests, 10 of them 5xx,
// 4 cold starts; a client that sent 198.
func thresholdReport() *Report {
	return &Report{
		Server:     Server{Total: ServerEndpoint{Requests: 200, Status2xx: 188, Status4xx: 2, Status5xx: 10, P50MS: 120, P95MS: 1800, P99MS: 9000}},
		Client:     &Client{Total: ClientEndpoint{Requests: 198, Failures: 3, P95MS: 1900, P99MS: 9500}},
		ColdStarts: ColdStarts{Count: 4, ShareOfRequests: 0.02, PenaltyP95MS: 8000, Churn: 1},
		Cost:       Cost{Requests: 205, TotalUSD: 0.25, USDPer1kRequests: 1.2, IdleShare: 0.4, BillableInstanceSeconds: 100},
		Resources:  Resources{HasMemory: true, MemoryP99: 0.93, MemoryLimitExceededEvents: 1},
		Instances:  Instances{MaxActive: 3},
		Findings:   []Finding{{ID: "unexplained_difference", Severity: "warn", Value: 2}},
	}
}

func TestReportValues(t *testing.T) {
	vs := ReportValues(thresholdReport())
	want := map[string]float64{
		"requests": 205, "cost_usd": 0.25, "usd_per_1k_requests": 1.2, "idle_share": 0.4, "cold_starts": 4,
		"cold_start_share": 0.02, "cold_start_penalty_p95_ms": 8000, "churn": 1, "error_rate": 0.05,
		"client_failure_rate": 3.0 / 198, "p50_ms": 120, "p95_ms": 1800, "p99_ms": 9000, "server_p95_ms": 1800,
		"server_p99_ms": 9000, "client_p95_ms": 1900, "client_p99_ms": 9500, "unexplained_difference": 2,
		"memory_p99": 0.93, "memory_limit_exceeded": 1, "crashes": 0, "max_active_instances": 3,
	}
	if d := cmp.Diff(want, vs.V); d != "" {
		t.Errorf("values (-want +got):\n%s", d)
	}
	if _, ok, why := vs.Get("cpu_p95"); ok || why != "no CPU utilization metric" {
		t.Errorf("cpu_p95: known %v, why %q", ok, why)
	}
	for _, k := range ThresholdKeys {
		if _, inV := vs.V[k.Name]; !inV && vs.Why[k.Name] == "" {
			t.Errorf("key %s is neither measured nor explained", k.Name)
		}
	}
}

func TestReportValuesWithoutLogs(t *testing.T) {
	rpt := &Report{Client: &Client{Total: ClientEndpoint{Requests: 50, P95MS: 700}},
		Series: Series{StatusClasses: []StatusPoint{{C2xx: 90, C5xx: 6}, {C2xx: 2, C4xx: 2}}}}
	vs := ReportValues(rpt)
	if v, ok, _ := vs.Get("p95_ms"); !ok || v != 700 {
		t.Errorf("p95_ms = %v %v, want the client's 700", v, ok)
	}
	if v, ok, _ := vs.Get("error_rate"); !ok || v != 0.06 {
		t.Errorf("error_rate = %v %v, want 6 of 100 from the metric", v, ok)
	}
	if _, ok, why := vs.Get("idle_share"); ok || why != "no request logs" {
		t.Errorf("idle_share known %v (%q), want no data without logs", ok, why)
	}
}

func TestApplyThresholds(t *testing.T) {
	rpt := thresholdReport()
	rpt.Findings = append([]Finding{{ID: "memory_limit_exceeded", Severity: "crit", Value: 1}}, rpt.Findings...)
	var ts []Threshold
	for _, s := range []string{"p95_ms>1500 crit", "cold_start_share>0.01", "unexplained_difference>0 info", "cpu_p95 > 0.9", "error_rate > 0.1"} {
		th, err := ParseThreshold(s)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, th)
	}
	ts[0].Fail = true
	ApplyThresholds(rpt, ts)
	var got []string
	for _, r := range rpt.Thresholds {
		got = append(got, r.Key+":"+r.Status)
	}
	want := []string{"p95_ms:fail", "cold_start_share:fail", "unexplained_difference:fail", "cpu_p95:no_data", "error_rate:pass"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("statuses (-want +got):\n%s", d)
	}
	var ids []string
	for _, f := range rpt.Findings {
		ids = append(ids, f.Severity+" "+f.ID)
	}
	wantIDs := []string{"crit memory_limit_exceeded", "crit threshold_p95_ms", "warn unexplained_difference", "warn threshold_cold_start_share",
		"info threshold_unexplained_difference", "info threshold_cpu_p95", "info threshold_error_rate"}
	if d := cmp.Diff(wantIDs, ids); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	crossed := func(level string) []string {
		var out []string
		for _, r := range Crossed(rpt.Thresholds, level) {
			out = append(out, r.Key)
		}
		return out
	}
	if d := cmp.Diff([]string{"p95_ms"}, crossed("")); d != "" {
		t.Errorf("crossed with no level: %s", d)
	}
	if d := cmp.Diff([]string{"p95_ms"}, crossed("crit")); d != "" {
		t.Errorf("crossed at crit: %s", d)
	}
	if d := cmp.Diff([]string{"p95_ms", "cold_start_share"}, crossed("warn")); d != "" {
		t.Errorf("crossed at warn: %s", d)
	}
}
