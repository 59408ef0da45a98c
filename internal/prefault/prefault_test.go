package prefault

import (
	"runtime"
	"slices"
	"syscall"
	"testing"
)

func TestTouchLeavesZeros(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 10000} {
		if s := Touch(make([]uint64, n)); len(s) != n || slices.ContainsFunc(s, func(x uint64) bool { return x != 0 }) {
			t.Errorf("n=%d: Touch returned %d values, not all zero", n, len(s))
		}
		if b := Touch(make([]uint8, n)); len(b) != n || slices.ContainsFunc(b, func(x uint8) bool { return x != 0 }) {
			t.Errorf("n=%d: Touch returned %d bytes, not all zero", n, len(b))
		}
	}
}

// After Touch, reading and then writing every page of a new table takes
// no page fault: Touch gave every page (a compiler that dropped its
// stores, or a stride past a page, would leave them to fault here).
func TestTouchGivesEveryPage(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("minor page faults are counted here as Linux counts them")
	}
	const size = 64 << 20 // larger than any span the heap keeps: new memory
	s := Touch(make([]uint32, size/4))
	before := minorFaults(t)
	for i := 0; i < len(s); i += 1024 {
		s[i] += uint32(i) // a read, then a write
	}
	faults := minorFaults(t) - before
	if pages := int64(size / pageSize); faults > pages/16 {
		t.Errorf("%d page faults over %d touched pages", faults, pages)
	}
	runtime.KeepAlive(s)
}

func minorFaults(t *testing.T) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Minflt
}
