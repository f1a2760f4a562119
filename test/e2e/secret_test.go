package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretCommands: create from a file, standard input and an
// environment variable; ls, inspect, rm as Podman shows them; the data
// is the user's alone on disk and never in inspect.
func TestSecretCommands(t *testing.T) {
	e := newEnv(t)
	file := e.writeFile("key.txt", "hunter2")
	id := strings.TrimSpace(e.ok("secret", "create", "--label", "app=web", "key", file))
	if len(id) != 25 {
		t.Fatalf("secret ID %q, want 25 hex digits", id)
	}
	if r := e.podStdin(strings.NewReader("from stdin"), "secret", "create", "stdin", "-"); r.code != 0 || len(r.stdout) != 26 {
		t.Fatalf("secret create from stdin:\n%s", r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := e.command(ctx, "secret", "create", "--env", "fromenv", "API_TOKEN")
	cmd.Env = append(cmd.Env, "API_TOKEN=tok-123")
	if r := e.runCmd(cmd, nil, []string{"secret", "create", "--env"}); r.code != 0 {
		t.Fatalf("secret create --env:\n%s", r)
	}
	expectError(t, e.pod("secret", "create", "key", file), 125, "secret name in use", "pod secret rm key")
	expectError(t, e.pod("secret", "create", "bad/name", file), 125, "without /")
	expectError(t, e.pod("secret", "create", "x", filepath.Join(e.dir, "missing")), 125, "no such file")
	expectError(t, e.pod("secret", "create", "--driver", "pass", "x", file), 125, `driver "pass"`)
	expectError(t, e.pod("secret", "create", "--env", "x", "UNSET_VAR"), 125, "UNSET_VAR is not set")
	expectError(t, e.podStdin(strings.NewReader(""), "secret", "create", "empty", "-"), 125, "no data")
	big := e.writeFile("big", strings.Repeat("x", 512*1024+1))
	expectError(t, e.pod("secret", "create", "big", big), 125, "more than 524288")

	expect(t, e.pod("secret", "ls", "--format", "{{.Name}} {{.Driver}} {{.ID}}"), 0,
		"fromenv file "+e.secretID("fromenv")+"\nkey file "+id+"\nstdin file "+e.secretID("stdin")+"\n")
	out := e.ok("secret", "ls")
	if !strings.HasPrefix(out, "ID ") || !strings.Contains(out, "NAME") || !strings.Contains(out, "UPDATED") || !strings.Contains(out, id+"   key ") {
		t.Fatalf("secret ls:\n%s", out)
	}
	expect(t, e.pod("secret", "ls", "--noheading", "-q", "--filter", "name=key"), 0, id+"\n")
	expect(t, e.pod("secret", "ls", "-q", "--filter", "label=app=web"), 0, id+"\n")
	expect(t, e.pod("secret", "ls", "-q", "--filter", "id="+id[:6]), 0, id+"\n")
	expectError(t, e.pod("secret", "ls", "--filter", "colour=red"), 125, "unknown key colour")

	var got []map[string]any
	if err := json.Unmarshal([]byte(e.ok("secret", "inspect", "key")), &got); err != nil || len(got) != 1 {
		t.Fatalf("secret inspect: %v %v", got, err)
	}
	spec := got[0]["Spec"].(map[string]any)
	if got[0]["ID"] != id || spec["Name"] != "key" || spec["Driver"].(map[string]any)["Name"] != "file" || spec["Labels"].(map[string]any)["app"] != "web" {
		t.Fatalf("secret inspect: %v", got)
	}
	expect(t, e.pod("secret", "inspect", "--format", "{{.Spec.Name}}", id[:8]), 0, "key\n")
	if out := e.ok("secret", "inspect", "--pretty", "key"); !strings.Contains(out, "Name:\t\tkey") || !strings.Contains(out, " - app=web") {
		t.Fatalf("secret inspect --pretty:\n%s", out)
	}
	r := e.pod("secret", "inspect", "--format", "{{.Spec.Name}}", "key", "nosuch")
	if r.code != 125 || r.stdout != "key\n" || !strings.Contains(r.stderr, `no secret with name or id "nosuch"`) {
		t.Fatalf("secret inspect of one present and one missing:\n%s", r)
	}
	// The data is on disk for the user alone, and inspect never shows it.
	for _, s := range []string{"key", "fromenv"} {
		sid := e.secretID(s)
		fi, err := os.Stat(filepath.Join(filepath.Dir(e.root), "secrets", sid+".json"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("secret %s's file: %v %v", s, fi, err)
		}
	}
	if out := e.ok("secret", "inspect", "key", "fromenv", "stdin"); strings.Contains(out, "hunter2") || strings.Contains(out, "tok-123") || strings.Contains(out, "aHVudGVyMg") {
		t.Fatalf("secret inspect shows the data:\n%s", out)
	}

	expect(t, e.pod("secret", "rm", "key"), 0, id+"\n")
	expectError(t, e.pod("secret", "rm", "key"), 125, `no secret with name or id "key"`)
	expect(t, e.pod("secret", "rm", "-i", "key"), 0, "")
	expectError(t, e.pod("secret", "rm"), 125, "at least one secret")
	e.ok("secret", "rm", "--all")
	expect(t, e.pod("secret", "ls", "-q"), 0, "")
}

func (e *env) secretID(name string) string {
	e.t.Helper()
	return strings.TrimSpace(e.ok("secret", "inspect", "--format", "{{.ID}}", name))
}

// Secret names in these tests hold letters beyond f: a name that is also
// a prefix of another secret's hex ID finds that secret, as in Podman.

// TestSecretInContainers: --secret as a read-only file (owner, mode,
// target) and as an environment variable; the data is read at each start;
// a secret a container uses cannot be removed, and a container's secret
// is the one it was created with.
func TestSecretInContainers(t *testing.T) {
	e := withImage(t)
	e.ok("secret", "create", "dbpass", e.writeFile("db.txt", "s3cret"))
	e.ok("secret", "create", "tok", e.writeFile("tok.txt", "token-1"))
	script := `cat /run/secrets/dbpass; echo; echo "$TOKEN"; stat -c '%u:%g %a' /run/secrets/dbpass /etc/app/key; cat /etc/app/key; echo; echo x > /run/secrets/dbpass || echo read-only`
	expect(t, e.pod("run", "--rm", "--secret", "dbpass", "--secret", "tok,type=env,target=TOKEN",
		"--secret", "tok,target=/etc/app/key,uid=1000,gid=100,mode=0400", testImage, "sh", "-c", script), 0,
		"s3cret\ntoken-1\n0:0 444\n1000:100 400\ntoken-1\nread-only\n")

	e.ok("create", "--name", "c", "--secret", "dbpass", testImage, "cat", "/run/secrets/dbpass")
	expectError(t, e.pod("secret", "rm", "dbpass"), 125, "secret dbpass is used by container c", "pod rm")
	expect(t, e.pod("start", "-a", "c"), 0, "s3cret")
	if out := e.ok("inspect", "c"); strings.Contains(out, "s3cret") {
		t.Fatalf("container inspect shows the secret's data:\n%s", out)
	}
	e.ok("rm", "c")
	e.ok("secret", "rm", "dbpass")
	expectError(t, e.pod("run", "--rm", "--secret", "dbpass", testImage, "true"), 125, `--secret dbpass`, `no secret with name or id "dbpass"`)
	for _, bad := range []string{"tok,type=file", "tok,mode=999", "tok,target=/run/secrets", ",type=env"} {
		expectError(t, e.pod("run", "--rm", "--secret", bad, testImage, "true"), 125, "--secret")
	}
	expectError(t, e.pod("run", "--rm", "--secret", "tok", "--secret", "tok", testImage, "true"), 125, "both go to mount /run/secrets/tok")
	e.expectClean()
}
