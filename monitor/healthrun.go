package monitor

import (
	"context"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
)

// startHealth runs the container's health checks while this run lasts,
// and does what --health-on-failure says when it turns unhealthy.
func (m *monitor) startHealth(pid int) {
	hc := m.cfg.Health
	if hc == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.healthStop = cancel
	// The checker writes the record's state under its lock; it gets a
	// record of its own so the two never share memory.
	rec := &container.Record{Config: m.rec.Config, Dir: m.rec.Dir}
	_ = rec.Reload()
	checker := container.NewHealthChecker(rec, *hc, runtime.ExecProbe(m.rt, m.rec.Config.ID))
	go checker.Loop(ctx, func(status string) {
		switch status {
		case container.HealthUnhealthy:
			m.onUnhealthy(hc.OnFailure, pid)
		case container.HealthHealthy:
			m.notifyHealthy()
		}
	})
}

func (m *monitor) stopHealth() {
	if m.healthStop != nil {
		m.healthStop()
		m.healthStop = nil
	}
	if m.timeout != nil {
		m.timeout.Stop()
		m.timeout = nil
	}
}

// startTimeout kills the container's process pid once the run has lasted
// --timeout's seconds.
func (m *monitor) startTimeout(pid int) {
	secs := m.rec.Config.Timeout
	if secs == 0 || pid <= 0 {
		return
	}
	m.timeout = time.AfterFunc(time.Duration(secs)*time.Second, func() {
		logrus.Infof("container %s ran for its --timeout of %ds: killing it", m.rec.Config.Name, secs)
		_ = unix.Kill(pid, syscall.SIGKILL)
	})
}

// onUnhealthy applies --health-on-failure: kill (the restart policy then
// applies), restart (kill, then always start again) or stop.
func (m *monitor) onUnhealthy(action string, pid int) {
	logrus.Infof("container %s is unhealthy (on failure: %q)", m.rec.Config.Name, action)
	switch action {
	case "kill":
		_ = unix.Kill(pid, syscall.SIGKILL)
	case "restart":
		m.forceRestart.Store(true)
		_ = unix.Kill(pid, syscall.SIGKILL)
	case "stop":
		rec := &container.Record{Config: m.rec.Config, Dir: m.rec.Dir}
		_ = rec.UpdateState(func(s *container.State) { s.StoppedByUser = true })
		_ = unix.Kill(pid, rec.StopSignal())
	}
}
