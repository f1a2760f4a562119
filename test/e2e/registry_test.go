package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	hexID     = regexp.MustCompile(`^[0-9a-f]{64}$`)
	digestRE  = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	ctrlChars = regexp.MustCompile(`[\x00-\x08\x0b-\x1f\x7f]`)
)

// pushed imports the busybox image, tags it into r as name and pushes it
// (with --tls-verify=false when r has TLS and no extra flags are given);
// it returns the image ID (64 hex).
func (e *env) pushed(r *registry, name string, flags ...string) string {
	e.t.Helper()
	id := strings.TrimPrefix(e.importImage(testImage), "sha256:")
	e.ok("tag", testImage, r.ref(name))
	args := append([]string{"push"}, flags...)
	e.ok(append(args, r.ref(name))...)
	return id
}

func inspectField(e *env, ref, tmpl string) string {
	e.t.Helper()
	return strings.TrimPrefix(strings.TrimSpace(e.ok("image", "inspect", "--format", tmpl, ref)), "sha256:")
}

// Push, remove, pull, run: the same image comes back, also by digest, and
// a third-party client reads what pod pushed.
func TestRegistryPushPullRun(t *testing.T) {
	r := startRegistry(t, registryOpts{})
	e := newEnv(t)
	ref := r.ref("e2e/busybox:1")
	id := strings.TrimPrefix(e.importImage(testImage), "sha256:")
	e.ok("tag", testImage, ref)
	digestFile := filepath.Join(e.dir, "digest")
	res := e.pod("push", "--digestfile", digestFile, ref)
	if res.code != 0 || res.stdout != "" {
		t.Fatalf("push: want exit 0 and no stdout:\n%s", res)
	}
	if !strings.Contains(res.stderr, "Copying blob ") || ctrlChars.MatchString(res.stderr) {
		t.Fatalf("push progress off a terminal: want plain \"Copying blob\" lines, no control characters:\n%s", res)
	}
	b, err := os.ReadFile(digestFile)
	if err != nil || !digestRE.Match(b) {
		t.Fatalf("--digestfile: %q, %v", b, err)
	}
	digest := string(b)

	// A third-party client sees the same manifest.
	var info struct{ Digest string }
	if err := json.Unmarshal([]byte(skopeo(t, "inspect", "--tls-verify=false", "docker://"+ref)), &info); err != nil || info.Digest != digest {
		t.Fatalf("skopeo inspect: digest %q (%v), pod pushed %s", info.Digest, err, digest)
	}
	skopeo(t, "copy", "--src-tls-verify=false", "docker://"+ref, "oci:"+filepath.Join(r.dir, "copy")+":1")

	e.ok("rmi", ref, testImage)
	res = e.pod("pull", ref)
	if res.code != 0 || strings.TrimSpace(res.stdout) != id {
		t.Fatalf("pull: want the pushed image ID %s on stdout:\n%s", id, res)
	}
	if !strings.Contains(res.stderr, "Trying to pull "+ref) {
		t.Fatalf("pull: want \"Trying to pull\" on stderr:\n%s", res)
	}
	expect(t, e.pod("run", "--rm", ref, "echo", "hello"), 0, "hello\n")
	if got := inspectField(e, ref, "{{json .RepoDigests}}"); !strings.Contains(got, r.ref("e2e/busybox@"+digest)) {
		t.Fatalf("RepoDigests %s lack %s", got, digest)
	}
	if got := inspectField(e, ref, "{{.Digest}}"); "sha256:"+got != digest {
		t.Fatalf("image inspect's Digest is %s, want the pulled manifest's %s", got, digest)
	}
	if out := e.ok("images", "--digests", "--format", "{{.Digest}}", ref); strings.TrimSpace(out) != digest {
		t.Fatalf("images --digests: %q, want %s", out, digest)
	}

	// By digest, quietly: only the ID.
	e.ok("rmi", ref)
	expect(t, e.pod("pull", "-q", r.ref("e2e/busybox@"+digest)), 0, id+"\n")
	expect(t, e.pod("image", "exists", r.ref("e2e/busybox@"+digest)), 0, "")
	expect(t, e.pod("image", "exists", r.ref("e2e/nothere:1")), 1, "")

	// --all-tags pulls every tag.
	e.ok("tag", id, r.ref("e2e/busybox:2"))
	e.ok("push", "-q", r.ref("e2e/busybox:2"))
	e.ok("rmi", "-f", id)
	res = e.pod("pull", "-q", "--all-tags", r.ref("e2e/busybox"))
	if res.code != 0 || strings.TrimSpace(res.stdout) != id {
		t.Fatalf("pull --all-tags:\n%s", res)
	}
	for _, tag := range []string{"1", "2"} {
		expect(t, e.pod("image", "exists", r.ref("e2e/busybox:"+tag)), 0, "")
	}
}

// run pulls what is missing as --pull says.
func TestRegistryRunPullPolicy(t *testing.T) {
	r := startRegistry(t, registryOpts{})
	e := newEnv(t)
	ref := r.ref("e2e/run:1")
	id := e.pushed(r, "e2e/run:1")
	e.ok("rmi", ref, testImage)

	expectError(t, e.pod("run", "--rm", "--pull=never", ref, "true"), 125, "no such image", ref)
	expectError(t, e.pod("run", "--rm", "--pull=sometimes", ref, "true"), 125, "pull policy")
	res := e.pod("run", "--rm", ref, "echo", "pulled")
	if res.code != 0 || res.stdout != "pulled\n" || !strings.Contains(res.stderr, "Trying to pull") {
		t.Fatalf("run of a missing image: want a pull and the command's output:\n%s", res)
	}
	// Present: missing and newer (same digest) do not pull; always does.
	for _, p := range []string{"missing", "newer"} {
		res = e.pod("run", "--rm", "--pull="+p, ref, "true")
		if res.code != 0 || strings.Contains(res.stderr, "Trying to pull") {
			t.Fatalf("--pull=%s of a present, current image must not pull:\n%s", p, res)
		}
	}
	res = e.pod("run", "--rm", "--pull=always", ref, "true")
	if res.code != 0 || !strings.Contains(res.stderr, "Trying to pull") {
		t.Fatalf("--pull=always must pull:\n%s", res)
	}
	if got := inspectField(e, ref, "{{.Id}}"); got != id {
		t.Fatalf("image ID after pulls %s, want %s", got, id)
	}
}

// TLS with a test CA and htpasswd auth: login, logout, auth file, errors.
func TestRegistryTLSAuth(t *testing.T) {
	r := startRegistry(t, registryOpts{tls: true, auth: true})
	e := newEnv(t)
	ref := r.ref("e2e/secure:1")
	e.importImage(testImage)
	e.ok("tag", testImage, ref)
	authFile := filepath.Join(e.xdg, "containers", "auth.json")
	certs := "--cert-dir=" + r.certDir

	// Without the CA, TLS verification fails and says what to do.
	expectError(t, e.pod("push", "--retry=0", ref), 125, ref, "certificate", "--cert-dir")
	// Without credentials the registry refuses, and pod says to log in.
	expectError(t, e.pod("push", "--retry=0", certs, ref), 125, "pod login "+r.addr)

	// A wrong password fails clearly and saves nothing.
	expectError(t, e.podStdin(strings.NewReader("wrong\n"), "login", certs, "-u", r.user, "--password-stdin", r.addr),
		125, "invalid username or password", r.addr)
	if _, err := os.Stat(authFile); !os.IsNotExist(err) {
		t.Fatalf("a failed login wrote %s (%v)", authFile, err)
	}
	// Without the CA a login fails, unless verification is off.
	expectError(t, e.podStdin(strings.NewReader(r.password), "login", "-u", r.user, "--password-stdin", r.addr), 125, "certificate")
	expect(t, e.podStdin(strings.NewReader(r.password+"\n"), "login", certs, "-u", r.user, "--password-stdin", r.addr), 0, "Login Succeeded!\n")
	fi, err := os.Stat(authFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("auth file %s: %v, mode %v; want 0600", authFile, err, fi)
	}
	b, _ := os.ReadFile(authFile)
	if !strings.Contains(string(b), r.addr) {
		t.Fatalf("auth file lacks %s:\n%s", r.addr, b)
	}
	expect(t, e.pod("login", "--get-login", r.addr), 0, r.user+"\n")
	// --verbose says where the credentials went.
	expect(t, e.podStdin(strings.NewReader(r.password+"\n"), "login", "-v", certs, "-u", r.user, "--password-stdin", r.addr), 0, "Used: "+authFile+"\nLogin Succeeded!\n")

	e.ok("push", certs, ref)
	id := inspectField(e, ref, "{{.Id}}")
	e.ok("rmi", ref)
	res := e.pod("pull", "-q", "--tls-verify=false", ref)
	if res.code != 0 || strings.TrimSpace(res.stdout) != id {
		t.Fatalf("pull with --tls-verify=false after login:\n%s", res)
	}

	expect(t, e.pod("logout", r.addr), 0, "Removed login credentials for "+r.addr+"\n")
	if b, _ := os.ReadFile(authFile); strings.Contains(string(b), r.addr) {
		t.Fatalf("logout left %s in the auth file:\n%s", r.addr, b)
	}
	expectError(t, e.pod("logout", r.addr), 125, "not logged in", r.addr)
	expectError(t, e.pod("login", "--get-login", r.addr), 125, "not logged in")
	// --creds works without a login; logout --all empties the file.
	e.ok("rmi", ref)
	e.ok("pull", "-q", certs, "--creds", r.user+":"+r.password, ref)
	e.podStdin(strings.NewReader(r.password), "login", certs, "-u", r.user, "--password-stdin", r.addr)
	expect(t, e.pod("logout", "--all"), 0, "Removed login credentials for all registries\n")
	if b, _ := os.ReadFile(authFile); strings.Contains(string(b), r.addr) {
		t.Fatalf("logout --all left %s:\n%s", r.addr, b)
	}
}

// On a terminal: progress bars while pulling, and login prompts, the
// password without echo.
func TestRegistryTerminal(t *testing.T) {
	r := startRegistry(t, registryOpts{tls: true, auth: true})
	e := newEnv(t)
	certs := "--cert-dir=" + r.certDir

	s := e.startPTY("login", certs, r.addr)
	if !s.waitFor(20*time.Second, "Username: ") {
		t.Fatalf("no username prompt:\n%s", s.output())
	}
	s.write(r.user + "\n")
	if !s.waitFor(20*time.Second, "Password: ") {
		t.Fatalf("no password prompt:\n%s", s.output())
	}
	s.write(r.password + "\n")
	if code := s.wait(30 * time.Second); code != 0 || !strings.Contains(s.output(), "Login Succeeded!") {
		t.Fatalf("login on a terminal: exit %d:\n%s", code, s.output())
	}
	if strings.Contains(s.output(), r.password) {
		t.Fatalf("the password was echoed:\n%s", s.output())
	}

	ref := r.ref("e2e/tty:1")
	e.importImage(testImage)
	e.ok("tag", testImage, ref)
	e.ok("push", "-q", certs, ref)
	e.ok("rmi", ref, testImage)
	s = e.startPTY("pull", certs, ref)
	if code := s.wait(60 * time.Second); code != 0 {
		t.Fatalf("pull on a terminal: exit %d:\n%s", code, s.output())
	}
	out := s.output()
	if !strings.Contains(out, "\x1b[") || !regexp.MustCompile(`Copying blob [0-9a-f]{12} done`).MatchString(out) {
		t.Fatalf("pull on a terminal: want progress bars (cursor movement, \"Copying blob ... done\"):\n%q", out)
	}
}
