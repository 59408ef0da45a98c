package analyze

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/model"
)

// TestOtherEndpointsWarned: past summary.MaxEndpoints distinct endpoints,
// the report says how many requests went to "(other)"; below it, nothing.
func TestOtherEndpointsWarned(t *testing.T) {
	for _, tc := range []struct {
		paths int
		want  string
	}{
		{summary.MaxEndpoints, ""},
		{summary.MaxEndpoints + 7, "7 requests of the later ones are counted together as (other)"},
	} {
		t.Run(fmt.Sprint(tc.paths), func(t *testing.T) {
			s := summary.New()
			for i := range tc.paths {
				r := req("1s", 10*time.Millisecond, "i1", "GET", fmt.Sprintf("/p/%05d", i))
				s.Add(&r)
			}
			rpt := RunSummary(&model.Dataset{}, s, Options{})
			var got string
			for _, w := range rpt.Warnings {
				if strings.Contains(w, "(other)") {
					got = w
				}
			}
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("warning %q, want one with %q", got, tc.want)
			}
		})
	}
}
