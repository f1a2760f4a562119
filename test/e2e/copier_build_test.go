package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBuildCopyThroughImageLinks: a COPY destination that is a symlink in
// the image, to "/", above the root or to a host directory, is resolved
// inside the image's root filesystem; hard links within a COPY stay
// linked; an ADD archive whose entry climbs out fails the build by name.
func TestBuildCopyThroughImageLinks(t *testing.T) {
	e := withImage(t)
	victim := e.mkdirUser("victim")
	ctx := e.ctxTree("ctx", map[string]string{
		"f":     "payload\n",
		"dir/g": "g\n",
		"Dockerfile": "FROM " + testImage + "\n" +
			"RUN ln -s / /toroot && ln -s " + victim + " /tohost && ln -s ../../../../.. /up\n" +
			"COPY f /toroot/\n" +
			"COPY f /tohost/\n" +
			"COPY dir /up/up/dir2/\n" +
			"COPY hl /hl/\n",
	})
	if err := os.Mkdir(filepath.Join(ctx, "hl"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ctx, "hl/hard1"), []byte("h\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(ctx, "hl/hard1"), filepath.Join(ctx, "hl/hard2")); err != nil {
		t.Fatal(err)
	}
	e.ctxChownTree(ctx)
	got := e.ctxBuildRun(nil, []string{ctx}, "sh", "-c", "cat /f "+victim+"/f /dir2/g; stat -c '%h %n' /hl/hard1 /hl/hard2")
	if want := "payload\npayload\ng\n2 /hl/hard1\n2 /hl/hard2\n"; got != want {
		t.Fatalf("the image holds:\n%s\nwant:\n%s", got, want)
	}
	if ents, _ := os.ReadDir(victim); len(ents) != 0 {
		t.Fatalf("COPY wrote into the host directory %s: %v", victim, ents)
	}

	e.writeFile("ctx/evil.tar", string(tarOf(t, [][2]string{{"/abs", "a"}, {"../../escape", "x"}})))
	e.writeFile("ctx/Dockerfile", "FROM "+testImage+"\nADD evil.tar /x/\n")
	expectError(t, e.pod("build", ctx), 125, "Dockerfile:2", `"../../escape"`, "unsafe archive entry")
	e.writeFile("ctx/ok.tar", string(tarOf(t, [][2]string{{"/abs", "a"}, {"l", "->/"}, {"l/top", "t"}})))
	e.writeFile("ctx/Dockerfile", "FROM "+testImage+"\nADD ok.tar /x/\n")
	if got := e.ctxBuildRun(nil, []string{ctx}, "cat", "/x/abs", "/top"); got != "at" {
		t.Fatalf("ADD of an archive with an absolute entry and a link: %q", got)
	}
}
