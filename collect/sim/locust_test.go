package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRoundedResponseTime(t *testing.T) {
	for _, tc := range []struct {
		rt    time.Duration
		key   int64
		isInt bool
	}{
		{147 * time.Millisecond, 150, false}, // Locust's own examples
		{3432 * time.Millisecond, 3400, false},
		{58760 * time.Millisecond, 59000, false},
		{99600 * time.Microsecond, 100, true}, // round() below 100 ms gives an int
		{42400 * time.Microsecond, 42, true},
		{42500 * time.Microsecond, 42, true}, // ties go to the even neighbour
		{43500 * time.Microsecond, 44, true},
		{575 * time.Millisecond, 580, false},
		{585 * time.Millisecond, 580, false},
		{585*time.Millisecond + 1, 590, false},
		{1050 * time.Millisecond, 1000, false},
		{18287305638, 18000, false},
		{21187167403, 21000, false},
	} {
		t.Run(tc.rt.String(), func(t *testing.T) {
			k, isInt := roundedResponseTime(tc.rt)
			if k != tc.key || isInt != tc.isInt {
				t.Errorf("roundedResponseTime(%v) = %d, %v; want %d, %v", tc.rt, k, isInt, tc.key, tc.isInt)
			}
		})
	}
}

// statsOf logs calls of the given latencies (ms), one a second.
func statsOf(ms ...float64) *locustStats {
	start := time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC)
	s := newLocustStats(start, []float64{0.5, 0.95, 0.99, 1})
	for i, v := range ms {
		d := time.Duration(v * float64(time.Millisecond))
		s.log(Call{Task: Task{Method: "GET", Name: "/", Latency: d, ContentLength: 10}, Sent: start.Add(time.Duration(i)*time.Second - d)})
	}
	return s
}

func TestLocustPercentilesAndMedian(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ms     []float64
		median string
		pcts   []int64 // 50, 95, 99, 100
	}{
		{"one", []float64{123.4}, "123.4", []int64{120, 120, 120, 120}}, // the median is clamped to the exact min
		{"fast", []float64{5.2, 7.9, 9.1}, "8", []int64{8, 9, 9, 9}},
		// 10 requests: the median is the 5th (index 4) bucket, the 50% column the 6th.
		{"ten", []float64{101, 202, 303, 404, 505, 606, 707, 808, 909, 1010}, "500.0", []int64{610, 1000, 1000, 1000}},
		{"outlier", []float64{500, 510, 520, 18287}, "510.0", []int64{520, 18000, 18000, 18000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := statsOf(tc.ms...)
			if got := s.total.median(); got != tc.median {
				t.Errorf("median = %s, want %s", got, tc.median)
			}
			var got []int64
			for _, p := range s.percentiles {
				got = append(got, s.total.percentile(p))
			}
			if diff := cmp.Diff(tc.pcts, got); diff != "" {
				t.Errorf("percentiles (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocustStatsCSVEmptyAndFull(t *testing.T) {
	empty := newLocustStats(time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC), []float64{0.5, 0.66, 0.999, 1})
	want := "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,99.9%,100%\r\n" +
		",Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A\r\n"
	if got := string(empty.statsCSV()); got != want {
		t.Errorf("empty stats:\n%q\nwant\n%q", got, want)
	}
	row := empty.historyRow(time.Unix(1710410400, 2e6), 0)
	if want := "1710410400,0,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,N/A,0,0,0,0.0,0,0,0\r\n"; row != want {
		t.Errorf("empty history row:\n%q\nwant\n%q", row, want)
	}
	s := statsOf(100.25, 200.5, 300.75)
	want = "GET,/,3,0,200.0,200.5,100.25,300.75,10.0,1.5,0.0,200,300,300,300\r\n"
	if got := string(s.statsCSV()); !strings.Contains(got, want) {
		t.Errorf("stats:\n%s\nwant a row\n%q", got, want)
	}
}

func TestPyFloat(t *testing.T) {
	for f, want := range map[float64]string{
		0:                  "0.0",
		770:                "770.0",
		770.0000000000003:  "770.0000000000003",
		104.232198:         "104.232198",
		1.0 / 3:            "0.3333333333333333",
		1e16:               "1e+16",
		1.5e16:             "1.5e+16",
		123456789012345678: "1.2345678901234568e+17",
		0.0001:             "0.0001",
		0.00001:            "1e-05",
		4.388:              "4.388",
	} {
		if got := pyFloat(f); got != want {
			t.Errorf("pyFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestCSVRowQuotesLikePython(t *testing.T) {
	for _, tc := range []struct {
		fields []string
		want   string
	}{
		{[]string{"GET", "/", "1"}, "GET,/,1\r\n"},
		{[]string{"", "Aggregated"}, ",Aggregated\r\n"},
		{[]string{"a,b", `say "hi"`, "two\nlines", " lead"}, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\", lead\r\n"},
		{[]string{""}, "\"\"\r\n"},
	} {
		if got := csvRow(tc.fields); got != tc.want {
			t.Errorf("csvRow(%q) = %q, want %q", tc.fields, got, tc.want)
		}
	}
}

func TestReadablePercentiles(t *testing.T) {
	got := readablePercentiles([]float64{0.5, 0.6, 0.66, 0.95, 0.999, 0.9999, 1})
	want := []string{"50%", "60%", "66%", "95%", "99.9%", "99.99%", "100%"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
