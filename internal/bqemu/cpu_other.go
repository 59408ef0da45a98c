//go:build !linux

package bqemu

import (
	"errors"
	"time"
)

// CPU is the processor time the emulator has used so far; only Linux
// tells it here.
func (e *Emulator) CPU() (time.Duration, error) {
	return 0, errors.New("the emulator's CPU time is read from /proc (Linux)")
}
