package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCpHostileTarStream: a tar stream into a container cannot write
// outside the destination directory, nor the container: an entry that
// climbs out with .. is refused by name, an absolute one lands under the
// destination, a link in the stream (to a host directory) followed by a
// file through it writes inside the container, and a hard link out of
// the destination is refused.
func TestCpHostileTarStream(t *testing.T) {
	e := withImage(t)
	e.runningContainer("dst")
	victim := e.mkdirUser("victim")
	e.ok("exec", "dst", "mkdir", "-p", "/srv/in")
	cp := func(entries [][2]string) result {
		return e.podStdin(bytes.NewReader(tarOf(t, entries)), "cp", "-", "dst:/srv/in")
	}

	expectError(t, cp([][2]string{{"ok", "1"}, {"../escape", "x"}}), 125, `"../escape"`, "unsafe archive entry")
	expect(t, e.pod("exec", "dst", "ls", "-A", "/srv"), 0, "in\n")

	expect(t, cp([][2]string{{"/abs/x", "abs\n"}}), 0, "")
	expect(t, e.pod("exec", "dst", "cat", "/srv/in/abs/x"), 0, "abs\n")

	expect(t, cp([][2]string{{"l", "->" + victim}, {"l/x", "through\n"}}), 0, "")
	if ents, _ := os.ReadDir(victim); len(ents) != 0 {
		t.Fatalf("a stream wrote into the host directory %s through its own link: %v", victim, ents)
	}
	expect(t, e.pod("exec", "dst", "cat", filepath.Join(victim, "x")), 0, "through\n")

	expectError(t, cp([][2]string{{"h", "=>../../etc/passwd"}}), 125, `"h"`, "unsafe archive entry")
	expect(t, e.pod("exec", "dst", "stat", "-c", "%h", "/etc/passwd"), 0, "1\n")
	expect(t, e.pod("exec", "dst", "ls", "-A", "/srv/in"), 0, "abs\nl\nok\n")
}

// TestCpKeepsHardLinksAndModes: a tree copied out of a container and
// back keeps its hard links, setuid bits and (with -a) owners.
func TestCpKeepsHardLinksAndModes(t *testing.T) {
	e := withImage(t)
	e.runningContainer("src")
	e.ok("exec", "src", "sh", "-c", "mkdir /t && echo x > /t/a && ln /t/a /t/b && chmod 4755 /t/a && "+
		"mkdir /t/d && chown -R 1000:1000 /t/d && chmod 1777 /t/d")
	out := e.mkdirUser("out")
	e.ok("cp", "-a", "src:/t", out)
	e.ok("cp", "-a", filepath.Join(out, "t"), "src:/back")
	expect(t, e.pod("exec", "src", "stat", "-c", "%h %a %u:%g %n", "/back/a", "/back/b", "/back/d"), 0,
		"2 4755 0:0 /back/a\n2 4755 0:0 /back/b\n2 1777 1000:1000 /back/d\n")
}
