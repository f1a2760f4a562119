package copier

import "errors"

var (
	// ErrUnsafe is an archive entry that would leave its destination: a
	// name or hard link climbing out with "..", or (with Strict) an
	// absolute name or one reaching through a symbolic link.
	ErrUnsafe = errors.New("unsafe archive entry")
	// ErrReplaceDir is an entry that would replace an existing directory
	// with a non-directory where that is not allowed (WriteOptions.NoReplaceDir).
	ErrReplaceDir = errors.New("cannot replace a directory with a non-directory")
)
