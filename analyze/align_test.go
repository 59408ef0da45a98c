package analyze

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/runlens/runlens/model"
)

// skewedRun makes a client whose clock runs offset ahead of the server's,
// with a varied rate so the offset can be recovered, and the server's logs.
func skewedRun(offset time.Duration) (*model.ClientRun, []model.Request) {
	rng := rand.New(rand.NewPCG(1, 2))
	var reqs []model.Request
	for s := 0; s < 300; s++ {
		rate := 2 + 3*math.Sin(float64(s)/7) + 3*math.Sin(float64(s)/3.1) + 4
		for i := 0; i < int(rate); i++ {
			at := t0.Add(time.Duration(s)*time.Second + time.Duration(rng.IntN(1000))*time.Millisecond)
			reqs = append(reqs, model.Request{Time: at, Latency: time.Duration(50+rng.IntN(100)) * time.Millisecond, Status: 200})
		}
	}
	// The client writes its cumulative count at whole seconds of its clock.
	c := &model.ClientRun{Tool: "locust"}
	for s := 1; s <= 300; s++ {
		tc := t0.Add(time.Duration(s) * time.Second).Add(offset).Truncate(time.Second)
		var n int64
		for _, r := range reqs {
			if !r.Time.Add(r.Latency).Add(offset).After(tc) {
				n++
			}
		}
		c.History = append(c.History, model.ClientSample{Time: tc, Name: "Aggregated", TotalRequests: n})
	}
	return c, reqs
}

func TestEstimateOffset(t *testing.T) {
	for _, want := range []time.Duration{0, 2500 * time.Millisecond, -7 * time.Second, 42 * time.Second} {
		t.Run(want.String(), func(t *testing.T) {
			c, reqs := skewedRun(want)
			got, corr, ok := estimateOffset(c, summaryOf(reqs))
			if !ok {
				t.Fatalf("no estimate (correlation %v)", corr)
			}
			// Whole-second client timestamps limit the precision to a second.
			t.Logf("got %v corr %.3f", got, corr)
			if d := got - want; d < -time.Second || d > time.Second {
				t.Errorf("offset = %v, want %v ± 1s (correlation %.3f)", got, want, corr)
			}
		})
	}
}

func TestEstimateOffsetNeedsData(t *testing.T) {
	c, reqs := skewedRun(0)
	c.History = c.History[:5]
	if _, _, ok := estimateOffset(c, summaryOf(reqs)); ok {
		t.Error("estimated an offset from 5 rows")
	}
	if _, _, ok := estimateOffset(&model.ClientRun{}, summaryOf(reqs)); ok {
		t.Error("estimated an offset without a client timeline")
	}
}

func TestUserOffsetOverrides(t *testing.T) {
	c, reqs := skewedRun(3 * time.Second)
	off := -time.Second
	rpt := Run(&model.Dataset{Client: c, Requests: reqs}, Options{ClockOffset: &off})
	if rpt.Alignment.Method != "user" || rpt.Alignment.ClockOffsetMS != -1000 {
		t.Errorf("alignment = %+v, want the user's -1000 ms", rpt.Alignment)
	}
}
