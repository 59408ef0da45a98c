package bqemu

import (
	"os/exec"
	"syscall"
)

// dieWithTest has the kernel kill the emulator when the test process ends,
// so that a test binary killed by -timeout leaves no emulator running.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
