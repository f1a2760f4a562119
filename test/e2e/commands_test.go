package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCommandGroups: pod --version, and the groups' answers to a missing
// or unknown sub-command, as Podman's (exit 125).
func TestCommandGroups(t *testing.T) {
	e := newEnv(t)
	if out := e.ok("--version"); !strings.HasPrefix(out, "pod version ") || strings.Count(out, "\n") != 1 {
		t.Errorf("pod --version: %q", out)
	}
	if out := e.ok("-v"); !strings.HasPrefix(out, "pod version ") {
		t.Errorf("pod -v: %q", out)
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"container", "frob"}, "unrecognized command `pod container frob`"},
		{[]string{"system", "frob"}, "unrecognized command `pod system frob`"},
		{[]string{"frob"}, "unrecognized command `pod frob`"},
		{[]string{"container"}, "missing command 'pod container COMMAND'"},
		{[]string{"volume"}, "missing command 'pod volume COMMAND'"},
	} {
		r := e.pod(c.args...)
		if r.code != 125 || !strings.Contains(r.stderr, c.msg) {
			t.Errorf("want exit 125 and %q:\n%s", c.msg, r)
		}
	}
	// A group's sub-commands still run (and still join the namespace).
	e.ok("container", "ls", "-a")
}

// TestContainerExistsAndPrune: container exists exits 1 for a missing
// container; container prune removes what does not run, by filter, asks
// first without -f, and prints the IDs it removed.
func TestContainerExistsAndPrune(t *testing.T) {
	e := withImage(t)
	old := strings.TrimSpace(e.ok("create", "--name", "old", "--label", "keep=no", testImage, "true"))
	e.ok("run", "-d", "--name", "up", testImage, "sleep", "1000")
	e.ok("container", "exists", "old")
	if r := e.pod("container", "exists", "nosuch"); r.code != 1 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("container exists nosuch: want exit 1, silent:\n%s", r)
	}
	time.Sleep(1100 * time.Millisecond)
	young := strings.TrimSpace(e.ok("create", "--name", "young", testImage, "true"))

	// Without -f it asks; no answer keeps everything.
	if r := e.podStdin(strings.NewReader("n\n"), "container", "prune"); r.code != 0 || !strings.Contains(r.stdout, "non running containers") {
		t.Fatalf("container prune answered no:\n%s", r)
	}
	e.ok("container", "exists", "old")
	if r := e.pod("container", "prune", "-f", "--filter", "until=soon"); r.code != 125 || !strings.Contains(r.stderr, "until=soon") {
		t.Fatalf("container prune --filter until=soon: want 125:\n%s", r)
	}
	// until=1s: created more than a second ago, so old and not young.
	if out := strings.TrimSpace(e.ok("container", "prune", "-f", "--filter", "until=1s")); out != old {
		t.Fatalf("container prune --filter until=1s: %q, want %s", out, old)
	}
	if r := e.pod("container", "exists", "old"); r.code != 1 {
		t.Fatalf("old after prune:\n%s", r)
	}
	if out := strings.TrimSpace(e.ok("container", "prune", "-f")); out != young {
		t.Fatalf("container prune -f: %q, want %s (up runs)", out, young)
	}
	e.ok("container", "exists", "up")
}

// TestUntagAndBuildAliases: untag removes the names given, or all; a name
// the image lacks is refused; image build and buildx build are build.
func TestUntagAndBuildAliases(t *testing.T) {
	e := withImage(t)
	e.ok("tag", testImage, "localhost/a:1", "localhost/a:2", "localhost/b:1")
	id := strings.TrimSpace(e.ok("images", "-q", "--no-trunc", "localhost/a:1"))
	e.ok("untag", "localhost/a:1", "localhost/a:2")
	if r := e.pod("image", "exists", "localhost/a:2"); r.code != 1 {
		t.Fatalf("localhost/a:2 after untag:\n%s", r)
	}
	e.ok("image", "exists", "localhost/b:1")
	if r := e.pod("untag", "localhost/b:1", "localhost/c:9"); r.code != 125 || !strings.Contains(r.stderr, "localhost/c:9") {
		t.Fatalf("untag of a name the image lacks: want 125 naming it:\n%s", r)
	}
	e.ok("image", "exists", "localhost/b:1")
	e.ok("image", "untag", "localhost/b:1")
	for _, n := range []string{"localhost/b:1", testImage} {
		if r := e.pod("image", "exists", n); r.code != 1 {
			t.Fatalf("%s after untag of all names:\n%s", n, r)
		}
	}
	// The image stays, by ID, with no name.
	e.ok("image", "exists", id)
	e.ok("tag", id, testImage)

	ctx := filepath.Join(e.dir, "ctx")
	if err := os.MkdirAll(ctx, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM "+testImage+"\nLABEL alias=yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.chown(ctx)
	for _, verb := range [][]string{{"image", "build"}, {"buildx", "build"}} {
		tag := "localhost/built/" + verb[0]
		e.ok(append(verb, "-q", "-t", tag, ctx)...)
		if got := strings.TrimSpace(e.ok("image", "inspect", "--format", "{{index .Config.Labels \"alias\"}}", tag)); got != "yes" {
			t.Errorf("%s: label %q", strings.Join(verb, " "), got)
		}
	}
}

// TestListingFlags: ps and images take --noheading and --sort as
// Podman's; rmi takes --all and --ignore.
func TestListingFlags(t *testing.T) {
	e := withImage(t)
	e.ok("create", "--name", "zz", testImage, "true")
	time.Sleep(20 * time.Millisecond)
	e.ok("create", "--name", "aa", testImage, "sleep", "1")
	names := func(args ...string) string {
		return strings.Join(lines(e.ok(append([]string{"ps", "-a", "--format", "{{.Names}}"}, args...)...)), " ")
	}
	if got := names(); got != "aa zz" {
		t.Errorf("ps -a: %q, want newest first", got)
	}
	for sort, want := range map[string]string{"created": "zz aa", "names": "aa zz", "command": "aa zz", "runningfor": "zz aa"} {
		if got := names("--sort", sort); got != want {
			t.Errorf("ps --sort %s: %q, want %q", sort, got, want)
		}
	}
	if r := e.pod("ps", "--sort", "colour"); r.code != 125 || !strings.Contains(r.stderr, "--sort") {
		t.Errorf("ps --sort colour:\n%s", r)
	}
	if out := e.ok("ps", "-a", "--noheading"); len(lines(out)) != 2 || strings.Contains(out, "CONTAINER ID") {
		t.Errorf("ps -a --noheading: %q", out)
	}
	e.ok("rm", "-a")

	// A second, larger image: images sorts by size, smallest first.
	dir := filepath.Join(e.dir, "big")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+testImage+"\nRUN dd if=/dev/zero of=/big bs=1024 count=2048\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.chown(dir)
	e.ok("build", "-q", "-t", "localhost/big", dir)
	repos := func(args ...string) string {
		return strings.Join(lines(e.ok(append([]string{"images", "--format", "{{.Repository}}"}, args...)...)), " ")
	}
	if got := repos("--sort", "size"); got != "localhost/e2e/busybox localhost/big" {
		t.Errorf("images --sort size: %q", got)
	}
	if got := repos("--sort", "repository"); got != "localhost/big localhost/e2e/busybox" {
		t.Errorf("images --sort repository: %q", got)
	}
	if out := e.ok("images", "-n"); len(lines(out)) != 2 || strings.Contains(out, "REPOSITORY") {
		t.Errorf("images -n: %q", out)
	}
	if r := e.pod("images", "--sort", "colour"); r.code != 125 {
		t.Errorf("images --sort colour:\n%s", r)
	}

	if r := e.pod("rmi", "-a", "localhost/big"); r.code != 125 || !strings.Contains(r.stderr, "--all") {
		t.Errorf("rmi -a with a name:\n%s", r)
	}
	if r := e.pod("rmi", "localhost/nosuch"); r.code == 0 {
		t.Errorf("rmi of a missing image succeeded:\n%s", r)
	}
	e.ok("rmi", "-i", "localhost/nosuch")
	e.ok("rmi", "-a")
	if out := e.ok("images", "-q"); out != "" {
		t.Errorf("images after rmi -a: %q", out)
	}
}

// TestSystemReset: system reset asks first; with -f every container
// (running ones too), image, volume and user network is gone, the store
// directory with them, and the next call starts afresh.
func TestSystemReset(t *testing.T) {
	e := withImage(t)
	e.ok("volume", "create", "data")
	e.ok("network", "create", "resetnet")
	e.ok("secret", "create", "sec", e.writeFile("sec.txt", "s3cret"))
	e.ok("run", "-d", "--name", "up", "--network", "resetnet", "-v", "data:/data", "--secret", "sec", testImage, "sleep", "1000")
	e.ok("create", "--name", "idle", "-v", "/anon", testImage, "true")
	e.ok("tag", testImage, "localhost/other:1")

	if r := e.podStdin(strings.NewReader("n\n"), "system", "reset"); r.code != 0 || !strings.Contains(r.stdout, "all containers") {
		t.Fatalf("system reset answered no:\n%s", r)
	}
	e.ok("container", "exists", "up")

	e.ok("system", "reset", "-f")
	// Checked before any other call makes a new, empty store.
	if _, err := os.Stat(filepath.Join(e.root, "overlay-images")); !os.IsNotExist(err) {
		t.Errorf("the store's directory after reset: %v", err)
	}
	for _, c := range [][]string{{"ps", "-aq"}, {"images", "-q"}, {"volume", "ls", "-q"}, {"secret", "ls", "-q"}} {
		if out := e.ok(c...); out != "" {
			t.Errorf("pod %s after reset: %q", strings.Join(c, " "), out)
		}
	}
	if out := strings.TrimSpace(e.ok("network", "ls", "--format", "{{.Name}}")); out != "pod" {
		t.Errorf("networks after reset: %q, want only the default", out)
	}
	// A second reset of nothing is no error, and pod starts afresh.
	e.ok("system", "reset", "-f")
	e.importImage(testImage)
	if out := e.ok("run", "--rm", testImage, "echo", "again"); out != "again\n" {
		t.Errorf("run after reset: %q", out)
	}
	e.expectClean()
}

// TestListAndLogFlags: volume and network ls --noheading, network ls
// --no-trunc, network rm -f -t, port --all, and the logs of several
// containers with --names and --color.
func TestListAndLogFlags(t *testing.T) {
	e := withImage(t)
	e.ok("volume", "create", "v1")
	if out := e.ok("volume", "ls", "--noheading"); strings.Contains(out, "VOLUME NAME") || !strings.Contains(out, "v1") {
		t.Errorf("volume ls --noheading: %q", out)
	}
	e.ok("network", "create", "n1")
	full := strings.TrimSpace(e.ok("network", "inspect", "--format", "{{.ID}}", "n1"))
	if out := e.ok("network", "ls", "--noheading", "--no-trunc", "--filter", "name=n1"); strings.Contains(out, "NETWORK ID") || !strings.Contains(out, full) {
		t.Errorf("network ls --noheading --no-trunc: %q, want the full ID %s", out, full)
	}
	a := strings.TrimSpace(e.ok("run", "-d", "--name", "la", "--network", "n1", "-p", "127.0.0.1::80", testImage, "sh", "-c", "echo one; echo two; sleep 1000"))
	b := strings.TrimSpace(e.ok("run", "-d", "--name", "lb", testImage, "sh", "-c", "echo three; sleep 1000"))
	if out := e.ok("port", "--all"); !strings.HasPrefix(out, a[:12]+"\t80/tcp -> 127.0.0.1:") || strings.Contains(out, b[:12]) {
		t.Errorf("port --all: %q", out)
	}
	var out string
	eventually(5*time.Second, func() bool { out = e.ok("logs", "la", "lb"); return strings.Count(out, "\n") == 3 })
	if out != a[:12]+" one\n"+a[:12]+" two\n"+b[:12]+" three\n" {
		t.Errorf("logs la lb: %q", out)
	}
	if out := e.ok("logs", "--names", "lb"); out != "lb three\n" {
		t.Errorf("logs --names lb: %q", out)
	}
	if out := e.ok("logs", "--names", "--color", "la", "lb"); !strings.Contains(out, "\x1b[") || !strings.Contains(out, "lb\x1b[0m three") {
		t.Errorf("logs --names --color: %q", out)
	}
	// -t waits for the stop signal (sleep as PID 1 ignores it): about 1 s.
	start := time.Now()
	e.ok("network", "rm", "-f", "-t", "1", "n1")
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("network rm -f -t 1 took %v: it did not wait for the stop signal", d)
	}
	if r := e.pod("container", "exists", "la"); r.code != 1 {
		t.Errorf("la after network rm -f:\n%s", r)
	}
}

// TestCommitFlags: commit --format docker, --iidfile, --include-volumes
// and --squash.
func TestCommitFlags(t *testing.T) {
	e := withImage(t)
	e.ok("run", "--name", "c", "-v", "data:/data", testImage, "sh", "-c", "echo hi > /file")
	iid := filepath.Join(e.dir, "iid")
	id := strings.TrimSpace(e.ok("commit", "--format", "docker", "--iidfile", iid, "--include-volumes", "c", "localhost/committed:1"))
	if b, err := os.ReadFile(iid); err != nil || string(b) != id {
		t.Errorf("--iidfile: %q, %v; want %s", b, err, id)
	}
	if out := e.ok("image", "inspect", "--format", "{{json .Config.Volumes}}", "localhost/committed:1"); !strings.Contains(out, `"/data"`) {
		t.Errorf("--include-volumes: volumes %s", out)
	}
	dir := filepath.Join(e.dir, "pushed")
	e.ok("push", "localhost/committed:1", "dir:"+dir)
	if b, err := os.ReadFile(filepath.Join(dir, "manifest.json")); err != nil || !strings.Contains(string(b), "application/vnd.docker.distribution.manifest.v2+json") {
		t.Errorf("commit --format docker: manifest %s, %v", b, err)
	}
	base := len(lines(e.ok("history", "-q", testImage)))
	e.ok("commit", "--squash", "c", "localhost/squashed:1")
	if n := len(lines(e.ok("image", "inspect", "--format", "{{range .RootFS.Layers}}{{println .}}{{end}}", "localhost/squashed:1"))); n != 1 {
		t.Errorf("commit --squash: %d layers, want 1 (the base has %d history entries)", n, base)
	}
	if out := e.ok("run", "--rm", "localhost/squashed:1", "cat", "/file"); out != "hi\n" {
		t.Errorf("the squashed image's file: %q", out)
	}
	if out := e.ok("images", "-q", "--filter", "dangling=true"); out != "" {
		t.Errorf("commit --squash left an unnamed image: %q", out)
	}
	if r := e.pod("commit", "--format", "v1", "c"); r.code != 125 {
		t.Errorf("commit --format v1:\n%s", r)
	}
}

// TestImageAndCopyFlags: import --os/--arch/--variant, save --compress
// and --uncompressed, pull's --platform beside --arch, inspect --size,
// exec --preserve-fds, stats --interval, system df -v, cp between
// containers and --overwrite.
func TestImageAndCopyFlags(t *testing.T) {
	e := withImage(t)
	tarPath := e.writeFile("root.tar", string(tarFiles(t, []string{"f"}, map[string][]byte{"f": []byte("x")})))
	e.ok("import", "-q", "--os", "linux", "--arch", "arm64", "--variant", "v8", tarPath, "localhost/arm:1")
	if out := strings.TrimSpace(e.ok("image", "inspect", "--format", "{{.Os}}/{{.Architecture}}/{{.Variant}}", "localhost/arm:1")); out != "linux/arm64/v8" {
		t.Errorf("import --os --arch --variant: %q", out)
	}
	if r := e.pod("pull", "--platform", "linux/amd64", "--arch", "arm64", "localhost/x"); r.code != 125 || !strings.Contains(r.stderr, "--platform") {
		t.Errorf("pull --platform with --arch:\n%s", r)
	}

	// A docker-dir keeps its layers as they are, unless --compress.
	for _, c := range []struct {
		args []string
		gzip bool
	}{{nil, false}, {[]string{"--compress"}, true}} {
		dir := filepath.Join(e.dir, fmt.Sprintf("dd%v", c.gzip))
		e.ok(append(append([]string{"save", "--format", "docker-dir", "-o", dir}, c.args...), testImage)...)
		if got := dirHasGzipBlob(t, dir); got != c.gzip {
			t.Errorf("save --format docker-dir %v: a gzip layer %v, want %v", c.args, got, c.gzip)
		}
	}
	if r := e.pod("save", "--compress", "-o", filepath.Join(e.dir, "a.tar"), testImage); r.code != 125 {
		t.Errorf("save --compress of an archive:\n%s", r)
	}
	oci := filepath.Join(e.dir, "oci")
	e.ok("save", "--format", "oci-dir", "--uncompressed", "-o", oci, testImage)
	if dirHasGzipBlob(t, filepath.Join(oci, "blobs", "sha256")) {
		t.Errorf("save --format oci-dir --uncompressed wrote a gzip layer")
	}

	e.ok("run", "-d", "--name", "a", testImage, "sh", "-c", "mkdir -p /data/sub && echo from-a > /data/sub/f && echo file > /plain && sleep 1000")
	e.ok("run", "-d", "--name", "b", testImage, "sh", "-c", "mkdir -p /dst /plain && sleep 1000")
	if out := e.ok("inspect", "--size", "--format", "{{.SizeRw}} {{.SizeRootFs}}", "a"); !regexp.MustCompile(`^[0-9]+ [0-9]+\n$`).MatchString(out) {
		t.Errorf("inspect --size: %q", out)
	}
	if out := e.ok("inspect", "--format", "{{json .SizeRw}}", "a"); out != "null\n" {
		t.Errorf("inspect without --size: SizeRw %q", out)
	}
	eventually(5*time.Second, func() bool { return e.pod("exec", "a", "test", "-f", "/data/sub/f").code == 0 })
	e.ok("cp", "a:/data", "b:/dst")
	if out := e.ok("exec", "b", "cat", "/dst/data/sub/f"); out != "from-a\n" {
		t.Errorf("cp a:/data b:/dst: %q", out)
	}
	e.ok("cp", "a:/data/sub/.", "b:/dst")
	if out := e.ok("exec", "b", "cat", "/dst/f"); out != "from-a\n" {
		t.Errorf("cp a:/data/sub/. b:/dst: %q", out)
	}
	// A directory is replaced by a file only with --overwrite.
	if r := e.pod("cp", "a:/plain", "b:/"); r.code == 0 {
		t.Errorf("cp of a file over a directory succeeded without --overwrite:\n%s", r)
	}
	e.ok("cp", "--overwrite", "a:/plain", "b:/")
	if out := e.ok("exec", "b", "cat", "/plain"); out != "file\n" {
		t.Errorf("cp --overwrite: /plain is %q", out)
	}

	fdFile := e.writeFile("fd.txt", "passed\n")
	cmd := e.command(t.Context(), "exec", "--preserve-fds", "1", "a", "sh", "-c", "cat <&3")
	f, err := os.Open(fdFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd.ExtraFiles = []*os.File{f}
	if out, err := cmd.Output(); err != nil || string(out) != "passed\n" {
		t.Errorf("exec --preserve-fds 1: %q, %v", out, err)
	}
	if r := e.pod("exec", "--preserve-fds", "1", "a", "true"); r.code != 125 || !strings.Contains(r.stderr, "descriptor 3") {
		t.Errorf("exec --preserve-fds 1 with no descriptor 3:\n%s", r)
	}
	if r := e.pod("stats", "--interval", "0", "--no-stream"); r.code != 125 || !strings.Contains(r.stderr, "--interval") {
		t.Errorf("stats --interval 0:\n%s", r)
	}

	e.ok("volume", "create", "dfvol")
	out := e.ok("system", "df", "-v")
	for _, want := range []string{"Images space usage:", "SHARED SIZE", "UNIQUE SIZE", "Containers space usage:", "LOCAL VOLUMES", "Local Volumes space usage:", "dfvol"} {
		if !strings.Contains(out, want) {
			t.Errorf("system df -v has no %q:\n%s", want, out)
		}
	}
	if r := e.pod("system", "df", "-v", "--format", "{{.Type}}"); r.code != 125 {
		t.Errorf("system df -v --format:\n%s", r)
	}
}

// dirHasGzipBlob reports whether a file of dir starts with gzip's magic.
func dirHasGzipBlob(t *testing.T, dir string) bool {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range ents {
		b, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if err == nil && len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
			return true
		}
	}
	return false
}

// TestImagePruneExternal: an image that only a storage container pod did
// not create uses (another tool's: here a container whose pod record is
// taken away) stays through image prune, and goes with --external, that
// container with it.
func TestImagePruneExternal(t *testing.T) {
	e := withImage(t)
	id := strings.TrimSpace(e.ok("create", "--name", "other", testImage, "true"))
	if err := os.Remove(filepath.Join(e.root, "overlay-containers", id, "userdata", "config.json")); err != nil {
		t.Fatal(err)
	}
	if out := e.ok("ps", "-a", "--external", "--format", "{{.Status}}"); !strings.Contains(out, "Storage") {
		t.Fatalf("no storage container: %q", out)
	}
	e.ok("image", "prune", "-a", "-f")
	e.ok("image", "exists", testImage)
	e.ok("image", "prune", "-a", "-f", "--external")
	if r := e.pod("image", "exists", testImage); r.code != 1 {
		t.Errorf("%s after image prune --external:\n%s", testImage, r)
	}
	if out := e.ok("ps", "-a", "--external", "-q"); out != "" {
		t.Errorf("containers after image prune --external: %q", out)
	}
}

// TestPushAndNetworkFlags: push --compress to a dir: destination,
// --remove-signatures, the signing flags refused; network create
// --ipam-driver host-local, and the others refused.
func TestPushAndNetworkFlags(t *testing.T) {
	e := withImage(t)
	for _, c := range []struct {
		args []string
		gzip bool
	}{{nil, false}, {[]string{"--compress", "--remove-signatures"}, true}} {
		dir := filepath.Join(e.dir, fmt.Sprintf("dir%v", c.gzip))
		e.ok(append(append([]string{"push"}, c.args...), testImage, "dir:"+dir)...)
		if got := dirHasGzipBlob(t, dir); got != c.gzip {
			t.Errorf("push %v to dir: a gzip layer %v, want %v", c.args, got, c.gzip)
		}
	}
	if r := e.pod("push", "--sign-by", "me@example.com", testImage, "dir:"+filepath.Join(e.dir, "signed")); r.code != 125 || !strings.Contains(r.stderr, "sign") {
		t.Errorf("push --sign-by:\n%s", r)
	}
	e.ok("network", "create", "--ipam-driver", "host-local", "hl")
	if r := e.pod("network", "create", "--ipam-driver", "dhcp", "dh"); r.code != 125 || !strings.Contains(r.stderr, "host-local") {
		t.Errorf("network create --ipam-driver dhcp:\n%s", r)
	}

	// connect --mac-address: the interface on that network has it.
	e.ok("run", "-d", "--name", "m", testImage, "sleep", "1000")
	e.ok("network", "connect", "--mac-address", "02:42:0a:0b:0c:0d", "hl", "m")
	if out := e.ok("exec", "m", "cat", "/sys/class/net/eth1/address"); out != "02:42:0a:0b:0c:0d\n" {
		t.Errorf("network connect --mac-address: eth1 has %q", out)
	}
	if r := e.pod("network", "connect", "--mac-address", "nope", "hl", "m"); r.code != 125 {
		t.Errorf("network connect --mac-address nope:\n%s", r)
	}
	e.ok("rm", "-f", "m")

	// prune --filter: by label, and only what is older than until.
	e.ok("network", "create", "--label", "keep=yes", "kept")
	e.ok("network", "create", "--label", "keep=no", "gone")
	if out := e.ok("network", "prune", "-f", "--filter", "label!=keep=yes", "--filter", "until=1h"); out != "" {
		t.Errorf("network prune --filter until=1h pruned networks made just now: %q", out)
	}
	if out := e.ok("network", "prune", "-f", "--filter", "label=keep=no"); out != "gone\n" {
		t.Errorf("network prune --filter label=keep=no: %q", out)
	}
	if out := e.ok("network", "prune", "-f", "--filter", "label!=keep=yes"); out != "hl\n" {
		t.Errorf("network prune --filter label!=keep=yes: %q", out)
	}
	if r := e.pod("network", "prune", "-f", "--filter", "name=kept"); r.code != 125 {
		t.Errorf("network prune --filter name=kept:\n%s", r)
	}
}

// TestVersionImagesPsFlags: version's {{.Client.*}} and {{.Server.*}},
// images --history, ps --ns, --pod, --sync and --watch.
func TestVersionImagesPsFlags(t *testing.T) {
	e := withImage(t)
	if out := e.ok("version", "--format", "{{.Client.Version}} {{.Server.Version}} {{.Client.Os}}"); !regexp.MustCompile(`^\S+ \S+ linux\n$`).MatchString(out) {
		t.Errorf("version --format {{.Client.Version}}...: %q", out)
	}
	var v map[string]map[string]any
	if err := json.Unmarshal([]byte(e.ok("version", "--format", "json")), &v); err != nil || v["Client"]["Version"] == nil || v["Server"]["Version"] == nil {
		t.Errorf("version --format json: %v, %v", v, err)
	}

	e.ok("tag", testImage, "localhost/old:1")
	e.ok("untag", testImage, "localhost/old:1")
	if out := e.ok("images", "--history", "--format", "{{.History}}", testImage); !strings.Contains(out, "localhost/old:1") {
		t.Errorf("images --history: %q, want the name it had", out)
	}

	e.ok("run", "-d", "--name", "n", testImage, "sleep", "1000")
	pid := strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", "n"))
	row := strings.Fields(lines(e.ok("ps", "--ns"))[1])
	netns, err := os.Readlink("/proc/" + pid + "/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	if len(row) != 10 || row[1] != "n" || row[2] != pid || "net:["+row[6]+"]" != netns {
		t.Errorf("ps --ns: %q; the container's net namespace is %s", row, netns)
	}
	if hdr := lines(e.ok("ps", "--pod", "--sync"))[0]; !strings.HasSuffix(strings.TrimSpace(hdr), "POD ID   PODNAME") {
		t.Errorf("ps --pod header: %q", hdr)
	}
	cmd := e.command(t.Context(), "ps", "--watch", "1", "--format", "{{.Names}}")
	var buf strings.Builder
	cmd.Stdout = &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	if n := strings.Count(buf.String(), "n\n"); n < 2 {
		t.Errorf("ps --watch 1 for 2.5 s listed %d times: %q", n, buf.String())
	}
}

// TestSearch: a registry's repositories (its _catalog), by term, all of
// them, through registries.conf's search registries, with --limit,
// --format and --compatible; a repository's tags with --list-tags.
func TestSearch(t *testing.T) {
	r := startRegistry(t, registryOpts{})
	e := withImage(t)
	for _, ref := range []string{"e2e/alpha:1", "e2e/alpha:2", "e2e/beta:1", "other/gamma:1"} {
		e.ok("push", testImage, r.ref(ref))
	}
	names := func(args ...string) string {
		return strings.Join(lines(e.ok(append([]string{"search", "--format", "{{.Name}}"}, args...)...)), " ")
	}
	if got := names(r.addr + "/e2e"); got != r.ref("e2e/alpha")+" "+r.ref("e2e/beta") {
		t.Errorf("search %s/e2e: %q", r.addr, got)
	}
	if got := names(r.addr + "/"); got != r.ref("e2e/alpha")+" "+r.ref("e2e/beta")+" "+r.ref("other/gamma") {
		t.Errorf("search %s/: %q", r.addr, got)
	}
	if got := names("--limit", "1", r.addr+"/"); got != r.ref("e2e/alpha") {
		t.Errorf("search --limit 1: %q", got)
	}
	e.userConfig("registries.conf", "unqualified-search-registries = [\""+r.addr+"\"]\n")
	if got := names("gamma"); got != r.ref("other/gamma") {
		t.Errorf("search gamma through registries.conf: %q", got)
	}
	if hdr := lines(e.ok("search", "--compatible", r.addr+"/beta"))[0]; !strings.Contains(hdr, "STARS") || !strings.Contains(hdr, "AUTOMATED") {
		t.Errorf("search --compatible header: %q", hdr)
	}
	if got := e.ok("search", "--list-tags", "--format", "{{.Name}}:{{.Tag}}", r.ref("e2e/alpha")); !sameLines(got, r.ref("e2e/alpha:1")+"\n"+r.ref("e2e/alpha:2")+"\n") {
		t.Errorf("search --list-tags: %q", got)
	}
	if r := e.pod("search", "--list-tags", "alpha"); r.code != 125 || !strings.Contains(r.stderr, "HOST/NAME") {
		t.Errorf("search --list-tags without a registry:\n%s", r)
	}
	if r := e.pod("search", "--filter", "colour=red", "x"); r.code != 125 {
		t.Errorf("search --filter colour=red:\n%s", r)
	}
}

// TestGlobalFlagsPodman: --noout, --runtime-flag (reaching the runtime),
// --storage-opt (reaching the driver) and --cgroup-manager.
func TestGlobalFlagsPodman(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("--noout", "run", "--rm", testImage, "echo", "hi"), 0, "")
	expect(t, e.pod("--noout", "images"), 0, "")
	if r := e.pod("--noout", "rmi", "nosuch"); r.code != 125 || !strings.Contains(r.stderr, "nosuch") {
		t.Fatalf("--noout keeps errors on stderr:\n%s", r)
	}
	expect(t, e.pod("--runtime-flag", "debug", "run", "--rm", testImage, "echo", "hi"), 0, "hi\n")
	if r := e.pod("--runtime-flag", "no-such-flag", "run", "--rm", testImage, "echo", "hi"); r.code == 0 || !strings.Contains(r.stderr, "no-such-flag") {
		t.Fatalf("a flag the runtime does not know reaches it:\n%s", r)
	}
	expect(t, e.pod("--storage-opt", "overlay.mountopt=nodev", "images", "-q", "--no-trunc"), 0, e.ok("images", "-q", "--no-trunc"))
	expectError(t, e.pod("--storage-opt", "overlay.no_such_option=1", "images"), 125, `unknown option "no_such_option"`)
	expect(t, e.pod("--cgroup-manager", "cgroupfs", "ps", "-q"), 0, "")
	expectError(t, e.pod("--cgroup-manager", "systemd", "ps"), 125, "use --cgroup-manager cgroupfs")
}

// TestUnshareRootlessNetns: pod unshare --rootless-netns runs in the
// namespace of user-defined networks (made if missing), where their
// bridges are.
func TestUnshareRootlessNetns(t *testing.T) {
	e := withImage(t)
	e.ok("network", "create", "--subnet", "10.97.3.0/24", "un")
	e.ok("run", "--rm", "--network", "un", testImage, "true")
	out := e.ok("unshare", "--rootless-netns", "ip", "-4", "-o", "addr", "show")
	if !strings.Contains(out, "10.97.3.1/24") {
		t.Fatalf("the rootless network namespace has no bridge of network un:\n%s", out)
	}
	if out := e.ok("unshare", "ip", "-4", "-o", "addr", "show"); strings.Contains(out, "10.97.3.1/24") {
		t.Fatalf("without --rootless-netns, unshare is in the rootless namespace:\n%s", out)
	}
	expectError(t, e.pod("system", "migrate", "--new-runtime", "crun"), 125, "--runtime crun")
}

// TestCompletionNames: the shell completion (pod __complete, what the
// generated scripts call) offers the names of containers, images,
// volumes, networks and secrets, and the values of flags.
func TestCompletionNames(t *testing.T) {
	e := withImage(t)
	e.ok("create", "--name", "alpha", testImage, "true")
	e.ok("create", "--name", "beta", testImage, "true")
	e.ok("volume", "create", "vol1")
	e.ok("network", "create", "net1")
	e.ok("secret", "create", "sec1", e.writeFile("s", "x"))
	complete := func(args ...string) []string {
		var out []string
		for _, l := range lines(e.ok(append([]string{"__complete"}, args...)...)) {
			if !strings.HasPrefix(l, ":") {
				out = append(out, l)
			}
		}
		return out
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rm", ""}, "alpha beta"},
		{[]string{"container", "stop", "b"}, "beta"},
		{[]string{"rmi", "localhost/e2e/b"}, testImage},
		{[]string{"run", "localhost/e2e/b"}, testImage},
		{[]string{"volume", "rm", "v"}, "vol1"},
		{[]string{"network", "connect", "net"}, "net1"},
		{[]string{"network", "connect", "net1", "al"}, "alpha"},
		{[]string{"secret", "inspect", ""}, "sec1"},
		{[]string{"run", "--secret", "s"}, "sec1"},
		{[]string{"run", "--network", "net"}, "net1"},
		{[]string{"run", "--restart", "un"}, "unless-stopped"},
		{[]string{"--log-level", "w"}, "warn"},
	} {
		if got := strings.Join(complete(c.args...), " "); got != c.want {
			t.Errorf("pod __complete %q: %q, want %q", c.args, got, c.want)
		}
	}
}

// TestStoppingStatus: while pod stop waits for a container that ignores
// its stop signal, ps and inspect say "stopping", as Podman does; the
// status goes once the container ends, and a start clears it.
func TestStoppingStatus(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "--name", "slow", testImage, "sh", "-c", "trap '' TERM; while :; do sleep 0.1; done")
	stop := e.startPiped("stop", "-t", "3", "slow")
	if !eventually(5*time.Second, func() bool { return e.inspectField("slow", "{{.State.Status}}") == "stopping" }) {
		t.Fatalf("inspect during pod stop: %q", e.inspectField("slow", "{{.State.Status}}"))
	}
	expect(t, e.pod("ps", "--format", "{{.Names}} {{.Status}}", "--filter", "status=stopping"), 0, "slow Stopping\n")
	if code := stop.wait(30 * time.Second); code != 0 {
		t.Fatalf("pod stop exited %d", code)
	}
	if got := e.inspectField("slow", "{{.State.Status}}"); got != "exited" {
		t.Fatalf("after pod stop: %q", got)
	}
	e.ok("start", "slow")
	if got := e.inspectField("slow", "{{.State.Status}}"); got != "running" {
		t.Fatalf("after start: %q", got)
	}
	e.ok("rm", "-f", "-t", "0", "slow")
}
