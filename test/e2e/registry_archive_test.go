package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// save and load keep names, config and layer digests, in docker-archive
// (several images, to a file or a pipe) and oci-archive; skopeo reads the
// archives; the directory formats are written.
func TestSaveLoad(t *testing.T) {
	e := newEnv(t)
	id := strings.TrimPrefix(e.importImage("demo:1", "--change", "CMD [\"echo\", \"from-config\"]"), "sha256:")
	e.ok("tag", "demo:1", "demo:2")
	other := strings.TrimPrefix(e.importImage("other:1", "--change", "ENV A=b"), "sha256:")
	layers := inspectField(e, "demo:1", "{{json .RootFS.Layers}}")

	archive := filepath.Join(e.dir, "demo.tar")
	expect(t, e.pod("save", "-o", archive, "demo:1", "demo:2", "other:1"), 0, "")
	var info struct{ Digest string }
	if err := json.Unmarshal([]byte(skopeo(t, "inspect", "docker-archive:"+archive+":docker.io/library/demo:2")), &info); err != nil {
		t.Fatalf("skopeo inspect of the docker-archive: %v", err)
	}
	e.ok("rmi", "demo:1", "demo:2", "other:1")
	res := e.pod("load", "-i", archive)
	if res.code != 0 || sorted(lines(res.stdout)) != "Loaded image: demo:1,Loaded image: demo:2,Loaded image: other:1" {
		t.Fatalf("load of a docker-archive:\n%s", res)
	}
	if got := inspectField(e, "demo:2", "{{.Id}}"); got != id {
		t.Fatalf("loaded demo:2 is %s, saved %s", got, id)
	}
	if got := inspectField(e, "other:1", "{{.Id}}"); got != other {
		t.Fatalf("loaded other:1 is %s, saved %s", got, other)
	}
	if got := inspectField(e, "demo:1", "{{json .RootFS.Layers}}"); got != layers {
		t.Fatalf("layers after load %s, before %s", got, layers)
	}
	expect(t, e.pod("run", "--rm", "demo:1"), 0, "from-config\n")

	// oci-archive, one image.
	ociArchive := filepath.Join(e.dir, "demo-oci.tar")
	e.ok("save", "--format", "oci-archive", "-o", ociArchive, "demo:1")
	skopeo(t, "inspect", "oci-archive:"+ociArchive)
	e.ok("rmi", "demo:1", "demo:2")
	expect(t, e.pod("load", "-i", ociArchive), 0, "Loaded image: demo:1\n")
	if got := inspectField(e, "demo:1", "{{.Id}}"); got != id {
		t.Fatalf("oci-archive round trip: %s, saved %s", got, id)
	}
	expectError(t, e.pod("save", "--format", "oci-archive", "-o", ociArchive+"2", "demo:1", "other:1"), 125, "one image")

	// To a pipe and back from standard input.
	e.ok("rmi", "other:1")
	saveCmd := e.command(t.Context(), "save", "demo:1")
	saved, err := saveCmd.Output()
	if err != nil || len(saved) < 1024 {
		t.Fatalf("save to a pipe: %v, %d bytes", err, len(saved))
	}
	e.ok("rmi", "demo:1")
	expect(t, e.podStdin(strings.NewReader(string(saved)), "load"), 0, "Loaded image: demo:1\n")

	// Directory formats.
	ociDir, dockerDir := filepath.Join(e.dir, "oci-dir"), filepath.Join(e.dir, "docker-dir")
	e.ok("save", "--format", "oci-dir", "-o", ociDir, "demo:1")
	e.ok("save", "--format", "docker-dir", "-o", dockerDir, "demo:1")
	for _, f := range []string{filepath.Join(ociDir, "index.json"), filepath.Join(dockerDir, "manifest.json")} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("save to a directory: %v", err)
		}
	}
}

// load refuses what is not an image archive, naming the file.
func TestLoadBadInput(t *testing.T) {
	e := newEnv(t)
	notTar := e.writeFile("not-a-tar", "hello, this is text\n")
	expectError(t, e.pod("load", "-i", notTar), 125, notTar, "not an image archive")
	rootfs, err := busyboxTar()
	if err != nil {
		t.Fatal(err)
	}
	expectError(t, e.pod("load", "-i", rootfs), 125, rootfs, "not an image archive")
	expectError(t, e.pod("load", "-i", filepath.Join(e.dir, "missing.tar")), 125, "missing.tar")
	expectError(t, e.podStdin(strings.NewReader("garbage"), "load"), 125, "standard input")
	expect(t, e.pod("images", "-q"), 0, "")
}

// image prune removes dangling images, or with -a all unused ones, and
// keeps what containers use.
func TestImagePrune(t *testing.T) {
	e := newEnv(t)
	tarPath, err := busyboxTar()
	if err != nil {
		t.Fatal(err)
	}
	dangling := strings.TrimPrefix(strings.TrimSpace(e.ok("import", "--change", "LABEL keep=no", tarPath)), "sha256:")
	e.importImage("used:1", "--change", "LABEL x=1")
	unused := strings.TrimPrefix(e.importImage("unused:1", "--change", "LABEL keep=yes"), "sha256:")
	e.ok("run", "--name", "user", "used:1", "true")

	// Without -f it asks; "n" keeps everything.
	res := e.podStdin(strings.NewReader("n\n"), "image", "prune")
	if res.code != 0 || !strings.Contains(res.stdout, "Are you sure") {
		t.Fatalf("prune without -f must ask:\n%s", res)
	}
	expect(t, e.pod("image", "exists", dangling), 0, "")

	res = e.pod("image", "prune", "-f")
	if res.code != 0 || !strings.Contains(res.stdout, "deleted: sha256:"+dangling) || strings.Contains(res.stdout, unused) {
		t.Fatalf("prune -f: want only the dangling image deleted:\n%s", res)
	}
	expect(t, e.pod("image", "exists", dangling), 1, "")
	// A label filter that matches nothing removes nothing.
	res = e.pod("image", "prune", "-a", "-f", "--filter", "label=keep=no")
	if res.code != 0 || strings.Contains(res.stdout, "deleted:") {
		t.Fatalf("prune -a with a non-matching label:\n%s", res)
	}
	expectError(t, e.pod("image", "prune", "-f", "--filter", "colour=red"), 125, "colour")
	res = e.pod("image", "prune", "-a", "-f", "--filter", "until="+time.Now().Add(time.Hour).Format(time.RFC3339))
	if res.code != 0 || !strings.Contains(res.stdout, "deleted: sha256:"+unused) {
		t.Fatalf("prune -a: want unused:1 deleted:\n%s", res)
	}
	expect(t, e.pod("image", "exists", "used:1"), 0, "")
	expect(t, e.pod("image", "exists", "unused:1"), 1, "")
}
