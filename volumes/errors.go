package volumes

import (
	"errors"

	"github.com/pod-project/pod/copier"
)

// Sentinels of the volumes package, checked with errors.Is.
var (
	ErrNoSuchVolume   = errors.New("no such volume")
	ErrVolumeExists   = errors.New("volume already exists")
	ErrBadName        = errors.New("invalid volume name")
	ErrVolumeInUse    = errors.New("volume is in use")
	ErrUnsafeArchive  = copier.ErrUnsafe // "unsafe archive entry"
	ErrBadOption      = errors.New("invalid volume option")
	ErrBadFilter      = errors.New("invalid volume filter")
	ErrBindSourceGone = errors.New("bind mount source does not exist")
)
