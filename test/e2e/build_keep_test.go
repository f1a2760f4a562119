package e2e

import (
	"strings"
	"testing"
)

// --rm=false keeps the working containers of the RUN steps that worked;
// --force-rm=false keeps the one of the step that failed; by default
// none is left.
func TestBuildKeepContainers(t *testing.T) {
	e := withImage(t)
	dir := e.mkdirUser("keep")
	e.writeFile("keep/Containerfile", "FROM "+testImage+"\nRUN echo one > /one\nRUN echo two > /two\n")
	e.ok("build", "--no-cache", "--rm=false", dir)
	if n := len(strings.Fields(e.ok("ps", "-a", "-q"))); n != 2 {
		t.Fatalf("--rm=false kept %d containers, want 2 (one per RUN)", n)
	}
	e.ok("rm", "--all")

	e.writeFile("keep/Containerfile", "FROM "+testImage+"\nRUN echo ok\nRUN exit 4\n")
	if r := e.pod("build", "--no-cache", "--force-rm=false", dir); r.code != 4 {
		t.Fatalf("failing build: %s", r)
	}
	if n := len(strings.Fields(e.ok("ps", "-a", "-q"))); n != 1 {
		t.Fatalf("--force-rm=false kept %d containers, want the failed step's one", n)
	}
	e.ok("rm", "--all")
	if r := e.pod("build", "--no-cache", dir); r.code != 4 {
		t.Fatalf("failing build: %s", r)
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
}
