package analyze_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/internal/fixturetest"
)

func fixtureRun(t *testing.T, name string) *analyze.Report {
	t.Helper()
	ds, err := snapshot.LoadWith(filepath.Join("..", "fixtures", name), summary.New())
	if err != nil {
		t.Fatal(err)
	}
	return analyze.Run(ds, analyze.Options{})
}

// TestVerdictNamesWhatToDo checks that each scenario's verdict recommends
// what its README says went wrong, with its number.
func TestVerdictNamesWhatToDo(t *testing.T) {
	for _, c := range []struct {
		fixture, id string
		text        []string
	}{
		{"orchestrator-waiting", "switch_billing", []string{"request-based billing", "$0.009905 instead of $0.0399"}},
		{"fat-container", "memory", []string{"Raise memory above 2 GiB", "killed 8 times"}},
		{"continuous-coldstarts", "min_instances", []string{"min-instances=1", "65 cold starts"}},
		{"clock-skew-and-strays", "stray_traffic", []string{"40 server requests", "16 outside the client's run", "24 from other clients"}},
		{"clock-skew-and-strays", "connection_errors", []string{"13 of its failures"}},
	} {
		t.Run(c.fixture+"/"+c.id, func(t *testing.T) {
			v := fixtureRun(t, c.fixture).Verdict
			if v.Summary == "" {
				t.Error("no summary sentence")
			}
			for _, r := range v.Recommendations {
				if r.ID != c.id {
					continue
				}
				for _, want := range c.text {
					if !strings.Contains(r.Text, want) {
						t.Errorf("%s recommendation %q lacks %q", c.id, r.Text, want)
					}
				}
				return
			}
			t.Errorf("no %s recommendation in %+v", c.id, v.Recommendations)
		})
	}
	// A scenario where nothing is to be done about the billing mode does
	// not get told to switch.
	for _, r := range fixtureRun(t, "paper-mobilenet").Verdict.Recommendations {
		if r.ID == "switch_billing" {
			t.Errorf("paper-mobilenet: %q; the other mode saves less than %v", r.Text, 0.1)
		}
	}
}

// TestSeriesAddUp checks properties every fixture's charts rely on: the
// server series' requests add up to the server's count, with a point for
// every step of the window; the instance metric never shows more
// instances than there are distinct instance ids; lanes' busy shares are
// shares.
func TestSeriesAddUp(t *testing.T) {
	for _, d := range fixturetest.Dirs(t, "../fixtures", 1) {
		name := filepath.Base(d)
		t.Run(name, func(t *testing.T) {
			rpt := fixtureRun(t, name)
			s := rpt.Series
			var n int64
			step := int64(s.ServerStepS)
			for i, p := range s.Server {
				n += p.Requests
				if i > 0 && p.Time.Unix()-s.Server[i-1].Time.Unix() != step {
					t.Errorf("server point %d at %v: %d s after the one before, want %d (no missing steps)",
						i, p.Time, p.Time.Unix()-s.Server[i-1].Time.Unix(), step)
				}
			}
			if n != rpt.Server.Total.Requests {
				t.Errorf("server series adds up to %d requests, want %d", n, rpt.Server.Total.Requests)
			}
			if w := rpt.Window; len(s.Server) > 0 && (s.Server[0].Time.After(w.Start) || s.Server[len(s.Server)-1].Time.Unix()+step < w.End.Unix()) {
				t.Errorf("server series runs %v to %v, does not cover the window %v to %v", s.Server[0].Time, s.Server[len(s.Server)-1].Time, w.Start, w.End)
			}
			for _, p := range s.Instances {
				if int(p.Active+0.5) > rpt.Instances.Distinct || int(p.Idle+0.5) > rpt.Instances.Distinct {
					t.Errorf("at %v the metric shows %v active and %v idle, more than the %d instances seen",
						p.Time, p.Active, p.Idle, rpt.Instances.Distinct)
				}
			}
			for _, l := range s.Lanes {
				for _, b := range l.Busy {
					if b.Share < 0 || b.Share > 1 {
						t.Errorf("lane #%d busy share %v at %v", l.Number, b.Share, b.Time)
					}
				}
			}
		})
	}
}
