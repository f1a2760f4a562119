package container

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/pod-project/pod/storage"
)

// Filters select containers like Docker's `ps --filter`: values of one key
// are OR-ed, different keys AND-ed.
type Filters map[string][]string

var filterKeys = map[string]bool{"status": true, "name": true, "id": true, "ancestor": true, "label": true, "exited": true,
	"health": true, "restart-policy": true, "until": true, "pod": true}

// ParseFilters parses KEY=VALUE filter arguments.
func ParseFilters(args []string) (Filters, error) {
	f := Filters{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || !filterKeys[k] {
			return nil, fmt.Errorf("invalid filter %q: use status=, name=, id=, ancestor=, label=, exited=, health=, restart-policy=, until= or pod=", a)
		}
		switch k {
		case "status":
			switch v {
			case "created", "running", "exited", "paused", "restarting", "removing", "dead", "stopped", "stopping":
			default:
				return nil, fmt.Errorf("invalid filter %q: status is created, running, paused, exited, restarting, removing, stopping or dead", a)
			}
		case "exited":
			if _, err := strconv.Atoi(v); err != nil {
				return nil, fmt.Errorf("invalid filter %q: exited takes an exit code", a)
			}
		case "health":
			if v != HealthStarting && v != HealthHealthy && v != HealthUnhealthy && v != HealthNone {
				return nil, fmt.Errorf("invalid filter %q: health is starting, healthy, unhealthy or none", a)
			}
		case "restart-policy":
			if v != "no" && v != "always" && v != "unless-stopped" && v != "on-failure" {
				return nil, fmt.Errorf("invalid filter %q: restart-policy is no, always, unless-stopped or on-failure", a)
			}
		case "until":
			// Kept resolved, so that a duration means the same at every
			// container matched.
			t, err := storage.ParseUntil(v, time.Now())
			if err != nil {
				return nil, fmt.Errorf("invalid filter %q: %v", a, err)
			}
			v = t.Format(time.RFC3339Nano)
		}
		f[k] = append(f[k], v)
	}
	return f, nil
}

// HasStatus reports whether a status or exited filter asks for non-running
// containers, which `ps` then shows without -a.
func (f Filters) HasStatus() bool { return len(f["status"]) > 0 || len(f["exited"]) > 0 }

// Match reports whether r passes every filter.
func (f Filters) Match(r *Record) bool {
	status := string(r.State.Status)
	if r.State.Status == StatusRunning && !r.Running() {
		status = string(StatusExited)
	} else if r.State.Status == StatusRunning && r.State.Stopping {
		status = "stopping"
	}
	for k, vals := range f {
		ok := false
		for _, v := range vals {
			if f.matchOne(k, v, r, status) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (f Filters) matchOne(k, v string, r *Record, status string) bool {
	c := r.Config
	switch k {
	case "status":
		return v == status || (v == "stopped" && status == string(StatusExited))
	case "name":
		ok, _ := path.Match(v, c.Name)
		return ok || strings.Contains(c.Name, v)
	case "id":
		return strings.HasPrefix(c.ID, v)
	case "ancestor":
		return c.Image == v || strings.HasPrefix(c.ImageID, strings.TrimPrefix(v, "sha256:")) ||
			strings.TrimSuffix(c.Image, ":latest") == strings.TrimSuffix(v, ":latest")
	case "label":
		lk, lv, hasValue := strings.Cut(v, "=")
		got, ok := c.Labels[lk]
		return ok && (!hasValue || got == lv)
	case "exited":
		code, _ := strconv.Atoi(v)
		return status == string(StatusExited) && r.State.ExitCode == code
	case "health":
		return r.HealthStatus() == v
	case "restart-policy":
		name, _, _ := strings.Cut(c.RestartPolicy, ":")
		return v == name || (v == "no" && name == "")
	case "until":
		t, err := time.Parse(time.RFC3339Nano, v)
		return err == nil && c.Created.Before(t)
	case "pod":
		// The caller puts a pod's ID for its name (PodFilter).
		return c.Pod != "" && strings.HasPrefix(c.Pod, v)
	}
	return false
}
