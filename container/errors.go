package container

import "errors"

// Sentinels of the container package, checked with errors.Is.
var (
	ErrNoSuchContainer = errors.New("no such container")
	ErrNameInUse       = errors.New("container name already in use")
	ErrRunning         = errors.New("container is running")
	ErrBadName         = errors.New("invalid container name")
	// ErrNotRunning: exec, top, pause... on a container that is not running.
	ErrNotRunning = errors.New("container is not running")
	// ErrNoCgroup: the container has no cgroup of its own to pause or measure.
	ErrNoCgroup = errors.New("container has no cgroup")
	// ErrNoLogs: logs of a container whose log driver keeps none.
	ErrNoLogs = errors.New("container keeps no logs")
)
