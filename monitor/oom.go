package monitor

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pod-project/pod/runtime"
	"golang.org/x/sys/unix"
)

// oomWatch notices the kernel's OOM killer in a container's own memory
// cgroup while it runs (runc removes the cgroup as the container exits,
// so the count cannot be read afterwards): on cgroup v2 an inotify watch
// of memory.events, on v1 an eventfd registered for memory.oom_control.
type oomWatch struct {
	killed atomic.Bool
	// notified: v1 told of an OOM in the cgroup (the eventfd fires before
	// the killer counts its kill, and again when the cgroup goes).
	notified atomic.Bool
	f        *os.File
	done     chan struct{}
}

// watchOOM watches the memory cgroup of pid, the process of container id,
// when it is the container's own (its path names the container); nil
// otherwise (a rootless container without a cgroup of its own).
func watchOOM(pid int, id string) *oomWatch {
	v2, v1, ok := memoryCgroup(pid)
	if !ok {
		return nil
	}
	w := &oomWatch{done: make(chan struct{})}
	var err error
	switch {
	case v2 != "" && strings.Contains(v2, id):
		err = w.inotify(filepath.Join("/sys/fs/cgroup", v2, "memory.events"))
	case v1 != "" && strings.Contains(v1, id):
		err = w.eventfd(filepath.Join("/sys/fs/cgroup/memory", v1))
	default:
		return nil
	}
	if err != nil {
		return nil
	}
	return w
}

// memoryCgroup is pid's cgroup v2 path, or its v1 memory controller's.
func memoryCgroup(pid int) (v2, v1 string, ok bool) {
	cgs, err := runtime.ProcCgroups(strconv.Itoa(pid))
	if err != nil {
		return "", "", false
	}
	if v1 = cgs["memory"]; v1 == "" {
		v2 = cgs[""] // not on a hybrid host, whose memory controller is v1's
	}
	return v2, v1, v1 != "" || v2 != ""
}

// oomKills reads the oom_kill count of memory.events (v2) or
// memory.oom_control (v1).
func oomKills(file string) int {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "oom_kill "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

func (w *oomWatch) inotify(events string) error {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return err
	}
	if _, err := unix.InotifyAddWatch(fd, events, unix.IN_MODIFY); err != nil {
		unix.Close(fd)
		return err
	}
	w.f = os.NewFile(uintptr(fd), "oom-inotify")
	w.killed.Store(oomKills(events) > 0) // before the watch began
	go w.loop(func() bool { return oomKills(events) > 0 })
	return nil
}

func (w *oomWatch) eventfd(dir string) error {
	control, err := os.Open(filepath.Join(dir, "memory.oom_control"))
	if err != nil {
		return err
	}
	defer control.Close()
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.event_control"), fmt.Appendf(nil, "%d %d", fd, control.Fd()), 0); err != nil {
		unix.Close(fd)
		return err
	}
	w.f = os.NewFile(uintptr(fd), "oom-eventfd")
	// The eventfd also fires when the cgroup goes: the count says which.
	file := filepath.Join(dir, "memory.oom_control")
	w.killed.Store(oomKills(file) > 0) // before the watch began
	go w.loop(func() bool {
		if _, err := os.Stat(file); err == nil {
			w.notified.Store(true)
		}
		return oomKills(file) > 0
	})
	return nil
}

// loop waits for notifications and checks the count at each.
func (w *oomWatch) loop(killed func() bool) {
	defer close(w.done)
	buf := make([]byte, 4096)
	for {
		if _, err := w.f.Read(buf); err != nil {
			return
		}
		if killed() {
			w.killed.Store(true)
			return
		}
	}
}

// result says whether the OOM killer struck, and stops the watch. An exit
// by SIGKILL waits a moment for a notification still on its way.
func (w *oomWatch) result(code int) bool {
	if w == nil {
		return false
	}
	if code == 137 && !w.killed.Load() {
		select {
		case <-w.done:
		case <-time.After(200 * time.Millisecond):
		}
	}
	w.f.Close()
	return w.killed.Load() || code == 137 && w.notified.Load()
}
