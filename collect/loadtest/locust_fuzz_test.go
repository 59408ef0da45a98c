package loadtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadLocust reads arbitrary bytes as a Locust file: no panic, and a run
// that reads never has negative counts.
func FuzzReadLocust(f *testing.F) {
	fixtures, err := filepath.Glob(filepath.Join("testdata", "*.csv"))
	if err != nil || len(fixtures) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, p := range fixtures {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"",
		"\xEF\xBB\xBF",
		"\xFF\xFE",
		"\x1f\x8b",
		"Type,Name,Request Count\n",
		"Type,Name,Request Count,Failure Count\n,Aggregated,-5,-1\n",
		"Type,Name,Request Count,Failure Count,Median Response Time,50%\nGET,/,1e400,NaN,Inf,-Inf\n",
		"Type,Name,Request Count,Median Response Time,100%\nGET,/,9223372036854775807,9.3e12,1e308\n",
		"Timestamp,User Count,Type,Name,Total Request Count\n-1,-1,,Aggregated,-3\n1e300,99999999999999999999,,Aggregated,1\n",
		"Method,Name,Error,Occurrences\nGET,/,\"unterminated\n",
		"Method,Name,Error,Occurrences\nGET,/,a\"b\"c,1\n",
		"\"Name\",\"# requests\",\"50%\"\n\"Total\",3,N/A\n\"GET /\",x,1\n",
		"Count,Message,Traceback,Nodes\r\r\n1,m,\"t\r\r\nu\",n\r\r\n",
		"Type,Name,Request Count,\xBD\xD3\n\xFF,\xFE,1,2\n",
		"Type,Name,Request Count,Failure Count\r" + strings.Repeat(",Aggregated,1,1\r", 3),
		"---\nkey: value\n",
		"{\"a\": 1}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "run_stats.csv")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		IsLocust(b)
		run, _, err := ReadLocust([]string{path})
		if err != nil {
			return
		}
		if run.Total.Requests < 0 || run.Total.Failures < 0 {
			t.Fatalf("total = %+v", run.Total)
		}
		for _, e := range run.Endpoints {
			if e.Requests < 0 || e.Failures < 0 || e.Max < 0 {
				t.Fatalf("endpoint = %+v", e)
			}
		}
		for _, s := range run.History {
			if s.TotalRequests < 0 || s.Users < 0 {
				t.Fatalf("sample = %+v", s)
			}
		}
	})
}
