package e2e

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pod-project/pod/test/podbin"
)

// suite is the state TestMain sets up once for every test.
var suite struct {
	// base is a 0755 directory under /tmp ($POD_E2E_TMPDIR) holding every
	// test's files, so the unprivileged test user can reach them
	// (t.TempDir's parents are root-only).
	base string
	// pod is the binary under test, copied into base.
	pod string
	// user runs pod: the unprivileged test user when the tests run as
	// root, else the current user.
	user *testUser
	// setupErr, when set, fails every test with the reason (a missing
	// program, a missing user...).
	setupErr error
}

// requiredPrograms are the host programs the tests and pod need; a missing
// one fails every test with its name and package.
var requiredPrograms = []struct{ name, pkg string }{
	{"busybox", "busybox-static"},
	{"newuidmap", "uidmap"},
	{"newgidmap", "uidmap"},
	{"nsenter", "util-linux"},
	{"runc", "runc"},
}

func TestMain(m *testing.M) {
	if os.Getenv(reaperEnv) != "" {
		reaperMain()
	}
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: skipped in -short mode")
		os.Exit(0)
	}
	code := func() int {
		suite.setupErr = setup()
		if suite.setupErr != nil {
			fmt.Fprintf(os.Stderr, "e2e setup: %v\n", suite.setupErr)
		}
		defer func() {
			if os.Getenv("POD_E2E_KEEP") == "" && suite.base != "" {
				_ = os.RemoveAll(suite.base)
			}
		}()
		return m.Run()
	}()
	os.Exit(code)
}

func setup() error {
	var missing []string
	for _, p := range requiredPrograms {
		if _, err := exec.LookPath(p.name); err != nil {
			missing = append(missing, fmt.Sprintf("%s (package %s)", p.name, p.pkg))
		}
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		missing = append(missing, "/bin/busybox (package busybox-static)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing programs: %s; run hack/deps.sh", strings.Join(missing, ", "))
	}
	tmp := os.Getenv("POD_E2E_TMPDIR")
	if tmp == "" {
		tmp = "/tmp"
	}
	base, err := os.MkdirTemp(tmp, "pod-e2e-")
	if err != nil {
		return err
	}
	suite.base = base
	if err := os.Chmod(base, 0o755); err != nil {
		return err
	}
	u, err := pickUser()
	if err != nil {
		return err
	}
	suite.user = u
	repo, err := filepath.Abs("../..")
	if err != nil {
		return err
	}
	bin, err := podbin.Path(context.Background(), repo)
	if err != nil {
		return err
	}
	suite.pod = filepath.Join(base, "pod")
	if err := copyFile(bin, suite.pod, 0o755); err != nil {
		return fmt.Errorf("copying pod binary: %w", err)
	}
	// Monitors run from pod-monitor beside pod, as installed.
	if err := copyFile(podbin.Monitor(bin), podbin.Monitor(suite.pod), 0o755); err != nil {
		return fmt.Errorf("copying pod-monitor (make build builds it beside pod): %w", err)
	}
	if err := copyFile(podbin.Compose(bin), podbin.Compose(suite.pod), 0o755); err != nil {
		return fmt.Errorf("copying pod-compose (make build builds it beside pod): %w", err)
	}
	return nil
}

// testUser is who runs pod in the tests.
type testUser struct {
	name     string
	uid, gid int
	// self is true when the tests run as this user (not root), so no
	// credential switch is needed.
	self bool
}

// pickUser returns $POD_TEST_USER (default podtest) when running as root,
// else the current user.
func pickUser() (*testUser, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return nil, err
		}
		return &testUser{name: u.Username, uid: os.Getuid(), gid: os.Getgid(), self: true}, nil
	}
	name := os.Getenv("POD_TEST_USER")
	if name == "" {
		name = "podtest"
	}
	u, err := lookupUser(name)
	if err != nil {
		return nil, fmt.Errorf("%w; create it as root with hack/testuser.sh", err)
	}
	if _, _, err := subIDRange("/etc/subuid", u); err != nil {
		return nil, fmt.Errorf("%w; run hack/testuser.sh as root", err)
	}
	return u, nil
}

func lookupUser(name string) (*testUser, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("test user %q: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &testUser{name: name, uid: uid, gid: gid}, nil
}

// subIDRange returns the first range of u in an /etc/subuid-style file.
func subIDRange(file string, u *testUser) (start, count int, err error) {
	rs, err := subIDRanges(file, u)
	if err != nil {
		return 0, 0, err
	}
	return rs[0][0], rs[0][1], nil
}

// subIDRanges are all of u's ranges in file, in order: [start, count].
func subIDRanges(file string, u *testUser) ([][2]int, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out [][2]int
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(strings.TrimSpace(line), ":")
		if len(f) != 3 || (f[0] != u.name && f[0] != strconv.Itoa(u.uid)) {
			continue
		}
		start, err1 := strconv.Atoi(f[1])
		count, err2 := strconv.Atoi(f[2])
		if err1 == nil && err2 == nil {
			out = append(out, [2]int{start, count})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("user %s has no range in %s", u.name, file)
	}
	return out, nil
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
