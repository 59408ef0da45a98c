package collect

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string // a part of the error; "" for none
	}{
		{in: "0.700123s", want: 700123 * time.Microsecond},
		{in: "12s", want: 12 * time.Second},
		{in: "0s", want: 0},
		{in: "-0s", want: 0},
		{in: "0.000000001s", want: 1},
		{in: "0.002891455s", want: 2891455},
		{in: "18.287123456s", want: 18287123456},
		{in: "1.5s", want: 1500 * time.Millisecond},
		{in: "-1.5s", want: -1500 * time.Millisecond},
		{in: "0.1s", want: 100 * time.Millisecond},
		{in: "3600.000000000s", want: time.Hour},
		{in: "007.5s", want: 7500 * time.Millisecond},
		{in: "9223372036.854775807s", want: math.MaxInt64},
		{in: "-9223372036.854775808s", want: math.MinInt64},
		{in: "9223372036.854775808s", wantErr: "out of range"},
		{in: "-9223372036.854775809s", wantErr: "out of range"},
		{in: "9223372037s", wantErr: "out of range"},
		{in: "315576000000s", wantErr: "out of range"},
		{in: "99999999999999999999999s", wantErr: "out of range"},
		{in: "0.0000000001s", wantErr: "more than 9 fractional digits"},
		{in: "", wantErr: "want decimal seconds"},
		{in: "s", wantErr: "want decimal seconds"},
		{in: "-s", wantErr: "want decimal seconds"},
		{in: "1", wantErr: "want decimal seconds"},
		{in: "104ms", wantErr: "want decimal seconds"},
		{in: "1.s", wantErr: "want decimal seconds"},
		{in: ".5s", wantErr: "want decimal seconds"},
		{in: "+1s", wantErr: "want decimal seconds"},
		{in: "--1s", wantErr: "want decimal seconds"},
		{in: "1e3s", wantErr: "want decimal seconds"},
		{in: "1.2.3s", wantErr: "want decimal seconds"},
		{in: " 1s", wantErr: "want decimal seconds"},
		{in: "1 s", wantErr: "want decimal seconds"},
		{in: "１s", wantErr: "want decimal seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			checkParseErr(t, err, tt.wantErr)
			if err == nil && got != tt.want {
				t.Errorf("ParseDuration(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	base := time.Date(2026, 3, 2, 10, 0, 1, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{in: "2026-03-02T10:00:01Z", want: base},
		{in: "2026-03-02T10:00:01.1Z", want: base.Add(100 * time.Millisecond)},
		{in: "2026-03-02T10:00:01.12Z", want: base.Add(120 * time.Millisecond)},
		{in: "2026-03-02T10:00:01.123Z", want: base.Add(123 * time.Millisecond)},
		{in: "2026-03-02T10:00:01.1234Z", want: base.Add(123400 * time.Microsecond)},
		{in: "2026-03-02T10:00:01.12345Z", want: base.Add(123450 * time.Microsecond)},
		{in: "2026-03-02T10:00:01.744268Z", want: base.Add(744268 * time.Microsecond)},
		{in: "2026-03-02T10:00:01.7442683Z", want: base.Add(744268300)},
		{in: "2026-03-02T10:00:01.74426830Z", want: base.Add(744268300)},
		{in: "2026-03-02T10:00:01.061693305Z", want: base.Add(61693305)},
		{in: "2026-03-02T10:00:01.000000001Z", want: base.Add(1)},
		{in: "2026-03-02T17:00:01+07:00", want: base},
		{in: "2026-03-02T07:00:01.5-03:00", want: base.Add(500 * time.Millisecond)},
		{in: "2026-03-02T15:45:01+05:45", want: base},
		{in: "2026-03-02T10:00:01+00:00", want: base},
		{in: "2026-03-02T10:00:01-00:00", want: base},
		{in: "2026-03-02t10:00:01z", want: base},
		{in: "2026-03-02 10:00:01Z", want: base},
		{in: "2026-03-03T00:30:01+14:30", want: base},
		{in: "2024-02-29T00:00:00Z", want: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{in: "2026-03-02T10:00:01.0123456789Z", wantErr: "1 to 9 fractional digits"},
		{in: "2026-03-02T10:00:01.Z", wantErr: "1 to 9 fractional digits"},
		{in: "2026-03-02T10:00:01", wantErr: "too short"},
		{in: "", wantErr: "too short"},
		{in: "2026-03-02T10:00:01+0700", wantErr: "want Z or an offset"},
		{in: "2026-03-02T10:00:01+07", wantErr: "want Z or an offset"},
		{in: "2026-03-02T10:00:01ZZ", wantErr: "want Z or an offset"},
		{in: "2026-03-02T10:00:01.5", wantErr: "want Z or an offset"},
		{in: "2026-03-02T10:00:01+24:00", wantErr: "bad offset"},
		{in: "2026-03-02T10:00:01+07:60", wantErr: "bad offset"},
		{in: "2026-13-02T10:00:01Z", wantErr: "out of range"},
		{in: "2026-00-02T10:00:01Z", wantErr: "out of range"},
		{in: "2025-02-29T10:00:01Z", wantErr: "out of range"},
		{in: "2026-04-31T10:00:01Z", wantErr: "out of range"},
		{in: "2026-03-02T24:00:01Z", wantErr: "out of range"},
		{in: "2026-03-02T10:60:01Z", wantErr: "out of range"},
		{in: "2026-03-02T10:00:60Z", wantErr: "out of range"},
		{in: "2026/03/02T10:00:01Z", wantErr: "want YYYY-MM-DDTHH:MM:SS"},
		{in: "2026-03-02X10:00:01Z", wantErr: "want YYYY-MM-DDTHH:MM:SS"},
		{in: "26-03-02T10:00:01.000Z", wantErr: "want YYYY-MM-DDTHH:MM:SS"},
		{in: "2026-3-2T10:00:01.000Z", wantErr: "want YYYY-MM-DDTHH:MM:SS"},
		{in: "1772445601", wantErr: "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTimestamp(tt.in)
			checkParseErr(t, err, tt.wantErr)
			if err != nil {
				return
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseTimestamp(%q) = %v, want %v in UTC", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseTimestampMatchesTime checks agreement with the standard library
// on the inputs both accept.
func TestParseTimestampMatchesTime(t *testing.T) {
	for _, s := range []string{
		"2021-08-09T18:21:35.744268Z", "2024-08-07T10:00:00.123+07:00",
		"1999-12-31T23:59:59.999999999-12:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
	} {
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseTimestamp(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTimestamp(%q) = %v, %v; time.Parse says %v", s, got, err, want)
		}
	}
}

func TestParseTimestampAllocs(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		ParseTimestamp("2026-03-02T10:00:01.744268+07:00")
		ParseDuration("0.002891455s")
	})
	if n != 0 {
		t.Errorf("ParseTimestamp and ParseDuration allocate %v times per call, want 0", n)
	}
}

// checkParseErr fails unless err matches wantErr: nil for "", else containing it.
func checkParseErr(t *testing.T, err error, wantErr string) {
	t.Helper()
	switch {
	case wantErr == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case wantErr != "" && err == nil:
		t.Fatalf("no error, want one containing %q", wantErr)
	case wantErr != "" && !strings.Contains(err.Error(), wantErr):
		t.Fatalf("error %q, want it to contain %q", err, wantErr)
	}
}
