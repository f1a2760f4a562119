package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	digest "github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/signature"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"

	"github.com/pod-project/pod/storage"
)

// PullOptions say how images are pulled from a registry.
type PullOptions struct {
	RegistryOptions
	// AllTags pulls every tag of the repository (the name has no tag).
	AllTags bool
	// Progress receives "Trying to pull" and per-layer progress; nil is
	// silent. Bars are drawn when it is a terminal.
	Progress io.Writer
	// Retries is how many more times a transient failure is tried (0:
	// none); RetryDelay is the wait between tries (0: 1s).
	Retries    int
	RetryDelay time.Duration
}

// Pulled is one image a pull stored.
type Pulled struct {
	Name   string        // the fully qualified name pulled
	ID     string        // image ID, 64 hex
	Digest digest.Digest // manifest digest
}

// Pull copies name (NAME[:TAG] or NAME@DIGEST; short names resolve as
// pullCandidates says) from its registry into the store and returns what
// it stored. With several candidates the first that works wins; the error
// lists why each failed.
func Pull(ctx context.Context, store storage.Store, name string, opts PullOptions) ([]Pulled, error) {
	base, err := opts.systemContext(ctx, store, "")
	if err != nil {
		return nil, err
	}
	cands, err := pullCandidates(base, name)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, c := range cands {
		var res []Pulled
		if opts.AllTags {
			res, err = pullAllTags(ctx, store, c, opts)
		} else {
			var p Pulled
			p, err = pullOne(ctx, store, c, opts)
			res = []Pulled{p}
		}
		if err == nil {
			return res, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, fmt.Errorf("pulling %s: no candidate worked: %w", name, errors.Join(errs...))
}

func pullAllTags(ctx context.Context, store storage.Store, named reference.Named, opts PullOptions) ([]Pulled, error) {
	repo := reference.TrimNamed(named)
	if t, ok := named.(reference.Tagged); ok && t.Tag() != "latest" {
		return nil, fmt.Errorf("%w %q: --all-tags takes a repository without a tag", ErrBadReference, named.String())
	}
	if _, ok := named.(reference.Digested); ok {
		return nil, fmt.Errorf("%w %q: --all-tags takes a repository without a digest", ErrBadReference, named.String())
	}
	sys, err := opts.systemContext(ctx, store, reference.Domain(repo))
	if err != nil {
		return nil, err
	}
	ref, err := docker.NewReference(reference.TagNameOnly(repo)) // tags are listed per repository
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadReference, repo.String(), err)
	}
	var tags []string
	err = retry(ctx, opts.Retries, opts.RetryDelay, func() error {
		var err error
		tags, err = docker.GetRepositoryTags(ctx, sys, ref)
		return err
	})
	if err != nil {
		return nil, registryError("listing tags of "+repo.String(), reference.Domain(repo), err)
	}
	var out []Pulled
	for _, tag := range tags {
		t, err := reference.WithTag(repo, tag)
		if err != nil {
			continue
		}
		p, err := pullOne(ctx, store, t, opts)
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// pullOne copies one fully qualified reference into storage: the image
// record alone when its layers are local (see pullLocal), else through
// copy.Image.
func pullOne(ctx context.Context, store storage.Store, named reference.Named, opts PullOptions) (Pulled, error) {
	host := reference.Domain(named)
	sys, err := opts.systemContext(ctx, store, host)
	if err != nil {
		return Pulled{}, err
	}
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "Trying to pull %s...\n", named.String())
	}
	src, err := docker.NewReference(named)
	if err != nil {
		return Pulled{}, fmt.Errorf("%w %q: %v", ErrBadReference, named.String(), err)
	}
	dest, err := istorage.Transport.NewStoreReference(store, named, "")
	if err != nil {
		return Pulled{}, fmt.Errorf("pulling %s: %w", named, err)
	}
	pc, err := policyContext(sys)
	if err != nil {
		return Pulled{}, err
	}
	defer func() { _ = pc.Destroy() }()
	// Blobs are spooled next to the layers, in a directory named after
	// this process, so that a killed pull leaves nothing behind for long:
	// the next pod call reclaims it.
	tmp, err := storage.MkdirTemp(store.GraphRoot(), "pull")
	if err != nil {
		return Pulled{}, fmt.Errorf("pulling %s: %w", named, err)
	}
	defer os.RemoveAll(tmp)
	sys.BigFilesTemporaryDir = tmp
	var pulled *Pulled
	err = retry(ctx, opts.Retries, opts.RetryDelay, func() error {
		local, opened, err := pullLocal(ctx, sys, pc, store, src, named, opts.Progress)
		if err != nil || local != nil {
			pulled = local
			return err
		}
		ref := &openedRef{ImageReference: src, src: opened}
		defer ref.close()
		_, err = copyOnce(ctx, pc, sys, ref, dest, opts.Progress, nil)
		return err
	})
	if err != nil {
		return Pulled{}, registryError("pulling "+named.String(), host, err)
	}
	if pulled != nil {
		return *pulled, nil
	}
	img, err := istorage.Transport.GetStoreImage(store, dest)
	if err != nil {
		return Pulled{}, fmt.Errorf("pulling %s: finding the stored image: %w", named, err)
	}
	return Pulled{Name: named.String(), ID: img.ID, Digest: img.Digest}, nil
}

// copyImage runs copy.Image from src to dest with the policy, progress
// and retries; edit may adjust the options. It returns the manifest
// written.
func copyImage(ctx context.Context, sys *types.SystemContext, src, dest types.ImageReference, progressW io.Writer,
	retries int, delay time.Duration, edit func(*copy.Options)) ([]byte, error) {
	pc, err := policyContext(sys)
	if err != nil {
		return nil, err
	}
	defer func() { _ = pc.Destroy() }()
	var manifest []byte
	err = retry(ctx, retries, delay, func() error {
		var err error
		manifest, err = copyOnce(ctx, pc, sys, src, dest, progressW, edit)
		return err
	})
	return manifest, err
}

// errNoTempDir: a copy was set up without a temporary directory of its
// own; the library would spool into /var/tmp, outside the store.
var errNoTempDir = errors.New("internal error: copying without a temporary directory in the store")

// copyOnce runs copy.Image once, with progress on progressW. sys must
// name the operation's temporary directory in the store.
func copyOnce(ctx context.Context, pc *signature.PolicyContext, sys *types.SystemContext, src, dest types.ImageReference,
	progressW io.Writer, edit func(*copy.Options)) ([]byte, error) {
	if sys.BigFilesTemporaryDir == "" {
		return nil, errNoTempDir
	}
	opts := &copy.Options{SourceCtx: sys, DestinationCtx: sys}
	if edit != nil {
		edit(opts)
	}
	p := startProgress(progressW, opts)
	manifest, err := copy.Image(ctx, pc, dest, src, opts)
	p.finish(err == nil)
	return manifest, err
}

// registryError adds what to do to the common registry failures.
func registryError(what, host string, err error) error {
	var unauth docker.ErrUnauthorizedForCredentials
	msg := err.Error()
	switch {
	case errors.As(err, &unauth) || strings.Contains(msg, "authentication required") || strings.Contains(msg, "unauthorized"):
		return fmt.Errorf("%s: %w (log in with: pod login %s, or pass --creds)", what, err, host)
	case strings.Contains(msg, "x509: ") || strings.Contains(msg, "tls: failed to verify"):
		return fmt.Errorf("%s: %w (trust the registry's CA with --cert-dir, or use --tls-verify=false)", what, err)
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return fmt.Errorf("%s: %w (the registry speaks plain HTTP: use --tls-verify=false, or mark it insecure in registries.conf)", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
