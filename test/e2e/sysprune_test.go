package e2e

import (
	"strings"
	"testing"
	"time"
)

// system prune removes stopped containers and dangling images, and leaves
// named volumes and their data unless --volumes.
func TestSystemPrune(t *testing.T) {
	e := withImage(t)
	e.ok("volume", "create", "keep")
	e.ok("run", "--name", "writer", "-v", "keep:/data", testImage, "sh", "-c", "echo 1 > /data/x")
	dangling := strings.TrimPrefix(e.importImage(""), "sha256:")

	out := e.ok("system", "prune", "-f")
	for _, want := range []string{"Deleted Containers", "Deleted Images", dangling, "Total reclaimed space"} {
		if !strings.Contains(out, want) {
			t.Fatalf("system prune output lacks %q:\n%s", want, out)
		}
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	if e.pod("image", "exists", dangling).code == 0 {
		t.Fatalf("dangling image %s survived system prune", dangling)
	}
	if e.pod("image", "exists", testImage).code != 0 {
		t.Fatalf("tagged image %s was pruned without -a", testImage)
	}
	expect(t, e.pod("volume", "ls", "-q"), 0, "keep\n")
	expect(t, e.pod("run", "--rm", "-v", "keep:/data", testImage, "cat", "/data/x"), 0, "1\n")

	// Without -f it asks, and a "no" removes nothing.
	e.ok("run", "--name", "stays", testImage, "true")
	r := e.podStdin(strings.NewReader("n\n"), "system", "prune")
	if r.code != 0 || !strings.Contains(r.stdout, "Are you sure") {
		t.Fatalf("system prune without -f:\n%s", r)
	}
	if got := strings.TrimSpace(e.ok("ps", "-a", "--format", "{{.Names}}")); got != "stays" {
		t.Fatalf("a refused prune removed containers: %q", got)
	}

	e.ok("system", "prune", "-f", "--volumes")
	expect(t, e.pod("volume", "ls", "-q"), 0, "")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
}

// system migrate stops the containers and the pause process; the next call
// makes a new namespace and works.
func TestSystemMigrate(t *testing.T) {
	e := withImage(t)
	old := e.livePausePID()
	e.ok("run", "-d", "--name", "long", testImage, "sleep", "1000")
	out := e.ok("system", "migrate")
	if !strings.Contains(out, "stopped long") {
		t.Fatalf("system migrate output: %q", out)
	}
	if !eventually(5*time.Second, func() bool { return !alive(old) }) {
		t.Fatalf("pause process %d still runs after system migrate", old)
	}
	if got := strings.TrimSpace(e.ok("ps", "-a", "--format", "{{.Status}}")); !strings.HasPrefix(got, "Exited") {
		t.Fatalf("container after migrate: %q", got)
	}
	expect(t, e.pod("run", "--rm", testImage, "echo", "again"), 0, "again\n")
	if pid := e.livePausePID(); pid == old {
		t.Fatalf("the pause process was not replaced (%d)", pid)
	}
}
