package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Every mutating command must survive kill -9 at any line, and every
// temporary file lives in the store: these tests kill pod at fixed points
// of pull, save, load, build's ADD and volume import, and check that
// nothing it wrote is outside its store, that the next call reclaims what
// is inside, and that nothing was half made.

// bigLayer is the size of the incompressible file in the test images:
// large enough that each kill point falls inside the operation.
const bigLayer = 24 << 20

// tempWatch is an env whose pod calls show every file written outside
// the store: $TMPDIR is a directory of the test, and in pod's mount
// namespace (the first call makes the pause process there) /var/tmp is
// another.
type tempWatch struct {
	*env
	tmpdir, vartmp string
	// homeBefore is what $HOME held before pod ran.
	homeBefore []string
	// varTmpBefore is /var/tmp's entries of the user when it cannot be
	// replaced (the tests run as that user, not root).
	varTmpBefore []string
}

// newTempWatch makes a fresh env and runs its first call, `pod images`,
// with /var/tmp bound to the watched directory.
func newTempWatch(t *testing.T) *tempWatch {
	t.Helper()
	e := newEnv(t)
	w := &tempWatch{env: e, tmpdir: filepath.Join(e.dir, "tmpdir"), vartmp: filepath.Join(e.dir, "vartmp")}
	for _, d := range []string{w.tmpdir, w.vartmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		e.chown(d)
	}
	w.homeBefore = treeOf(t, e.home)
	if e.user.self {
		// No mount namespace without root: watch the real /var/tmp.
		w.vartmp = "/var/tmp"
		w.varTmpBefore = ownedEntries(w.vartmp, e.user.uid)
		expect(t, w.pod("images", "-q"), 0, "")
		return w
	}
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "-m", "--propagation", "private", "sh", "-c",
		`mount --bind "$0" /var/tmp && exec setpriv --reuid=`+strconv.Itoa(e.user.uid)+` --regid=`+strconv.Itoa(e.user.gid)+` --clear-groups "$@"`,
		w.vartmp, suite.pod, "--root", e.root, "--runroot", e.runroot, "images", "-q")
	cmd.Env = append(e.environ(), "TMPDIR="+w.tmpdir)
	cmd.Dir = e.dir
	expect(t, e.runCmd(cmd, nil, []string{"images", "-q"}), 0, "")
	// Every later call sees the watched directory as /var/tmp.
	w.ok("unshare", "touch", "/var/tmp/probe")
	if err := os.Remove(filepath.Join(w.vartmp, "probe")); err != nil {
		t.Fatalf("pod's /var/tmp is not the watched directory: %v", err)
	}
	return w
}

// command is pod with args and the watched $TMPDIR.
func (w *tempWatch) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := w.env.command(ctx, args...)
	cmd.Env = append(cmd.Env, "TMPDIR="+w.tmpdir)
	return cmd
}

func (w *tempWatch) pod(args ...string) result {
	w.t.Helper()
	return w.podStdin(nil, args...)
}

func (w *tempWatch) podStdin(stdin io.Reader, args ...string) result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	return w.runCmd(w.command(ctx, args...), stdin, args)
}

func (w *tempWatch) ok(args ...string) string {
	w.t.Helper()
	r := w.pod(args...)
	if r.code != 0 {
		w.t.Fatalf("expected exit 0:\n%s", r)
	}
	return r.stdout
}

// storeTmp is the graph root's directory of temporary files.
func (w *tempWatch) storeTmp() string { return filepath.Join(w.root, "tmp") }

// volumesTmp is the volume store's directory of temporary files.
func (w *tempWatch) volumesTmp() string { return filepath.Join(w.volumesDir(), ".tmp") }

// expectNothingOutside fails when pod left a file in $TMPDIR, /var/tmp
// or $HOME.
func (w *tempWatch) expectNothingOutside(when string) {
	w.t.Helper()
	var leaks []string
	for _, p := range treeOf(w.t, w.tmpdir) {
		leaks = append(leaks, filepath.Join(w.tmpdir, p))
	}
	if w.varTmpBefore == nil {
		for _, p := range treeOf(w.t, w.vartmp) {
			leaks = append(leaks, "/var/tmp/"+p)
		}
	} else {
		for _, n := range ownedEntries(w.vartmp, w.user.uid) {
			if !slices.Contains(w.varTmpBefore, n) {
				leaks = append(leaks, "/var/tmp/"+n)
			}
		}
	}
	for _, p := range treeOf(w.t, w.home) {
		if !slices.Contains(w.homeBefore, p) {
			leaks = append(leaks, filepath.Join(w.home, p))
		}
	}
	if len(leaks) > 0 {
		w.t.Fatalf("%s: pod left files outside its store:\n  %s", when, strings.Join(leaks, "\n  "))
	}
}

// expectStoreTmpReclaimed runs a next call and checks that the graph
// root's tmp/ is empty after it: the dead writer's directory is gone.
func (w *tempWatch) expectStoreTmpReclaimed(when string, next ...string) {
	w.t.Helper()
	w.ok(next...)
	if left := dirEntries(w.storeTmp(), false); len(left) != 0 {
		w.t.Fatalf("%s: after pod %s, %s still holds %v", when, strings.Join(next, " "), w.storeTmp(), left)
	}
}

// treeOf lists every path under dir, relative, sorted; nothing for a
// missing dir.
func treeOf(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ownedEntries lists the entries of dir that uid owns.
func ownedEntries(dir string, uid int) []string {
	ents, _ := os.ReadDir(dir)
	out := []string{}
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && int(fi.Sys().(*syscall.Stat_t).Uid) == uid {
			out = append(out, e.Name())
		}
	}
	return out
}

// bytesUnder is the size of the regular files under the dirs.
func bytesUnder(dirs ...string) int64 {
	var n int64
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(_ string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				if fi, err := e.Info(); err == nil {
					n += fi.Size()
				}
			}
			return nil
		})
	}
	return n
}

// anyEntry reports whether one of the dirs has an entry whose name has
// one of the prefixes.
func anyEntry(dirs []string, prefixes ...string) bool {
	for _, d := range dirs {
		for _, n := range dirEntries(d, false) {
			for _, p := range prefixes {
				if strings.HasPrefix(n, p) {
					return true
				}
			}
		}
	}
	return false
}

// victim is a pod call in the background, to be killed with SIGKILL.
type victim struct {
	t    *testing.T
	cmd  *exec.Cmd
	args []string
	// stdin is the test's end of pod's standard input (nil: none).
	stdin *os.File
	// stdout is the test's end of pod's standard output, never read:
	// pod blocks once the pipe is full.
	stdout *os.File
	stderr lockedBuffer
	done   chan struct{}
	err    error
}

// start runs pod with args in the background, with its stdin a pipe when
// feed, and its stdout a pipe nobody reads.
func (w *tempWatch) start(feed bool, args ...string) *victim {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	v := &victim{t: w.t, args: args, done: make(chan struct{})}
	v.cmd = w.command(ctx, args...)
	var inR, outW *os.File
	var err error
	if feed {
		if inR, v.stdin, err = os.Pipe(); err != nil {
			w.t.Fatal(err)
		}
		v.cmd.Stdin = inR
	}
	if v.stdout, outW, err = os.Pipe(); err != nil {
		w.t.Fatal(err)
	}
	v.cmd.Stdout, v.cmd.Stderr = outW, &v.stderr
	if err := v.cmd.Start(); err != nil {
		cancel()
		w.t.Fatal(err)
	}
	outW.Close()
	if inR != nil {
		inR.Close()
	}
	go func() {
		v.err = v.cmd.Wait()
		close(v.done)
	}()
	w.t.Cleanup(func() {
		_ = syscall.Kill(-v.cmd.Process.Pid, syscall.SIGKILL)
		<-v.done
		cancel()
		v.stdout.Close()
		if v.stdin != nil {
			v.stdin.Close()
		}
	})
	return v
}

// feed writes b to pod's stdin; it returns once pod has read all but
// what the pipe holds.
func (v *victim) feed(b []byte) {
	v.t.Helper()
	if _, err := v.stdin.Write(b); err != nil {
		v.t.Fatalf("feeding pod %s: %v\nstderr:\n%s", strings.Join(v.args, " "), err, v.stderr.String())
	}
}

// killWhen polls cond and kills pod with SIGKILL once it holds; pod
// ending first fails the test: the kill point was not reached.
func (v *victim) killWhen(point string, cond func() bool) {
	v.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		select {
		case <-v.done:
			v.t.Fatalf("pod %s ended (%v) before the kill point %q:\n%s", strings.Join(v.args, " "), v.err, point, v.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			v.t.Fatalf("pod %s: the kill point %q never came", strings.Join(v.args, " "), point)
		}
		time.Sleep(time.Millisecond)
	}
	if err := v.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		v.t.Fatal(err)
	}
	<-v.done
	ws, ok := v.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		v.t.Fatalf("pod %s at %q: %v, want killed by SIGKILL:\n%s", strings.Join(v.args, " "), point, v.err, v.stderr.String())
	}
}

// randomBytes is n bytes of incompressible, reproducible data.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	_, _ = r.Read(b)
	return b
}

// tarFiles is a tar of the files name -> content, in the given order.
func tarFiles(t *testing.T, names []string, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		h := &tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg, ModTime: time.Unix(1700000000, 0)}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(files[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importBig imports an image of one incompressible bigLayer file as ref.
func (w *tempWatch) importBig(ref string) {
	w.t.Helper()
	p := w.writeFile("big-rootfs.tar", string(tarFiles(w.t, []string{"big"}, map[string][]byte{"big": randomBytes(1, bigLayer)})))
	w.ok("import", p, ref)
}

// stallingProxy forwards connections to addr and, after limit bytes to
// the client on one connection, sends it nothing more: a download that
// hangs half way until pod is killed.
func stallingProxy(t *testing.T, addr string, limit int64) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				s, err := net.Dial("tcp", addr)
				if err != nil {
					return
				}
				defer s.Close()
				gone := make(chan struct{})
				go func() { _, _ = io.Copy(s, c); close(gone) }()
				_, _ = io.Copy(c, io.LimitReader(s, limit))
				<-gone // stalled or ended: until the client goes
			}()
		}
	}()
	return l.Addr().String()
}

// A pull killed while it downloads leaves its blobs only in the store's
// tmp/, which the next call removes, and no image.
func TestTempPullKilled(t *testing.T) {
	r := startRegistry(t, registryOpts{})
	pusher := newTempWatch(t)
	pusher.importBig("localhost/e2e/big:1")
	pusher.ok("push", "localhost/e2e/big:1", r.ref("e2e/big:1"))
	proxy := stallingProxy(t, r.addr, 12<<20)

	w := newTempWatch(t)
	watched := []string{w.storeTmp(), w.tmpdir, w.vartmp}
	for _, kp := range []struct {
		point string
		cond  func() bool
	}{
		{"its temporary directory appears", func() bool { return anyEntry(watched, "") }},
		{"1 MiB downloaded", func() bool { return bytesUnder(watched...) >= 1<<20 }},
		{"the download stalls at 12 MiB", func() bool { return bytesUnder(watched...) >= 11<<20 }},
	} {
		v := w.start(false, "pull", proxy+"/e2e/big:1")
		v.killWhen(kp.point, kp.cond)
		w.expectNothingOutside("pull killed when " + kp.point)
		w.expectStoreTmpReclaimed("pull killed when "+kp.point, "images", "-q")
		expect(t, w.pod("images", "-q"), 0, "")
	}
	w.expectNothingOutside("after the pulls")
}

// save writes its archive in the store: killed, it leaves nothing beside
// -o nor anywhere else, and the next call reclaims what is in the store.
func TestTempSaveKilled(t *testing.T) {
	w := newTempWatch(t)
	w.importBig("localhost/e2e/big:1")
	out := filepath.Join(w.dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	w.chown(out)
	watched := []string{w.storeTmp(), w.tmpdir, w.vartmp, out}
	for _, kp := range []struct {
		point string
		args  []string
		cond  func() bool
	}{
		{"its temporary directory appears", []string{"save", "-o", filepath.Join(out, "big.tar"), "localhost/e2e/big:1"},
			func() bool { return anyEntry(watched, "") }},
		{"8 MiB of the archive are written", []string{"save", "-o", filepath.Join(out, "big.tar"), "localhost/e2e/big:1"},
			func() bool { return bytesUnder(watched...) >= 8<<20 }},
		{"8 MiB of an OCI archive are written", []string{"save", "--format", "oci-archive", "-o", filepath.Join(out, "big.tar"), "localhost/e2e/big:1"},
			func() bool { return bytesUnder(watched...) >= 8<<20 }},
		// Nobody reads standard output: pod blocks on it with the whole
		// archive written.
		{"the archive is complete, on its way to stdout", []string{"save", "localhost/e2e/big:1"},
			func() bool { return bytesUnder(watched...) >= bigLayer }},
	} {
		v := w.start(false, kp.args...)
		v.killWhen(kp.point, kp.cond)
		if left := dirEntries(out, false); len(left) != 0 {
			t.Fatalf("save killed when %s left %v beside the output", kp.point, left)
		}
		w.expectNothingOutside("save killed when " + kp.point)
		w.expectStoreTmpReclaimed("save killed when "+kp.point, "images", "-q")
	}
	// Not killed, it writes only the archive.
	w.ok("save", "-o", filepath.Join(out, "big.tar"), "localhost/e2e/big:1")
	if left := dirEntries(out, false); !slices.Equal(left, []string{"big.tar"}) {
		t.Fatalf("beside the archive: %v", left)
	}
	w.expectNothingOutside("after a save")
}

// load spools standard input and its archive's blobs in the store: killed
// at any point of reading, it leaves nothing outside, nothing the next
// call keeps, and no image.
func TestTempLoadKilled(t *testing.T) {
	w := newTempWatch(t)
	w.importBig("localhost/e2e/big:1")
	archive := filepath.Join(w.dir, "big.tar")
	w.ok("save", "-o", archive, "localhost/e2e/big:1")
	b, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	w.ok("rmi", "localhost/e2e/big:1")
	watched := []string{w.storeTmp(), w.tmpdir, w.vartmp}
	for _, kp := range []struct {
		point string
		fed   int
	}{
		{"its temporary directory appears", 0},
		{"8 MiB of the archive are read", 8 << 20},
		{"the whole archive is read, standard input still open", len(b)},
	} {
		v := w.start(true, "load")
		v.feed(b[:kp.fed])
		// What pod has read is on disk somewhere (the pipe holds 64 KiB).
		v.killWhen(kp.point, func() bool { return anyEntry(watched, "") && bytesUnder(watched...) >= int64(kp.fed-(64<<10)) })
		w.expectNothingOutside("load killed when " + kp.point)
		w.expectStoreTmpReclaimed("load killed when "+kp.point, "images", "-q")
		expect(t, w.pod("images", "-q"), 0, "")
	}
	expect(t, w.podStdin(bytes.NewReader(b), "load"), 0, "Loaded image: localhost/e2e/big:1\n")
	w.expectNothingOutside("after a load")
}

// An ADD of a URL killed while it downloads leaves its file only in the
// store's tmp/.
func TestTempBuildAddKilled(t *testing.T) {
	w := newTempWatch(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// 4 MiB of an announced 24, then nothing until the client goes.
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		rw.Header().Set("Content-Length", strconv.Itoa(bigLayer))
		_, _ = rw.Write(randomBytes(2, 4<<20))
		rw.(http.Flusher).Flush()
		<-req.Context().Done()
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	ctxDir := filepath.Join(w.dir, "ctx")
	if err := os.Mkdir(ctxDir, 0o755); err != nil {
		t.Fatal(err)
	}
	w.chown(ctxDir)
	w.writeFile("ctx/Dockerfile", fmt.Sprintf("FROM scratch\nADD http://%s/big /big\n", l.Addr()))
	watched := []string{w.storeTmp(), w.tmpdir, w.vartmp}
	v := w.start(false, "build", "-t", "localhost/e2e/added:1", ctxDir)
	v.killWhen("4 MiB downloaded", func() bool { return bytesUnder(watched...) >= 4<<20 })
	w.expectNothingOutside("build killed in ADD")
	w.expectStoreTmpReclaimed("build killed in ADD", "images", "-q")
	expect(t, w.pod("images", "-q"), 0, "")
}

// A build whose context comes from standard input, killed while it
// unpacks the context, leaves it only in the store's tmp/.
func TestTempBuildContextKilled(t *testing.T) {
	w := newTempWatch(t)
	buildCtx := tarFiles(t, []string{"Dockerfile", "big"}, map[string][]byte{
		"Dockerfile": []byte("FROM scratch\nCOPY big /big\n"), "big": randomBytes(3, bigLayer)})
	watched := []string{w.storeTmp(), w.tmpdir, w.vartmp}
	v := w.start(true, "build", "-t", "localhost/e2e/ctx:1", "-")
	v.feed(buildCtx[:12<<20])
	v.killWhen("8 MiB of the context are unpacked", func() bool { return bytesUnder(watched...) >= 8<<20 })
	w.expectNothingOutside("build killed while unpacking its context")
	w.expectStoreTmpReclaimed("build killed while unpacking its context", "images", "-q")
	expect(t, w.pod("images", "-q"), 0, "")
}

// volumeState is a volume's content as path -> mode and sha256, read on
// the host.
func volumeState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		s := fi.Mode().String()
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			s += " " + hex.EncodeToString(sum[:])
		}
		out[rel] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameVolume(t *testing.T, when string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: the volume holds %d entries, want the %d it had", when, len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: %s is %q, was %q", when, k, got[k], v)
		}
	}
}

// volumeArchive is a tar of n incompressible 1 MiB files named
// PREFIXi, from seed.
func volumeArchive(t *testing.T, prefix string, n int, seed uint64) []byte {
	t.Helper()
	files := map[string][]byte{}
	var names []string
	for i := range n {
		name := prefix + strconv.Itoa(i)
		names = append(names, name)
		files[name] = randomBytes(seed+uint64(i), 1<<20)
	}
	return tarFiles(t, names, files)
}

// importSpool reports whether an import's spool exists and how much it
// holds: in the volume store's tmp/, in $TMPDIR or /var/tmp, or as
// .import-* in the volumes directory (where pods before owner-named
// spools kept it).
func (w *tempWatch) importSpool() (bool, int64) {
	dirs := []string{w.volumesTmp(), w.tmpdir, w.vartmp}
	n := bytesUnder(dirs...)
	seen := anyEntry(dirs, "")
	for _, e := range dirEntries(w.volumesDir(), false) {
		if strings.HasPrefix(e, ".import-") {
			seen = true
			n += bytesUnder(filepath.Join(w.volumesDir(), e))
		}
	}
	return seen, n
}

// spooled is a kill condition: the import's spool holds at least n bytes.
func (w *tempWatch) spooled(n int) func() bool {
	return func() bool {
		seen, got := w.importSpool()
		return seen && got >= int64(n)
	}
}

// expectNoSpools fails when the volumes directory holds a spool or a
// temporary directory of an import.
func (w *tempWatch) expectNoSpools(when string) {
	w.t.Helper()
	for _, n := range dirEntries(w.volumesDir(), false) {
		if strings.HasPrefix(n, ".import-") {
			w.t.Fatalf("%s: the spool %s is left in %s", when, n, w.volumesDir())
		}
	}
	if left := dirEntries(w.volumesTmp(), false); len(left) != 0 {
		w.t.Fatalf("%s: %s holds %v", when, w.volumesTmp(), left)
	}
}

// A volume import killed while it reads the archive leaves the volume as
// it was and nothing outside the store; the next volume operation
// reclaims the spool. A truncated archive is refused with nothing
// written, and prune leaves no spool either.
func TestTempVolumeImportKilled(t *testing.T) {
	w := newTempWatch(t)
	first := filepath.Join(w.dir, "first.tar")
	w.writeFile("first.tar", string(volumeArchive(t, "old", 8, 100)))
	w.ok("volume", "import", "data", first)
	before := volumeState(t, w.volumeData("data"))
	next := volumeArchive(t, "old", 16, 200) // replaces the 8, adds 8
	for _, kp := range []struct {
		point string
		fed   int
	}{
		{"its spool appears", 0},
		{"half the archive is read", len(next) / 2},
		{"the whole archive is read, standard input still open", len(next)},
	} {
		v := w.start(true, "volume", "import", "data", "-")
		v.feed(next[:kp.fed])
		v.killWhen(kp.point, w.spooled(kp.fed-(64<<10)))
		when := "import killed when " + kp.point
		sameVolume(t, when, volumeState(t, w.volumeData("data")), before)
		w.expectNothingOutside(when)
		// The next volume operation reclaims the dead import's spool.
		w.ok("volume", "create", "--ignore", "data")
		w.expectNoSpools(when)
	}

	// A new volume appears only whole: killed while it is filled, the
	// import leaves no volume.
	v := w.start(true, "volume", "import", "fresh", "-")
	v.feed(next)
	v.stdin.Close()
	v.killWhen("the new volume is being filled", func() bool {
		for _, d := range dirEntries(w.volumesTmp(), false) {
			if fileExists(filepath.Join(w.volumesTmp(), d, "volume")) {
				return true
			}
		}
		return false
	})
	if fileExists(filepath.Join(w.volumesDir(), "fresh")) {
		t.Fatal("a killed import left a half-made volume fresh")
	}
	expect(t, w.pod("volume", "ls", "-q"), 0, "data\n")
	w.expectNoSpools("import of a new volume killed")
	w.expectNothingOutside("import of a new volume killed")

	// A truncated archive, from a file and from stdin: refused, nothing
	// written, no spool.
	truncated := w.writeFile("truncated.tar", string(next[:len(next)/2]))
	expectError(t, w.pod("volume", "import", "data", truncated), 125, "data", "unexpected EOF")
	expectError(t, w.podStdin(bytes.NewReader(next[:len(next)/2]), "volume", "import", "data", "-"), 125, "data", "unexpected EOF")
	expectError(t, w.pod("volume", "import", "fresh", truncated), 125, "fresh", "unexpected EOF")
	sameVolume(t, "a truncated archive", volumeState(t, w.volumeData("data")), before)
	expect(t, w.pod("volume", "ls", "-q"), 0, "data\n")
	w.expectNoSpools("a truncated archive")
	w.expectNothingOutside("a truncated archive")

	// prune: a killed import's spool, and one an earlier pod left in the
	// volumes directory itself, are gone with the volumes.
	v = w.start(true, "volume", "import", "data", "-")
	v.feed(next[:len(next)/2])
	v.killWhen("half the archive is read", w.spooled(len(next)/2-(64<<10)))
	w.writeFile("volumes/.import-123456", "what a pod before owner-named spools left")
	expect(t, w.pod("volume", "prune", "-f"), 0, "data\n")
	w.expectNoSpools("after prune")
	if left := dirEntries(w.volumesDir(), false); !slices.Equal(left, []string{".lock", ".tmp"}) {
		t.Fatalf("after prune the volumes directory holds %v", left)
	}
	w.expectNothingOutside("after prune")
}

// A volume import killed while it writes the merged data into place
// leaves the volume's previous content, and a completed one its new
// content: the archive merged over the old files.
func TestTempVolumeImportKilledWhileWriting(t *testing.T) {
	w := newTempWatch(t)
	first := filepath.Join(w.dir, "first.tar")
	w.writeFile("first.tar", string(volumeArchive(t, "old", 8, 100)))
	w.ok("volume", "import", "data", first)
	before := volumeState(t, w.volumeData("data"))
	next := volumeArchive(t, "new", 16, 300)
	v := w.start(true, "volume", "import", "data", "-")
	v.feed(next)
	v.stdin.Close()
	v.killWhen("the new data is being written", func() bool {
		for _, d := range dirEntries(w.volumesTmp(), false) {
			if fileExists(filepath.Join(w.volumesTmp(), d, "data")) {
				return true
			}
		}
		return false
	})
	sameVolume(t, "import killed while writing", volumeState(t, w.volumeData("data")), before)
	w.expectNothingOutside("import killed while writing")
	w.ok("volume", "create", "--ignore", "data")
	w.expectNoSpools("import killed while writing")

	expect(t, w.podStdin(bytes.NewReader(next), "volume", "import", "data", "-"), 0, "")
	got := volumeState(t, w.volumeData("data"))
	if len(got) != 1+8+16 || got["old0"] != before["old0"] || got["new15"] == "" {
		t.Fatalf("after the import the volume holds %d entries (old0 %q, new15 %q), want the 8 old files and the 16 new", len(got), got["old0"], got["new15"])
	}
	w.expectNoSpools("after the import")
}

// A container that runs keeps the data directory it has mounted: an
// import into its volume is extracted there, and the container sees it.
func TestTempVolumeImportRunningContainer(t *testing.T) {
	w := newTempWatch(t)
	w.importImage(testImage)
	w.writeFile("first.tar", string(tarOf(t, [][2]string{{"before", "old\n"}})))
	w.ok("volume", "import", "data", filepath.Join(w.dir, "first.tar"))
	w.ok("run", "-d", "--name", "user", "-v", "data:/d", testImage, "sleep", "600")
	expect(t, w.podStdin(bytes.NewReader(tarOf(t, [][2]string{{"after", "new\n"}})), "volume", "import", "data", "-"), 0, "")
	expect(t, w.pod("exec", "user", "cat", "/d/before", "/d/after"), 0, "old\nnew\n")
	w.ok("rm", "-f", "user")
	w.expectNoSpools("an import into a running container's volume")
	w.expectNothingOutside("an import into a running container's volume")
}
