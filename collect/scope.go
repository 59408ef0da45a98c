package collect

import (
	"fmt"
	"strings"
	"time"

	"github.com/runlens/runlens/model"
)

// outReasons lists the reasons in the order warnings give them.
var outReasons = [...]string{model.OutOtherService, model.OutOtherRegion, model.OutBeforeWindow, model.OutAfterWindow}

// outCounts counts a file's entries out of scope, by reason (outReasons).
type outCounts [len(outReasons)]int

// check returns the index in outReasons of why an entry of the given
// service and region, logged at t, is out of scope, or -1 when it is in.
// An entry that does not say its service or region is taken as in it.
func scopeCheck(s *model.Scope, service, region string, t time.Time) int {
	switch {
	case s == nil:
		return -1
	case s.Service != "" && service != "" && service != s.Service:
		return 0
	case s.Region != "" && region != "" && region != s.Region:
		return 1
	case !s.Window.Start.IsZero() && t.Before(s.Window.Start):
		return 2
	case !s.Window.End.IsZero() && !t.Before(s.Window.End):
		return 3
	}
	return -1
}

// total is the number of entries counted.
func (c *outCounts) total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// add folds c into the dataset's counts and returns the warning that says
// what the file had out of scope, or "" when nothing.
func (c *outCounts) add(ds *model.Dataset) string {
	n := c.total()
	if n == 0 {
		return ""
	}
	if ds.OutOfScope == nil {
		ds.OutOfScope = make(map[string]int)
	}
	var parts []string
	for i, v := range c {
		if v > 0 {
			ds.OutOfScope[outReasons[i]] += v
			parts = append(parts, fmt.Sprintf("%d %s", v, outReasons[i]))
		}
	}
	return fmt.Sprintf("%d entries out of scope (%s) left out of every figure: %s", n, ds.Scope, strings.Join(parts, ", "))
}
