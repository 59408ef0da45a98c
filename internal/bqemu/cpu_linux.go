package bqemu

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// CPU is the processor time the emulator has used so far, user and system:
// what its queries cost, whatever else the machine runs meanwhile.
func (e *Emulator) CPU() (time.Duration, error) {
	path := fmt.Sprintf("/proc/%d/stat", e.cmd.Process.Pid)
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The fields after the command's name in parentheses: state is the
	// first, utime and stime the 12th and 13th, in clock ticks (100 a
	// second on Linux).
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: %d fields", path, len(f))
	}
	var ticks int64
	for _, x := range f[11:13] {
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}
