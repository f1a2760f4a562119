package image

import "errors"

// Sentinels for the failures callers tell apart with errors.Is.
var (
	// ErrNoSuchImage: no local image matches the name or ID.
	ErrNoSuchImage = errors.New("no such image")
	// ErrBadReference: the string is neither a valid image name nor an ID.
	ErrBadReference = errors.New("invalid image reference")
	// ErrAmbiguousID: a short ID matches more than one image.
	ErrAmbiguousID = errors.New("ambiguous image ID")
	// ErrImageInUse: containers use the image (remove them, or force).
	ErrImageInUse = errors.New("image is in use by a container")
	// ErrMultipleRepositories: removing by ID an image tagged in several
	// repositories needs force.
	ErrMultipleRepositories = errors.New("image is referenced in multiple repositories")
	// ErrBadChange: an --change instruction is malformed or not supported.
	ErrBadChange = errors.New("invalid change")
	// ErrBadFilter: a --filter is malformed or names an unknown key.
	ErrBadFilter = errors.New("invalid filter")
	// ErrBadSource: the import source is not a (compressed) tar archive or
	// cannot be read.
	ErrBadSource = errors.New("invalid import source")
)
