//go:build unix

package browser

import (
	"os/exec"
	"syscall"
)

// setProcessGroup runs chromedriver in a process group of its own, so that
// killProcessGroup also ends the Chromium it started if the session could
// not be deleted.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup kills chromedriver's process group (chromedriver and the
// processes it started that stayed in it).
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		_ = cmd.Process.Kill()
	}
}
