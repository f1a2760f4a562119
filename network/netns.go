package network

import (
	"os"

	"golang.org/x/sys/unix"
)

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
