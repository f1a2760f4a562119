package container

import "errors"

// Sentinels of the container package, checked with errors.Is.
var (
	ErrNoSuchContainer = errors.New("no such container")
	ErrNameInUse       = errors.New("container name already in use")
	ErrRunning         = errors.New("container is running")
	ErrBadName         = errors.New("invalid container name")
)
