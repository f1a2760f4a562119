package monitor

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/monitor/protocol"
)

// sdNotify sends state (sd_notify(3) assignments, one a line) to the
// systemd notification socket at path ("@name" is an abstract socket).
func sdNotify(path, state string) error {
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}

// notifyStarted tells systemd, on the container's first start, that the
// monitor is the unit's main process, and with --sdnotify=conmon that the
// unit is ready.
func (m *monitor) notifyStarted() {
	sock := m.cfg.NotifySocket
	if sock == "" {
		return
	}
	state := "MAINPID=" + strconv.Itoa(os.Getpid())
	switch m.rec.Config.SdNotify {
	case container.SdNotifyIgnore:
		return
	case container.SdNotifyConmon:
		state += "\nREADY=1"
	}
	if err := sdNotify(sock, state); err != nil {
		logrus.Warnf("notifying systemd (%s): %v", sock, err)
	}
}

// notifyHealthy tells systemd the unit is ready once the container's
// first health check passed (--sdnotify=healthy).
func (m *monitor) notifyHealthy() {
	if m.cfg.NotifySocket == "" || m.rec.Config.SdNotify != container.SdNotifyHealthy || m.readySent.Swap(true) {
		return
	}
	if err := sdNotify(m.cfg.NotifySocket, "READY=1"); err != nil {
		logrus.Warnf("notifying systemd: %v", err)
	}
}

// proxyNotify listens on the socket the container's NOTIFY_SOCKET names
// (in the bundle's notify/, which the spec mounts on protocol.NotifyDir) and
// passes on to systemd what the container says, but MAINPID: the
// monitor stays the unit's main process.
func (m *monitor) proxyNotify() {
	if m.cfg.NotifySocket == "" || m.rec.Config.SdNotify != "" {
		return
	}
	dir := filepath.Join(m.cfg.Bundle, "notify")
	_ = os.Remove(filepath.Join(dir, "notify.sock"))
	p, d, err := protocol.ShortPath(dir, "notify.sock")
	if err != nil {
		logrus.Warnf("the container's notify socket: %v", err)
		return
	}
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: p, Net: "unixgram"})
	d.Close()
	if err != nil {
		logrus.Warnf("the container's notify socket: %v", err)
		return
	}
	// The container's processes, whatever their user, may write to it.
	_ = os.Chmod(filepath.Join(dir, "notify.sock"), 0o777)
	go func() {
		defer l.Close()
		buf := make([]byte, 4096)
		for {
			n, _, err := l.ReadFromUnix(buf)
			if err != nil {
				return
			}
			if state := withoutMainPID(string(buf[:n])); state != "" {
				if err := sdNotify(m.cfg.NotifySocket, state); err != nil {
					logrus.Warnf("passing on the container's notification: %v", err)
				}
			}
		}
	}()
}

// withoutMainPID drops MAINPID= (and empty lines) from a notification.
func withoutMainPID(state string) string {
	var keep []string
	for _, l := range strings.Split(state, "\n") {
		if l != "" && !strings.HasPrefix(l, "MAINPID=") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// writePidFiles writes --pidfile (the container's process) and
// --conmon-pidfile (the monitor).
func (m *monitor) writePidFiles(pid int) {
	cfg := &m.rec.Config
	for _, f := range []struct {
		path string
		pid  int
	}{{cfg.PidFile, pid}, {cfg.MonitorPidFile, os.Getpid()}} {
		if f.path == "" || f.pid <= 0 {
			continue
		}
		// Written in place, as conmon does: a temporary file would be
		// left outside the store by a crash.
		if err := os.WriteFile(f.path, []byte(fmt.Sprintf("%d\n", f.pid)), 0o644); err != nil {
			logrus.Warnf("writing %s: %v", f.path, err)
		}
	}
}
