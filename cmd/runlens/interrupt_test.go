package main

import (
	"fmt"
	"testing"

	"github.com/runlens/runlens/internal/atomicfile"
)

// An output write stopped by SIGINT (atomicfile.ErrInterrupted, tested
// there) exits 1, "an interrupted run" in the README's exit codes.
func TestInterruptedExitStatus(t *testing.T) {
	err := fmt.Errorf("writing page.html: %w", atomicfile.ErrInterrupted)
	if got := exitCode(err); got != exitError {
		t.Errorf("exit %d, want %d", got, exitError)
	}
}
