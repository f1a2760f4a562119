package e2e

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var (
	shortID = regexp.MustCompile(`^[0-9a-f]{12}$`)
	longID  = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

// lines splits output into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func sorted(s []string) string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return strings.Join(c, ",")
}

func TestImportImagesTagRmi(t *testing.T) {
	e := newEnv(t)
	const a1, a2 = "localhost/test/a:v1", "localhost/test/a:v2"
	id := e.importImage(a1, "--change", `CMD ["echo","from-cmd"]`, "--message", "imported by e2e")
	if !longID.MatchString(id) {
		t.Fatalf("import printed %q, want sha256:<64 hex>", id)
	}
	hex := strings.TrimPrefix(id, "sha256:")

	expect(t, e.pod("run", "--rm", a1), 0, "from-cmd\n")

	out := e.ok("images")
	ls := lines(out)
	if len(ls) != 2 || strings.Join(strings.Fields(ls[0]), " ") != "REPOSITORY TAG IMAGE ID CREATED SIZE" {
		t.Fatalf("images table:\n%s", out)
	}
	row := strings.Fields(ls[1])
	if len(row) < 5 || row[0] != "localhost/test/a" || row[1] != "v1" || row[2] != hex[:12] {
		t.Fatalf("images row %q, want localhost/test/a v1 %s ...", ls[1], hex[:12])
	}

	expect(t, e.pod("images", "-q"), 0, hex[:12]+"\n")
	expect(t, e.pod("images", "-q", "--no-trunc"), 0, id+"\n")
	expect(t, e.pod("images", "--format", "{{.Repository}}:{{.Tag}}"), 0, a1+"\n")
	expect(t, e.pod("images", "--format", "{{.ID}}"), 0, hex[:12]+"\n")

	expect(t, e.pod("tag", a1, a2), 0, "")
	out = e.ok("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}")
	if got := sorted(lines(out)); got != a1+" "+hex[:12]+","+a2+" "+hex[:12] {
		t.Fatalf("images after tag:\n%s", out)
	}
	r := e.pod("tag", "localhost/test/nosuch:v1", "localhost/test/x:v1")
	expectError(t, r, 125, "localhost/test/nosuch")

	expect(t, e.pod("rmi", a2), 0, "Untagged: "+a2+"\n")
	expect(t, e.pod("images", "--format", "{{.Repository}}:{{.Tag}}"), 0, a1+"\n")
	out = e.ok("rmi", a1)
	if ls := lines(out); len(ls) != 2 || ls[0] != "Untagged: "+a1 || ls[1] != "Deleted: "+id {
		t.Fatalf("rmi of the last tag printed:\n%s\nwant Untagged: %s and Deleted: %s", out, a1, id)
	}
	expect(t, e.pod("images", "-q"), 0, "")
	expectError(t, e.pod("rmi", a1), 125, a1)
}

func TestImportStdinAndErrors(t *testing.T) {
	e := newEnv(t)
	tarPath, err := busyboxTar()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := e.podStdin(f, "import", "-", "localhost/test/stdin:latest")
	if r.code != 0 || !longID.MatchString(strings.TrimSpace(r.stdout)) {
		t.Fatalf("import from stdin:\n%s", r)
	}
	expect(t, e.pod("images", "--format", "{{.Repository}}:{{.Tag}}"), 0, "localhost/test/stdin:latest\n")
	expect(t, e.pod("run", "--rm", "localhost/test/stdin", "echo", "ok"), 0, "ok\n")

	expectError(t, e.pod("import", "/nonexistent.tar", "localhost/test/x"), 125, "/nonexistent.tar")
	expectError(t, e.pod("import", tarPath, "UPPER:case"), 125)
	expectError(t, e.pod("images", "--no-such-flag"), 125, "no-such-flag")
}

func TestImagesFilterAndDigests(t *testing.T) {
	e := newEnv(t)
	e.importImage("localhost/test/a:v1")
	e.importImage("localhost/test/b:v1", "--change", "ENV X=1")
	out := e.ok("images", "--format", "{{.Repository}}:{{.Tag}}")
	if got := sorted(lines(out)); got != "localhost/test/a:v1,localhost/test/b:v1" {
		t.Fatalf("images:\n%s", out)
	}
	expect(t, e.pod("images", "--filter", "reference=localhost/test/a", "--format", "{{.Repository}}:{{.Tag}}"), 0, "localhost/test/a:v1\n")
	out = e.ok("images", "--digests")
	if h := strings.Fields(lines(out)[0]); len(h) < 3 || h[2] != "DIGEST" {
		t.Fatalf("images --digests header:\n%s", out)
	}
	if n := len(lines(e.ok("images", "-a", "-q"))); n != 2 {
		t.Fatalf("images -a -q: %d lines, want 2", n)
	}
}

func TestHistory(t *testing.T) {
	e := newEnv(t)
	id := e.importImage("localhost/test/h:v1", "--message", "imported by e2e")
	hex := strings.TrimPrefix(id, "sha256:")
	out := e.ok("history", "localhost/test/h:v1")
	ls := lines(out)
	if len(ls) != 2 {
		t.Fatalf("history, want a header and one row:\n%s", out)
	}
	if h := strings.Join(strings.Fields(ls[0]), " "); h != "IMAGE CREATED CREATED BY SIZE COMMENT" {
		t.Fatalf("history header %q", h)
	}
	if !strings.HasPrefix(ls[1], hex[:12]) || !strings.HasSuffix(strings.TrimSpace(ls[1]), "imported by e2e") {
		t.Fatalf("history row %q: want the ID first and the message in COMMENT", ls[1])
	}
	expect(t, e.pod("history", "-q", "localhost/test/h:v1"), 0, hex[:12]+"\n")
	expect(t, e.pod("history", "-q", "--no-trunc", "localhost/test/h:v1"), 0, id+"\n")
	expect(t, e.pod("history", "--format", "{{.Comment}}", "localhost/test/h:v1"), 0, "imported by e2e\n")
	// Podman's template keys and JSON.
	if out := e.ok("history", "--format", "{{.Created}}|{{.Tags}}|{{.CreatedAt}}", "localhost/test/h:v1"); !regexp.MustCompile(`^(Less than a second|\d+ seconds) ago\|\[localhost/test/h:v1\]\|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \w+\n$`).MatchString(out) {
		t.Fatalf("history --format with Podman's keys: %q", out)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(e.ok("history", "--format", "json", "localhost/test/h:v1")), &rows); err != nil || len(rows) != 1 ||
		rows[0]["id"] != hex || rows[0]["comment"] != "imported by e2e" || rows[0]["size"] == nil || rows[0]["created"] == nil {
		t.Fatalf("history --format json: %v %v", rows, err)
	}
	expectError(t, e.pod("history", "localhost/test/nosuch"), 125, "localhost/test/nosuch")
}

func TestImageInspect(t *testing.T) {
	e := newEnv(t)
	id := e.importImage("localhost/test/i:v1", "--change", `CMD ["echo","from-cmd"]`, "--change", "ENV A=1")
	for _, args := range [][]string{{"image", "inspect", "localhost/test/i:v1"}, {"inspect", "localhost/test/i:v1"}} {
		out := e.ok(args...)
		var got []struct {
			Id       string
			RepoTags []string
			Config   struct {
				Cmd []string
				Env []string
			}
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("pod %s: not a JSON array: %v\n%s", strings.Join(args, " "), err, out)
		}
		if len(got) != 1 || got[0].Id != id || strings.Join(got[0].RepoTags, ",") != "localhost/test/i:v1" ||
			strings.Join(got[0].Config.Cmd, ",") != "echo,from-cmd" || !contains(got[0].Config.Env, "A=1") {
			t.Fatalf("pod %s:\n%s", strings.Join(args, " "), out)
		}
	}
	expectError(t, e.pod("image", "inspect", "localhost/test/nosuch"), 125, "localhost/test/nosuch")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestRmiInUse(t *testing.T) {
	e := withImage(t)
	e.ok("run", "--name", "user1", testImage, "true")
	r := e.pod("rmi", testImage)
	expectError(t, r, 125, "user1")
	expect(t, e.pod("images", "--format", "{{.Repository}}:{{.Tag}}"), 0, testImage+"\n")
	e.ok("rmi", "-f", testImage)
	expect(t, e.pod("images", "-q"), 0, "")
}
