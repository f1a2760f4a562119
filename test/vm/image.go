package vm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// image is a built VM image: a raw ext4 disk and the kernel and initrd
// taken from its /boot.
type image struct {
	dir, disk, kernel, initrd string
}

// buildImage runs hack/vm-image.sh, which prints the image's directory in
// its cache and builds the image first when the cache has none for its
// inputs. Its progress lines go to logf; on failure the error carries the
// end of its output.
func buildImage(ctx context.Context, repo string, logf func(string, ...any)) (image, error) {
	script := filepath.Join(repo, "hack", "vm-image.sh")
	cmd := exec.CommandContext(ctx, script)
	cmd.Dir = repo
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return image{}, err
	}
	if err := cmd.Start(); err != nil {
		return image{}, fmt.Errorf("running %s: %w", script, err)
	}
	tail := newTail(40)
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		tail.add(line)
		if strings.HasPrefix(line, "vm-image: ") {
			logf("%s", line)
		}
	}
	if err := cmd.Wait(); err != nil {
		return image{}, fmt.Errorf("%s: %w\n%s", script, err, tail)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	dir := lines[len(lines)-1]
	img := image{
		dir:    dir,
		disk:   filepath.Join(dir, "disk.img"),
		kernel: filepath.Join(dir, "vmlinuz"),
		initrd: filepath.Join(dir, "initrd.img"),
	}
	for _, p := range []string{img.disk, img.kernel, img.initrd} {
		if _, err := os.Stat(p); err != nil {
			return image{}, fmt.Errorf("%s printed %q: %w", script, dir, err)
		}
	}
	return img, nil
}

// findRepo returns the repository's root: the nearest directory at or
// above the working directory that holds hack/vm-image.sh.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "hack", "vm-image.sh")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no hack/vm-image.sh in the working directory or above it; set Options.Repo")
		}
		dir = parent
	}
}

// tail keeps the last lines written to it.
type tail struct {
	n     int
	lines []string
}

func newTail(n int) *tail { return &tail{n: n} }

func (t *tail) add(line string) {
	t.lines = append(t.lines, line)
	if len(t.lines) > t.n {
		t.lines = t.lines[len(t.lines)-t.n:]
	}
}

func (t *tail) String() string { return strings.Join(t.lines, "\n") }
