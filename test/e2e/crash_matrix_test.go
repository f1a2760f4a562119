package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// killPoints are when the crash matrix kills pod, after it started: from
// its first steps (the namespace, the store) to well into the work.
var (
	killPoints = []time.Duration{20 * time.Millisecond, 80 * time.Millisecond, 250 * time.Millisecond, 700 * time.Millisecond}
	quick      = []time.Duration{10 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond, 150 * time.Millisecond}
	// instant is for calls that end within tens of milliseconds.
	instant = []time.Duration{2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond}
)

// crashOp is one operation of the crash matrix.
type crashOp struct {
	name string
	// at are its kill points (killPoints when nil): a quick operation is
	// killed sooner.
	at []time.Duration
	// prepare runs once before the kills; args is the command of kill i.
	prepare func(e *env)
	args    func(e *env, i int) []string
}

// TestCrashMatrix kills pod at fixed points of every mutating operation
// and checks that the next calls see a store they can list, and that
// after removing everything, no process, temporary file, mount or
// inconsistency (pod system check) is left. The log is the matrix:
// operation × kill point → what the next call saw.
func TestCrashMatrix(t *testing.T) {
	reg := startRegistry(t, registryOpts{})
	pusher := newEnv(t)
	bigTar := pusher.writeFile("big.tar", string(tarFiles(t, []string{"big"}, map[string][]byte{"big": randomBytes(7, 32<<20)})))
	pusher.ok("import", bigTar, "localhost/e2e/big:1")
	pusher.ok("push", "localhost/e2e/big:1", reg.ref("e2e/big:1"))

	ops := []crashOp{
		{name: "pull", args: func(e *env, i int) []string { return []string{"pull", reg.ref("e2e/big:1")} }},
		{name: "build RUN", args: func(e *env, i int) []string {
			return []string{"build", "--no-cache", e.ctxTree(fmt.Sprintf("ctx-run%d", i), map[string]string{"Dockerfile": "FROM " + testImage + "\nRUN sleep 3\n"})}
		}},
		{name: "build COPY", prepare: func(e *env) {
			e.ctxTree("ctx-copy", map[string]string{"Dockerfile": "FROM " + testImage + "\nCOPY big /big\n", "big": string(randomBytes(8, 96<<20))})
		}, args: func(e *env, i int) []string { return []string{"build", "--no-cache", filepath.Join(e.dir, "ctx-copy")} }},
		{name: "commit", prepare: func(e *env) {
			e.ok("run", "--name", "big", testImage, "dd", "if=/dev/zero", "of=/f", "bs=1M", "count=96")
		}, args: func(e *env, i int) []string {
			return []string{"commit", "big", fmt.Sprintf("localhost/e2e/committed:%d", i)}
		}},
		{name: "run -d", args: func(e *env, i int) []string {
			return []string{"run", "-d", "--name", fmt.Sprintf("r%d", i), "-v", fmt.Sprintf("v%d:/data", i), testImage, "sleep", "1000"}
		}},
		// --replace removes the container of that name first; the
		// cidfile is made whole or not at all.
		{name: "run --replace", prepare: func(e *env) {
			e.ok("run", "-d", "--name", "rep", testImage, "sleep", "1000")
		}, args: func(e *env, i int) []string {
			return []string{"run", "-d", "--replace", "--name", "rep", "--cidfile", filepath.Join(e.dir, fmt.Sprintf("cid%d", i)), testImage, "sleep", "1000"}
		}},
		{name: "network create", at: quick, args: func(e *env, i int) []string {
			return []string{"network", "create", fmt.Sprintf("net%d", i)}
		}},
		// Containers on the default network, connected to another one
		// and back; a network removed with its containers.
		{name: "net connect", at: quick, prepare: func(e *env) {
			e.ok("network", "create", "cn")
			for i := range quick {
				e.ok("run", "-d", "--name", fmt.Sprintf("c%d", i), testImage, "sleep", "1000")
			}
		}, args: func(e *env, i int) []string { return []string{"network", "connect", "cn", fmt.Sprintf("c%d", i)} }},
		{name: "net disconnect", at: quick, prepare: func(e *env) {
			e.ok("network", "create", "dn")
			for i := range quick {
				e.ok("run", "-d", "--name", fmt.Sprintf("d%d", i), "--network", "bridge", "--network", "dn", testImage, "sleep", "1000")
			}
		}, args: func(e *env, i int) []string { return []string{"network", "disconnect", "dn", fmt.Sprintf("d%d", i)} }},
		{name: "network rm -f", at: quick, prepare: func(e *env) {
			for i := range quick {
				e.ok("network", "create", fmt.Sprintf("rn%d", i))
				e.ok("run", "-d", "--name", fmt.Sprintf("n%d", i), "--network", fmt.Sprintf("rn%d", i), testImage, "sleep", "1000")
			}
		}, args: func(e *env, i int) []string { return []string{"network", "rm", "-f", fmt.Sprintf("rn%d", i)} }},
		{name: "rm -f", at: quick, prepare: func(e *env) {
			for i := range killPoints {
				e.ok("run", "-d", "--name", fmt.Sprintf("victim%d", i), "-v", "/anon", testImage, "sleep", "1000")
			}
		}, args: func(e *env, i int) []string { return []string{"rm", "-f", "-v", fmt.Sprintf("victim%d", i)} }},
		// Several targets are worked on at once.
		{name: "stop several", at: quick, prepare: func(e *env) {
			for i := range quick {
				for _, x := range []string{"a", "b", "c"} {
					e.ok("run", "-d", "--name", fmt.Sprintf("st%d%s", i, x), testImage, "sleep", "1000")
				}
			}
		}, args: func(e *env, i int) []string {
			return []string{"stop", "-t", "1", fmt.Sprintf("st%da", i), fmt.Sprintf("st%db", i), fmt.Sprintf("st%dc", i)}
		}},
		{name: "rm -f several", at: quick, prepare: func(e *env) {
			for i := range quick {
				for _, x := range []string{"a", "b", "c"} {
					e.ok("run", "-d", "--name", fmt.Sprintf("rf%d%s", i, x), "-v", "/anon", testImage, "sleep", "1000")
				}
			}
		}, args: func(e *env, i int) []string {
			return []string{"rm", "-f", "-v", fmt.Sprintf("rf%da", i), fmt.Sprintf("rf%db", i), fmt.Sprintf("rf%dc", i)}
		}},
		{name: "volume import", at: quick, prepare: func(e *env) {
			e.writeFile("vol.tar", string(tarFiles(t, []string{"f"}, map[string][]byte{"f": randomBytes(9, 64<<20)})))
		}, args: func(e *env, i int) []string {
			return []string{"volume", "import", fmt.Sprintf("vol%d", i), filepath.Join(e.dir, "vol.tar")}
		}},
		{name: "save", at: quick, prepare: func(e *env) { e.ok("import", bigTar, "localhost/e2e/big:1") },
			args: func(e *env, i int) []string {
				return []string{"save", "-o", filepath.Join(e.dir, fmt.Sprintf("saved%d.tar", i)), "localhost/e2e/big:1"}
			}},
		{name: "load", at: quick, prepare: func(e *env) {
			e.ok("import", bigTar, "localhost/e2e/big:1")
			e.ok("save", "-o", filepath.Join(e.dir, "archive.tar"), "localhost/e2e/big:1")
			e.ok("rmi", "localhost/e2e/big:1")
		}, args: func(e *env, i int) []string { return []string{"load", "-i", filepath.Join(e.dir, "archive.tar")} }},
		{name: "commit --squash", prepare: func(e *env) {
			e.ok("run", "--name", "sq", testImage, "dd", "if=/dev/zero", "of=/f", "bs=1M", "count=96")
		}, args: func(e *env, i int) []string {
			return []string{"commit", "--squash", "sq", fmt.Sprintf("localhost/e2e/squashed:%d", i)}
		}},
		{name: "cp between", prepare: func(e *env) {
			e.ok("run", "--name", "cpa", testImage, "dd", "if=/dev/zero", "of=/f", "bs=1M", "count=96")
			e.ok("create", "--name", "cpb", testImage, "true")
		}, args: func(e *env, i int) []string {
			return []string{"cp", "cpa:/f", fmt.Sprintf("cpb:/f%d", i)}
		}},
		{name: "secret create", at: quick, prepare: func(e *env) { e.writeFile("secret.txt", "s3cret") },
			args: func(e *env, i int) []string {
				return []string{"secret", "create", fmt.Sprintf("sec%d", i), filepath.Join(e.dir, "secret.txt")}
			}},
		{name: "secret rm", at: quick, prepare: func(e *env) {
			f := e.writeFile("secret.txt", "s3cret")
			for i := range quick {
				e.ok("secret", "create", fmt.Sprintf("sec%d", i), f)
			}
		}, args: func(e *env, i int) []string { return []string{"secret", "rm", fmt.Sprintf("sec%d", i)} }},
		// Inside pod unshare, which execs the inner pod: the kill is its.
		{name: "mount", at: instant, prepare: func(e *env) {
			for i := range instant {
				e.ok("create", "--name", fmt.Sprintf("m%d", i), testImage, "true")
			}
		}, args: func(e *env, i int) []string {
			return append([]string{"unshare", "--"}, strings.Fields(e.inner("mount", fmt.Sprintf("m%d", i)))...)
		}},
		{name: "umount", at: instant, prepare: func(e *env) {
			for i := range instant {
				e.ok("create", "--name", fmt.Sprintf("u%d", i), testImage, "true")
				e.ok("unshare", "sh", "-c", e.inner("mount", fmt.Sprintf("u%d", i)))
			}
		}, args: func(e *env, i int) []string {
			return append([]string{"unshare", "--"}, strings.Fields(e.inner("umount", fmt.Sprintf("u%d", i)))...)
		}},
		{name: "volume mount", at: instant, prepare: func(e *env) {
			for i := range instant {
				e.ok("volume", "create", "--opt", "type=tmpfs", "--opt", "o=size=1m", fmt.Sprintf("tv%d", i))
			}
		}, args: func(e *env, i int) []string {
			return append([]string{"unshare", "--"}, strings.Fields(e.inner("volume", "mount", fmt.Sprintf("tv%d", i)))...)
		}},
		{name: "volume unmount", at: instant, prepare: func(e *env) {
			for i := range instant {
				e.ok("volume", "create", "--opt", "type=tmpfs", "--opt", "o=size=1m", fmt.Sprintf("tu%d", i))
				e.ok("unshare", "sh", "-c", e.inner("volume", "mount", fmt.Sprintf("tu%d", i)))
			}
		}, args: func(e *env, i int) []string {
			return append([]string{"unshare", "--"}, strings.Fields(e.inner("volume", "unmount", fmt.Sprintf("tu%d", i)))...)
		}},
		{name: "pods create", at: quick, args: func(e *env, i int) []string {
			return []string{"pods", "create", "--name", fmt.Sprintf("pc%d", i), "-p", fmt.Sprintf("127.0.0.1::%d", 80+i)}
		}},
		{name: "run --pod new", at: quick, args: func(e *env, i int) []string {
			return []string{"run", "-d", "--pod", fmt.Sprintf("new:pn%d", i), "--name", fmt.Sprintf("pr%d", i), testImage, "sleep", "1000"}
		}},
		{name: "pods start", at: quick, prepare: func(e *env) {
			for i := range quick {
				e.ok("pods", "create", "--name", fmt.Sprintf("ps%d", i))
				e.ok("create", "--pod", fmt.Sprintf("ps%d", i), "--init-ctr", "once", testImage, "true")
				e.ok("create", "--pod", fmt.Sprintf("ps%d", i), testImage, "sleep", "1000")
			}
		}, args: func(e *env, i int) []string { return []string{"pods", "start", fmt.Sprintf("ps%d", i)} }},
		{name: "pods rm -f", at: quick, prepare: func(e *env) {
			for i := range quick {
				e.ok("pods", "create", "--name", fmt.Sprintf("pd%d", i))
				for range 2 {
					e.ok("run", "-d", "--pod", fmt.Sprintf("pd%d", i), "-v", "/anon", testImage, "sleep", "1000")
				}
			}
		}, args: func(e *env, i int) []string { return []string{"pods", "rm", "-f", fmt.Sprintf("pd%d", i)} }},
		// Each kill finds three stopped containers to prune.
		{name: "container prune", at: quick, args: func(e *env, i int) []string {
			for _, x := range []string{"a", "b", "c"} {
				e.ok("create", "--name", fmt.Sprintf("pr%d%s", i, x), "-v", "/anon", testImage, "true")
			}
			return []string{"container", "prune", "-f"}
		}},
		// Each kill finds something to reset: a running container with a
		// named volume, on a network of its own, and an idle one.
		{name: "system reset", at: quick, args: func(e *env, i int) []string {
			if e.pod("image", "exists", testImage).code != 0 {
				e.importImage(testImage)
			}
			e.ok("network", "create", fmt.Sprintf("rsnet%d", i))
			e.ok("run", "-d", "--name", fmt.Sprintf("rs%d", i), "--network", fmt.Sprintf("rsnet%d", i), "-v", fmt.Sprintf("rsv%d:/d", i), testImage, "sleep", "1000")
			e.ok("create", "--name", fmt.Sprintf("ri%d", i), "-v", "/anon", testImage, "true")
			e.ok("secret", "create", fmt.Sprintf("rss%d", i), e.writeFile("secret.txt", "s3cret"))
			return []string{"system", "reset", "-f"}
		}},
	}
	for _, op := range ops {
		t.Run(strings.ReplaceAll(op.name, " ", "_"), func(t *testing.T) {
			e := withImage(t)
			pause := e.livePausePID()
			if op.prepare != nil {
				op.prepare(e)
			}
			at := op.at
			if at == nil {
				at = killPoints
			}
			for i, after := range at {
				s := e.startPiped(op.args(e, i)...)
				time.Sleep(after)
				_ = s.cmd.Process.Signal(syscall.SIGKILL)
				code := s.wait(30 * time.Second)
				saw := e.nextCallSees()
				outcome := "killed"
				if code != 128+int(syscall.SIGKILL) {
					outcome = fmt.Sprintf("had ended (%d)", code)
				}
				t.Logf("crash matrix: %-13s kill at %4d ms (%s) → %s", op.name, after.Milliseconds(), outcome, saw)
			}
			if op.name == "system reset" {
				// A killed reset is finished by the next one (a container
				// it was removing can be left half removed, which only
				// reset and rm -f ID take, not rm --all).
				e.ok("system", "reset", "-f")
			}
			e.ok("pods", "rm", "-a", "-f")
			e.ok("rm", "-a", "-f")
			e.ok("system", "prune", "-a", "-f", "--volumes")
			e.ok("secret", "rm", "--all")
			for _, n := range lines(e.ok("network", "ls", "-q", "--filter", "name=rsnet")) {
				e.ok("network", "rm", n)
			}
			e.expectNothingLeft(pause)
		})
	}
}

// nextCallSees runs what a user runs after a crash and says what it saw;
// any of them failing fails the test.
func (e *env) nextCallSees() string {
	e.t.Helper()
	ps := lines(e.ok("ps", "-a", "--external", "--format", "{{.Status}}"))
	states := map[string]int{}
	for _, st := range ps {
		states[strings.SplitN(st, " ", 2)[0]]++
	}
	var parts []string
	for st, n := range states {
		parts = append(parts, fmt.Sprintf("%d %s", n, st))
	}
	sort.Strings(parts)
	images := lines(e.ok("images", "-a", "-q"))
	vols := lines(e.ok("volume", "ls", "-q"))
	nets := lines(e.ok("network", "ls", "-q"))
	secrets := lines(e.ok("secret", "ls", "-q"))
	pods := lines(e.ok("pods", "ps", "-q"))
	check := "check clean"
	if r := e.pod("system", "check", "--format", "{{.Kind}}"); r.code != 0 {
		check = "check: " + strings.Join(lines(r.stdout), ",")
	}
	return fmt.Sprintf("ps -a: [%s]; images: %d; volumes: %d; networks: %d; secrets: %d; pods: %d; %s", strings.Join(parts, ", "), len(images), len(vols), len(nets), len(secrets), len(pods), check)
}

// expectNothingLeft fails unless only the pause process runs, no
// temporary file or mount remains and pod system check finds nothing.
func (e *env) expectNothingLeft(pause int) {
	e.t.Helper()
	e.expectClean()
	if e.livePausePID() != pause {
		e.t.Fatalf("the pause process changed: a crash made a new user namespace")
	}
	for _, dir := range []string{filepath.Join(e.root, "tmp"), filepath.Join(filepath.Dir(e.root), "volumes", ".tmp")} {
		if ents, _ := os.ReadDir(dir); len(ents) > 0 {
			var names []string
			for _, x := range ents {
				names = append(names, x.Name())
			}
			e.t.Fatalf("temporary files left in %s: %v", dir, names)
		}
	}
	// The secrets directory holds its lock alone once every secret is
	// removed: no partial or temporary file.
	if ents, _ := os.ReadDir(filepath.Join(filepath.Dir(e.root), "secrets")); len(ents) > 1 || (len(ents) == 1 && ents[0].Name() != ".lock") {
		e.t.Fatalf("files left in the secrets directory: %v", ents)
	}
	// The pods directory holds its lock and the infra's empty root.
	if ents, _ := os.ReadDir(filepath.Join(filepath.Dir(e.root), "pods")); len(ents) > 2 {
		e.t.Fatalf("files left in the pods directory: %v", ents)
	}
	expect(e.t, e.pod("system", "check"), 0, "No problems found\n")
	expect(e.t, e.pod("ps", "-a", "--external", "-q"), 0, "")
}

// TestCrashUpdateRootful is the crash matrix's row for pod update, which
// only a container with a cgroup of its own takes (rootful here): killed
// at each point, the container still runs, inspect reads its record, and
// pod system check finds nothing; a last update sets what it says.
func TestCrashUpdateRootful(t *testing.T) {
	e := rootEnv(t, "pod update needs a cgroup of the container's own")
	e.importImage(testImage)
	e.ok("run", "-d", "--name", "upd", "--memory", "64m", testImage, "sleep", "1000")
	for i, after := range instant {
		s := e.startPiped("update", "--memory", fmt.Sprintf("%dm", 70+i), "--cpu-shares", fmt.Sprint(500+i), "upd")
		time.Sleep(after)
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		code := s.wait(30 * time.Second)
		got := e.ok("inspect", "--format", "{{.State.Status}} {{.HostConfig.Memory}}", "upd")
		check := e.pod("system", "check")
		t.Logf("crash matrix: update kill at %4d ms (exit %d) → %s; check exit %d", after.Milliseconds(), code, strings.TrimSpace(got), check.code)
		if !strings.HasPrefix(got, "running ") || check.code != 0 {
			t.Fatalf("after a killed update: %q; system check:\n%s", got, check)
		}
	}
	e.ok("update", "--memory", "96m", "upd")
	expect(t, e.pod("inspect", "--format", "{{.HostConfig.Memory}}", "upd"), 0, "100663296\n")
	e.ok("rm", "-f", "-t", "0", "upd")
}
