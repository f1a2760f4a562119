package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestVolumeImportLinks: import refuses a hard link to a file outside the
// volume, directly or through a link the archive makes, and keeps the
// hard links of an exported volume.
func TestVolumeImportLinks(t *testing.T) {
	e := withImage(t)
	for name, entries := range map[string][][2]string{
		"hard link to /etc/passwd":  {{"h", "=>/etc/passwd"}},
		"hard link through a link":  {{"l", "->/etc"}, {"h", "=>l/passwd"}},
		"hard link up and out":      {{"d", "DIR"}, {"d/h", "=>../../../../etc/passwd"}},
		"a file through a dir link": {{"d", "->" + e.dir}, {"d/evil", "x"}},
	} {
		t.Run(name, func(t *testing.T) {
			expectError(t, e.podStdin(bytes.NewReader(tarOf(t, entries)), "volume", "import", "v", "-"), 125, "unsafe archive entry")
			if fileExists(filepath.Join(e.dir, "evil")) {
				t.Fatal("a file was written outside the volume")
			}
		})
	}
	e.expectVolumes()
	e.ok("run", "--rm", "-v", "src:/d", testImage, "sh", "-c", "echo x > /d/a && ln /d/a /d/b && mkdir /d/s && ln -s ../a /d/s/l")
	tarPath := filepath.Join(e.dir, "src.tar")
	e.ok("volume", "export", "-o", tarPath, "src")
	e.chown(tarPath)
	expect(t, e.pod("volume", "import", "dst", tarPath), 0, "")
	expect(t, e.pod("run", "--rm", "-v", "dst:/d", testImage, "sh", "-c", "stat -c '%h %n' /d/a /d/b; cat /d/s/l"), 0,
		"2 /d/a\n2 /d/b\nx\n")
}

// TestVolumeChownKeepsLinks: :U gives the volume's files to the container
// user without following a link in it to a file of the host user.
func TestVolumeChownKeepsLinks(t *testing.T) {
	e := withImage(t)
	hostFile := e.writeFile("mine", "mine\n")
	e.ok("run", "--rm", "-v", "v:/d", testImage, "sh", "-c", "touch /d/f && ln -s "+hostFile+" /d/l")
	expect(t, e.pod("run", "--rm", "-u", "1000", "-v", "v:/d:U", testImage, "stat", "-c", "%u", "/d/f"), 0, "1000\n")
	if u, _ := owner(t, hostFile); u != e.user.uid {
		t.Fatalf("the host file %s behind a link in the volume is now owned by %d", hostFile, u)
	}
	subuid, _ := e.subIDs()
	if u, _ := owner(t, filepath.Join(e.volumeData("v"), "l")); u != subuid+999 {
		t.Fatalf("the link itself is owned by %d, want %d", u, subuid+999)
	}
	if b, err := os.ReadFile(hostFile); err != nil || string(b) != "mine\n" {
		t.Fatalf("the host file holds %q, %v", b, err)
	}
}
