package summary

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/sim/large"
	"github.com/runlens/runlens/model"
)

// summaryOfLog reads NDJSON log lines into a new summary, as one file.
func summaryOfLog(t testing.TB, lines [][]byte) *Summary {
	t.Helper()
	s := New()
	ds := &model.Dataset{Sink: s}
	data := append(bytes.Join(lines, []byte("\n")), '\n')
	if _, err := collect.ReadLogs("log.ndjson", bytes.NewReader(data), ds); err != nil {
		t.Fatal(err)
	}
	return s
}

// canonicalJSON is the summary's JSON with each instance's busy runs
// replaced by what they add up to: how a log was cut into files changes
// which spans a summary holds open, never what they add up to.
func canonicalJSON(t testing.TB, s *Summary) []byte {
	t.Helper()
	j := s.toJSON()
	for i := range j.Instances {
		tot := s.instances[j.Instances[i].ID].Busy.Totals()
		per10s := s.instances[j.Instances[i].ID].Busy.BusyPer10s()
		j.Instances[i].Busy = []WireBusy{{Closed: WireClosed{BilledNS: tot.Billed, InFlightNS: tot.InFlight,
			MaxConcurrency: tot.MaxConc, Spans: tot.Spans}, BusyMS: runsOf(per10s)}}
		j.Instances[i].Conflicts = tot.Conflicts
	}
	b, err := json.MarshalIndent(j, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func largeLines(t testing.TB, n int) [][]byte {
	t.Helper()
	var b bytes.Buffer
	if err := large.Write(&b, large.Options{Requests: n, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSpace(b.Bytes()), []byte("\n"))
}

// TestSummaryHalvesMergeToWhole summarizes the two halves of a log apart
// and merges them, in both orders: the summary is the whole log's (busy
// runs aside, which add up to the same). analyze's
// TestReportFromHalvesIsTheWholes checks the report.
func TestSummaryHalvesMergeToWhole(t *testing.T) {
	for _, n := range []int{3000, 60_000} { // exact, and past every exact limit
		lines := largeLines(t, n)
		whole := summaryOfLog(t, lines)
		for _, cut := range []int{n / 2, n / 7} {
			a, b := summaryOfLog(t, lines[:cut]), summaryOfLog(t, lines[cut:])
			ab, ba := New(), New()
			ab.Combine(a)
			ab.Combine(b)
			ba.Combine(b)
			ba.Combine(a)
			for name, got := range map[string]*Summary{"a+b": ab, "b+a": ba} {
				if d := cmp.Diff(string(canonicalJSON(t, whole)), string(canonicalJSON(t, got))); d != "" {
					t.Errorf("%d requests cut at %d, %s: summary differs from the whole's (-whole +merged):\n%s", n, cut, name, d)
				}
			}
		}
	}
}

// TestSummaryJSONRoundTrip writes a summary, reads it back and writes it
// again: the same bytes.
func TestSummaryJSONRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 3000, 60_000} {
		s := New()
		if n > 0 {
			s = summaryOfLog(t, largeLines(t, n))
		}
		var first bytes.Buffer
		if err := s.WriteJSON(&first); err != nil {
			t.Fatal(err)
		}
		back, err := Read("s.json", bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatalf("%d requests: %v", n, err)
		}
		var second bytes.Buffer
		if err := back.WriteJSON(&second); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Errorf("%d requests: the summary read back writes other bytes", n)
		}
	}
}

// TestReadSummaryRefuses checks that a summary that cannot be right is
// refused with what is wrong, not read.
func TestReadSummaryRefuses(t *testing.T) {
	var b bytes.Buffer
	if err := summaryOfLog(t, largeLines(t, 200)).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	good := b.String()
	for _, c := range []struct{ name, from, to, want string }{
		{"schema", `"runlens.summary/v1"`, `"runlens.summary/v9"`, "schema"},
		{"accuracy", `"relative_accuracy":0.01`, `"relative_accuracy":0.02`, "another version"},
		{"interval", `"interval_s":`, `"interval_s":7,"x":`, "unknown field"},
		{"negative", `"requests":200`, `"requests":-200`, "requests -200"},
		{"status sum", `"status_by_hundred":[0,0,`, `"status_by_hundred":[9,0,`, "add up"},
		{"not json", `{`, `[`, "invalid character"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := strings.Replace(good, c.from, c.to, 1)
			if in == good {
				t.Fatalf("%q not in the summary", c.from)
			}
			_, err := Read("s.json", strings.NewReader(in))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "s.json") {
				t.Errorf("error %v, want one naming s.json and saying %q", err, c.want)
			}
		})
	}
}
