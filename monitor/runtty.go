package monitor

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// exitStatus carries a reaped process's exit code through forwardLoop.
type exitStatus struct{ code int }

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// waitPid reaps pid (a child of pod, its subreaper) and returns its exit
// status as an exitStatus: the code, or 128+N for signal N.
func waitPid(pid int) error {
	for {
		var ws unix.WaitStatus
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			// Not our child: wait until it is gone.
			for unix.Kill(pid, 0) == nil {
				time.Sleep(20 * time.Millisecond)
			}
			return exitStatus{0}
		}
		switch {
		case ws.Exited():
			return exitStatus{ws.ExitStatus()}
		case ws.Signaled():
			return exitStatus{128 + int(ws.Signal())}
		}
	}
}
