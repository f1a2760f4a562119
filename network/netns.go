package network

import (
	"fmt"
	"os"
	goruntime "runtime"

	"golang.org/x/sys/unix"
)

// inNetNS runs fn on a thread that has joined the network namespace at
// path. The thread never goes back (rootless pod may not join the host's
// namespace again): it stays locked and ends with its goroutine, so no
// other goroutine runs in that namespace.
func inNetNS(path string, fn func() error) error {
	target, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening network namespace %s: %w", path, err)
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() {
		goruntime.LockOSThread()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("joining network namespace %s: %w", path, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// isNetNS reports whether path is a bound network namespace.
func isNetNS(path string) bool {
	var st unix.Statfs_t
	return unix.Statfs(path, &st) == nil && st.Type == unix.NSFS_MAGIC
}

// writeSysctl writes a /proc/sys file for the calling thread's network
// namespace (the files under /proc/sys/net are the opener's namespace's).
func writeSysctl(name, value string) error {
	return os.WriteFile("/proc/sys/"+name, []byte(value), 0)
}
