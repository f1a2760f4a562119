package builder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// gitHTTPURL matches an http(s) URL of a git repository: its path ends in
// .git, before an optional #fragment (Docker's rule).
var gitHTTPURL = regexp.MustCompile(`^https?://.*\.git(?:#.*)?$`)

// isGitURL reports whether a build context source names a git repository.
func isGitURL(s string) bool {
	for _, p := range []string{"git://", "git@", "ssh://", "git+ssh://", "file://", "github.com/"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return gitHTTPURL.MatchString(s)
}

// gitSource splits a git context source into the repository URL, the ref
// ("" for the remote's HEAD) and the subdirectory ("" for the root):
// URL#ref:subdir.
func gitSource(s string) (repo, ref, subdir string) {
	repo, frag, _ := strings.Cut(s, "#")
	ref, subdir, _ = strings.Cut(frag, ":")
	if strings.HasPrefix(repo, "github.com/") {
		repo = "https://" + repo
	}
	return repo, ref, subdir
}

// fromGit clones a repository with the git program: a shallow fetch of the
// ref when the server allows it, else a full fetch, then a checkout and
// the submodules.
func (c *Context) fromGit(ctx context.Context, source string) error {
	if _, err := exec.LookPath("git"); err != nil {
		return fmt.Errorf("building from the git repository %s needs the git program: install git (Debian: apt-get install git)", source)
	}
	repo, ref, subdir := gitSource(source)
	tmp, err := c.tempDir("build-git")
	if err != nil {
		return fmt.Errorf("cloning %s: %w", source, err)
	}
	dir := filepath.Join(tmp, "repo")
	run := func(args ...string) error { return runGit(ctx, dir, tmp, args...) }
	if err := runGit(ctx, tmp, tmp, "init", "-q", dir); err != nil {
		return fmt.Errorf("cloning %s: %w", source, err)
	}
	if err := run("remote", "add", "origin", repo); err != nil {
		return fmt.Errorf("cloning %s: %w", source, err)
	}
	want := ref
	if want == "" {
		want = "HEAD"
	}
	checkout := "FETCH_HEAD"
	if err := run("fetch", "-q", "--depth", "1", "origin", want); err != nil {
		// Dumb servers, plain paths and commit IDs a server will not hand
		// out directly: fetch everything, then check out the ref.
		if err2 := run("fetch", "-q", "--tags", "origin"); err2 != nil {
			return fmt.Errorf("cloning %s: %w", source, errors.Join(err, err2))
		}
		if ref != "" {
			checkout = ref
			if run("rev-parse", "-q", "--verify", "origin/"+ref) == nil {
				checkout = "origin/" + ref
			}
		}
	}
	if err := run("checkout", "-q", checkout); err != nil {
		if checkout != "FETCH_HEAD" {
			return fmt.Errorf("cloning %s: %q is no branch, tag or commit of the repository: %w", source, ref, err)
		}
		return fmt.Errorf("cloning %s: checking out %s: %w", source, want, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".gitmodules")); err == nil {
		if err := run("submodule", "update", "-q", "--init", "--recursive", "--depth", "1"); err != nil {
			return fmt.Errorf("cloning %s: submodules: %w", source, err)
		}
	}
	c.Dir = dir
	if subdir == "" {
		return nil
	}
	p, err := securejoin.SecureJoin(dir, subdir)
	if err != nil {
		return fmt.Errorf("git context %s: subdirectory %s: %w", source, subdir, err)
	}
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		return fmt.Errorf("git context %s: no directory %s in the repository at %s", source, subdir, want)
	}
	c.Dir = p
	return nil
}

// runGit runs git in dir, with no prompts and its temporary files in
// tmp; its error holds git's message.
func runGit(ctx context.Context, dir, tmp string, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "TMPDIR="+tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// The exec error is formatted, not wrapped: its ExitCode must not
	// become pod's exit code.
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return fmt.Errorf("git %s: %v", args[0], err)
		}
		return fmt.Errorf("git %s: %s (%v)", args[0], msg, err)
	}
	return nil
}
