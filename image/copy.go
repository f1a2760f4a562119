package image

import (
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"

	digest "github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/signature"
	"go.podman.io/image/v5/types"

	"github.com/pod-project/pod/storage"
)

// SystemContext is the go.podman.io/image context pod copies with: the
// blob-info cache next to the store (never the shared containers paths),
// and big temporary files (blobs the library spools, archives it unpacks)
// in tmp, the operation's own directory in the store (storage.MkdirTemp):
// never in /var/tmp or $TMPDIR, where a killed copy would leave them.
func SystemContext(store storage.Store, tmp string) *types.SystemContext {
	return &types.SystemContext{
		BlobInfoCacheDir:     filepath.Join(filepath.Dir(store.GraphRoot()), "cache"),
		BigFilesTemporaryDir: tmp,
	}
}

// acceptAnything is a signature policy context that accepts every image,
// for sources the user names directly (a local tarball).
func acceptAnything() (*signature.PolicyContext, error) {
	policy := &signature.Policy{
		Default: signature.PolicyRequirements{signature.NewPRInsecureAcceptAnything()},
	}
	return signature.NewPolicyContext(policy)
}

// spoolDigest writes r to a new file at path and returns the sha256 digest and
// size of what it wrote (a layer's diff ID and size).
func spoolDigest(r io.Reader, path string) (digest.Digest, int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	return digest.NewDigestFromBytes(digest.SHA256, h.Sum(nil)), n, nil
}
