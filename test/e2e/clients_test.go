package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// asPodman sets e up for a third-party client that runs "podman": a
// podman link to pod first on PATH, and pod's store given by a
// storage.conf (clients pass no --root).
func (e *env) asPodman(client string) string {
	e.t.Helper()
	prog, err := exec.LookPath(client)
	if err != nil {
		e.t.Fatalf("%s is not installed (hack/deps.sh installs it): %v", client, err)
	}
	link := e.compatLink("podman")
	sc := filepath.Join(e.dir, "storage.conf")
	e.writeUserFile(sc, "[storage]\ngraphroot = \""+e.root+"\"\nrunroot = \""+e.runroot+"\"\n")
	e.extraEnv = append(e.extraEnv, "CONTAINERS_STORAGE_CONF="+sc)
	e.path = filepath.Dir(link) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	return prog
}

// client runs prog (a third-party client) as the test user in dir.
func (e *env) client(dir, prog string, args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	saved := e.bin
	e.bin = prog
	cmd := e.rawCommand(ctx, args...)
	e.bin = saved
	cmd.Dir = dir
	return e.runCmd(cmd, nil, append([]string{prog}, args...))
}

// TestPodmanCompose: Debian's podman-compose (1.0.3) runs a two-service
// compose file through pod as podman: it makes the project's network
// (network exists/create), runs the services with --net and
// --network-alias, and the client reaches the web server by its service
// name; the published port answers on the host; ps, logs and down work.
func TestPodmanCompose(t *testing.T) {
	e := withImage(t)
	prog := e.asPodman("podman-compose")
	port := strconv.Itoa(freePort(t, "tcp"))
	proj := filepath.Join(e.dir, "shop")
	e.writeUserFile(filepath.Join(proj, "docker-compose.yml"), `version: "3"
services:
  web:
    image: `+testImage+`
    command: ["sh", "-c", "echo served-by-web > /index.html; httpd -f -p 8080 -h /"]
    ports:
      - "127.0.0.1:`+port+`:8080"
  client:
    image: `+testImage+`
    depends_on: [web]
    command: ["sh", "-c", "until wget -qO- http://web:8080/index.html; do sleep 0.2; done; sleep 1000"]
`)
	if r := e.client(proj, prog, "up", "-d"); r.code != 0 {
		t.Fatalf("podman-compose up -d:\n%s", r)
	}
	if got := httpGet(t, "http://127.0.0.1:"+port+"/index.html"); got != "served-by-web\n" {
		t.Fatalf("the published port: %q", got)
	}
	if !eventually(cmdTimeout/3, func() bool { return strings.Contains(e.ok("logs", "shop_client_1"), "served-by-web") }) {
		t.Fatalf("the client did not reach web by its service name:\n%s", e.ok("logs", "shop_client_1"))
	}
	expect(t, e.pod("network", "exists", "shop_default"), 0, "")
	expect(t, e.pod("inspect", "--format", `{{index .Config.Labels "com.docker.compose.service"}}`, "shop_web_1"), 0, "web\n")
	if r := e.client(proj, prog, "ps"); r.code != 0 || !strings.Contains(r.stdout, "shop_web_1") || !strings.Contains(r.stdout, "shop_client_1") {
		t.Fatalf("podman-compose ps:\n%s", r)
	}
	if r := e.client(proj, prog, "logs", "web"); r.code != 0 {
		t.Fatalf("podman-compose logs web:\n%s", r)
	}
	// exec, run, restart, stop and start, and a service built from a
	// Dockerfile.
	if r := e.client(proj, prog, "exec", "web", "cat", "/index.html"); r.code != 0 || !strings.Contains(r.stdout, "served-by-web") {
		t.Fatalf("podman-compose exec:\n%s", r)
	}
	if r := e.client(proj, prog, "run", "--rm", "client", "echo", "ran-once"); r.code != 0 || !strings.Contains(r.stdout, "ran-once\n") {
		t.Fatalf("podman-compose run:\n%s", r)
	}
	for _, verb := range []string{"restart", "stop", "start"} {
		if r := e.client(proj, prog, verb, "web"); r.code != 0 {
			t.Fatalf("podman-compose %s web:\n%s", verb, r)
		}
	}
	if got := httpGet(t, "http://127.0.0.1:"+port+"/index.html"); got != "served-by-web\n" {
		t.Fatalf("after restart, stop and start: %q", got)
	}
	e.writeUserFile(filepath.Join(proj, "ctx", "Dockerfile"), "FROM "+testImage+"\nRUN echo built > /built\n")
	e.writeUserFile(filepath.Join(proj, "docker-compose.override.yml"), "services:\n  built:\n    build: ./ctx\n    image: localhost/e2e/shop-built\n    command: [\"cat\", \"/built\"]\n")
	if r := e.client(proj, prog, "-f", "docker-compose.yml", "-f", "docker-compose.override.yml", "build"); r.code != 0 {
		t.Fatalf("podman-compose build:\n%s", r)
	}
	expect(t, e.pod("run", "--rm", "localhost/e2e/shop-built", "cat", "/built"), 0, "built\n")
	if r := e.client(proj, prog, "down"); r.code != 0 {
		t.Fatalf("podman-compose down:\n%s", r)
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	e.ok("network", "rm", "shop_default")
	e.expectClean()
}

// TestDistrobox: Debian's distrobox (1.4.2.1) creates a container from a
// Debian root filesystem (hack/systemd-image.sh distrobox: mmdebstrap's,
// with what distrobox-init installs on first entry already inside, as the
// tests have no network) and enters it through pod as podman: keep-id's
// user, sudo, the host's home and /tmp bound in.
func TestDistrobox(t *testing.T) {
	tarPath := os.Getenv("POD_E2E_DISTROBOX_IMAGE")
	if tarPath == "" {
		t.Fatal("POD_E2E_DISTROBOX_IMAGE is not set: make test-e2e sets it from hack/systemd-image.sh distrobox (as root)")
	}
	e := newEnv(t)
	prog := e.asPodman("distrobox")
	e.ok("import", tarPath, "localhost/e2e/debian-box")
	if r := e.client(e.home, prog, "create", "-i", "localhost/e2e/debian-box", "-n", "box", "--yes"); r.code != 0 {
		t.Fatalf("distrobox create:\n%s", r)
	}
	r := e.client(e.home, prog, "enter", "box", "--", "sh", "-c", "id -un; sudo -n id -u; echo $CONTAINER_ID; head -1 /etc/os-release; pwd; touch ~/made-in-box")
	if r.code != 0 || !strings.HasSuffix(r.stdout, e.user.name+"\n0\nbox\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"+e.home+"\n") {
		t.Fatalf("distrobox enter:\n%s", r)
	}
	if u, _ := owner(t, filepath.Join(e.home, "made-in-box")); u != e.user.uid {
		t.Fatalf("a file the box made in the home is %d's, want the user's %d", u, e.user.uid)
	}
	if r := e.client(e.home, prog, "list"); r.code != 0 || !strings.Contains(r.stdout, "box") {
		t.Fatalf("distrobox list:\n%s", r)
	}
	if r := e.client(e.home, prog, "rm", "--force", "box"); r.code != 0 {
		t.Fatalf("distrobox rm:\n%s", r)
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	e.expectClean()
}
