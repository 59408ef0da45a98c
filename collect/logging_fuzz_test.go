package collect

import (
	"bytes"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
)

// FuzzReadLogs feeds arbitrary bytes to ReadLogs: it must never panic, and
// what it returns must be consistent.
func FuzzReadLogs(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "logging", "*"))
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	ndjson, _ := os.ReadFile(filepath.Join("testdata", "logging", "requests-system.ndjson"))
	f.Add(logtest.Gzip(f, ndjson))
	f.Add(utf16LE(f, crlf(ndjson)))
	f.Add(prettyStream(f, ndjson))
	for _, s := range []string{
		"", "[]", "[", "{", "]", "[[]]", "[null]", "null", "{}\n{}", "\x1f\x8b", "\xEF\xBB\xBF[]", "\xFF\xFE[\x00]\x00",
		`[{"logName":"projects/p/logs/run.googleapis.com%2Frequests","resource":{"type":"cloud_run_revision"},"timestamp":"2026-03-02T10:00:00Z","httpRequest":{"latency":"-1s"}}]`,
		`{"logName":"projects/p/logs/run.googleapis.com%2Frequests","resource":{"type":"cloud_run_revision"},"timestamp":"2026-03-02T10:00:00Z","httpRequest":{"requestUrl":"%zz?#","requestSize":"9223372036854775808"}}`,
		`{"logName":"projects/p/logs/run.googleapis.com%2fvarlog%2fsystem","resource":{"type":"cloud_run_revision"},"timestamp":"2026-03-02T10:00:00+14:00","jsonPayload":"x"}`,
		"[{\"logName\":\"a\"}] trailing", "{\"logName\":\"a\",\"resource\":null,\"labels\":null}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ds := model.Dataset{Warnings: []string{"before"}}
		n, err := ReadLogs("f", bytes.NewReader(data), &ds)
		if err != nil {
			checkFailedRead(t, &ds, n, err)
			return
		}
		checkRead(t, &ds, n)
	})
}

func checkFailedRead(t *testing.T, ds *model.Dataset, n int, err error) {
	if !strings.HasPrefix(err.Error(), "f:") {
		t.Errorf("error %q does not name the file", err)
	}
	if n != 0 || len(ds.Warnings) != 1 || len(ds.Requests)+len(ds.Events)+len(ds.Sources)+len(ds.Skipped) != 0 {
		t.Errorf("a failed read returned %d and changed the Dataset: %+v", n, ds)
	}
}

func checkRead(t *testing.T, ds *model.Dataset, n int) {
	skipped := 0
	for _, c := range ds.Skipped {
		skipped += c
	}
	if len(ds.Requests)+len(ds.Events)+skipped > n {
		t.Errorf("%d requests, %d events and %d skipped out of %d entries", len(ds.Requests), len(ds.Events), skipped, n)
	}
	if len(ds.Sources) != 1 || ds.Sources[0].Items != n || !strings.HasPrefix(ds.Sources[0].Format, "logging-") {
		t.Errorf("Sources = %+v for %d entries", ds.Sources, n)
	}
	if len(ds.Warnings) > 1+maxWarnings+1 {
		t.Errorf("%d warnings, want at most %d and a summary", len(ds.Warnings)-1, maxWarnings)
	}
	for _, w := range ds.Warnings[1:] {
		if !strings.HasPrefix(w, "f:") {
			t.Errorf("warning %q does not name the file", w)
		}
	}
	for _, r := range ds.Requests {
		if r.Latency < 0 || r.Time.Location() != time.UTC || r.Time.IsZero() {
			t.Errorf("request %+v: negative latency or a time not in UTC", r)
		}
	}
	for _, e := range ds.Events {
		if e.Time.Location() != time.UTC || e.Kind == "" || e.Reason != "" && e.Kind != model.EventStart {
			t.Errorf("event %+v: time not in UTC, no kind, or a reason on a non-start", e)
		}
	}
}

// FuzzParseDuration checks that any int64 of nanoseconds, written as
// seconds the way protobuf JSON writes it (0, 3, 6 or 9 fractional digits)
// or with any other number of digits, parses back exactly.
func FuzzParseDuration(f *testing.F) {
	for _, ns := range []int64{0, 1, -1, 700123000, 2891455, 1e9, -1.5e9, 1<<63 - 1, -1 << 63, 59999999999} {
		f.Add(ns, uint8(9))
		f.Add(ns, uint8(3))
	}
	f.Fuzz(func(t *testing.T, ns int64, digits uint8) {
		s := formatSeconds(ns, int(digits%10))
		got, err := ParseDuration(s)
		if err != nil || int64(got) != ns {
			t.Fatalf("ParseDuration(%q) = %d, %v; want %d", s, got, err, ns)
		}
	})
}

// formatSeconds writes ns as decimal seconds with at least minDigits
// fractional digits, dropping trailing zeros beyond them: an independent
// reference built on math/big.
func formatSeconds(ns int64, minDigits int) string {
	r := new(big.Rat).SetFrac(big.NewInt(ns), big.NewInt(1e9))
	s := r.FloatString(9)
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) > minDigits && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if frac == "" {
		return whole + "s"
	}
	return whole + "." + frac + "s"
}

// FuzzParseDurationText checks arbitrary text: whatever ParseDuration
// accepts must have exactly the value math/big reads from it.
func FuzzParseDurationText(f *testing.F) {
	for _, s := range []string{"0.700123s", "12s", "-1.5s", "0.000000001s", "1.s", "9223372036.854775808s", "-0s", "1e3s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDuration(s)
		if err != nil {
			return
		}
		r, ok := new(big.Rat).SetString(strings.TrimSuffix(s, "s"))
		if !ok || strings.ContainsAny(s, "eE/+") {
			t.Fatalf("ParseDuration accepted %q, which is no decimal", s)
		}
		want := new(big.Rat).Mul(r, big.NewRat(1e9, 1))
		if !want.IsInt() || !want.Num().IsInt64() || want.Num().Int64() != int64(got) {
			t.Fatalf("ParseDuration(%q) = %d, want %s ns", s, got, want.FloatString(3))
		}
	})
}

// FuzzParseTimestamp checks that whatever ParseTimestamp accepts,
// time.Parse reads as the same instant.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2021-08-09T18:21:35.744268Z", "2024-08-07T10:00:00+07:00", "2026-03-02t10:00:01z", "2026-03-02 10:00:01.5-03:00"} {
		f.Add(s, "2021-08-09T18:21:00Z")
	}
	f.Add("2021-08-09T18:21:99.5Z", "2021-08-09T18:21:00Z")
	f.Add("2021-08-09T18:21:05.5+01:00", "2021-08-09T18:21:00.1Z")
	f.Fuzz(func(t *testing.T, s, before string) {
		got, err := ParseTimestamp(s)
		// The minute cache, primed with the timestamp before, agrees.
		var c minuteCache
		c.parse(before)
		cached, cerr := c.parse(s)
		if (err == nil) != (cerr == nil) || !cached.Equal(got) || err == nil && cached.Location() != time.UTC {
			t.Fatalf("after %q, the minute cache reads %q as %v, %v; ParseTimestamp as %v, %v", before, s, cached, cerr, got, err)
		}
		if err != nil {
			return
		}
		norm := []byte(s)
		norm[10] = 'T'
		if norm[len(norm)-1] == 'z' {
			norm[len(norm)-1] = 'Z'
		}
		want, err := time.Parse(time.RFC3339Nano, string(norm))
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("ParseTimestamp(%q) = %v; time.Parse says %v, %v", s, got, want, err)
		}
	})
}
