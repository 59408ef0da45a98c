// Package requesttest makes requests for the analysis' tests: a generated
// request log read by the log reader, as the analysis gets it. (collect's
// own tests use internal/logtest, which does not import collect.)
package requesttest

import (
	"bytes"
	"testing"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/sim/large"
	"github.com/runlens/runlens/model"
)

// Large reads n generated requests (collect/sim/large, seed 11).
func Large(t testing.TB, n int) []model.Request {
	t.Helper()
	var b bytes.Buffer
	if err := large.Write(&b, large.Options{Requests: n, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	ds := &model.Dataset{}
	if _, err := collect.ReadLogs("big.ndjson", &b, ds); err != nil {
		t.Fatal(err)
	}
	return ds.Requests
}
