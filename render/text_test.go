package render

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/runlens/runlens/analyze"
)

// TestJSONMatchesEncodingJSON checks that JSON, which encodes with
// goccy/go-json for speed, writes byte for byte what encoding/json writes:
// on a small report, a day-long one, and one full of hostile strings,
// invalid UTF-8 and line separators included.
func TestJSONMatchesEncodingJSON(t *testing.T) {
	hostile := hostileReport()
	hostile.Warnings = append(hostile.Warnings, "bad \xff\xfe utf-8 \u2028\u2029 & <b> \x00\x1f \"q\" \\")
	hostile.Service.Name += "\xc3"
	for name, rpt := range map[string]*analyze.Report{
		"sample": sampleReport(), "hostile": hostile, "day": bigReport(24 * 3600), "empty": {},
	} {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rpt); err != nil {
			t.Fatalf("%s: encoding/json: %v", name, err)
		}
		if err := JSON(&got, rpt); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if i, g, w, differ := firstDifference(got.Bytes(), want.Bytes()); differ {
			t.Fatalf("%s: JSON differs from encoding/json at byte %d: %q, want %q", name, i, g, w)
		}
	}
}

// TestJSONRefusesNaN checks that a NaN fails as it does in encoding/json,
// rather than writing a file no JSON reader takes.
func TestJSONRefusesNaN(t *testing.T) {
	rpt := sampleReport()
	rpt.Series.Billable = append(rpt.Series.Billable, analyze.ValuePoint{Value: math.NaN()})
	if err := JSON(&bytes.Buffer{}, rpt); err == nil {
		t.Fatal("JSON wrote a NaN")
	}
}

// TestPageMatchesEncodingJSON checks that the page, whose chart options
// are marshalled with goccy/go-json for speed, is byte for byte the page
// encoding/json would make, escaping included: on a small report, a
// day-long one, and one full of hostile strings.
func TestPageMatchesEncodingJSON(t *testing.T) {
	hostile := hostileReport()
	hostile.Service.Name += "\xc3 \u2028</script>"
	for name, rpt := range map[string]*analyze.Report{"sample": sampleReport(), "hostile": hostile, "day": bigReport(24 * 3600)} {
		var got, want bytes.Buffer
		if err := HTML(&got, rpt, Options{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		goccy := marshalPageJSON
		marshalPageJSON = json.Marshal
		err := HTML(&want, rpt, Options{})
		marshalPageJSON = goccy
		if err != nil {
			t.Fatalf("%s: with encoding/json: %v", name, err)
		}
		if i, g, w, differ := firstDifference(got.Bytes(), want.Bytes()); differ {
			t.Fatalf("%s: the page differs from encoding/json's at byte %d: %q, want %q", name, i, g, w)
		}
	}
}

// firstDifference finds the first byte where got and want differ, and
// the 40 bytes each side of it in each; differ is false when they are
// equal.
func firstDifference(got, want []byte) (at int, gotNear, wantNear []byte, differ bool) {
	if bytes.Equal(got, want) {
		return 0, nil, nil, false
	}
	i := 0
	for i < min(len(got), len(want)) && got[i] == want[i] {
		i++
	}
	return i, got[max(0, i-40):min(len(got), i+40)], want[max(0, i-40):min(len(want), i+40)], true
}
