package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSystemctl puts on the test's PATH a systemctl that logs its
// arguments and fails the number of times written in its fail file: this
// host has no systemd (the VM tests restart real units).
func (e *env) fakeSystemctl() (log, fail string) {
	e.t.Helper()
	bin := filepath.Join(e.dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		e.t.Fatal(err)
	}
	e.chown(bin)
	log, fail = e.writeFile("systemctl.log", ""), e.writeFile("systemctl.fail", "0\n")
	script := "#!/bin/sh\necho \"$*\" >>" + log + "\nn=$(cat " + fail + ")\n" +
		"if [ \"$n\" -gt 0 ]; then echo $((n-1)) >" + fail + "; echo \"Job for $3 failed.\" >&2; exit 1; fi\n"
	p := filepath.Join(bin, "systemctl")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		e.t.Fatal(err)
	}
	e.path = bin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	return log, fail
}

func TestAutoUpdate(t *testing.T) {
	r := startRegistry(t, registryOpts{})
	e := newEnv(t)
	log, fail := e.fakeSystemctl()
	ref := r.ref("e2e/app:1")
	id1 := e.pushed(r, "e2e/app:1")
	unit := []string{"PODMAN_SYSTEMD_UNIT=app.service"}
	if res := e.withEnv(unit, "run", "-d", "--name", "app", "--label", "io.containers.autoupdate=registry", ref, "sleep", "1000"); res.code != 0 {
		t.Fatal(res)
	}
	if got := e.inspectField("app", `{{index .Config.Labels "PODMAN_SYSTEMD_UNIT"}}`); got != "app.service" {
		t.Fatalf("the unit label is %q, want app.service from $PODMAN_SYSTEMD_UNIT", got)
	}
	format := []string{"auto-update", "--format", "{{.Unit}} {{.ContainerName}} {{.Image}} {{.Policy}} {{.Updated}}"}
	expect(t, e.pod(format...), 0, "app.service app "+ref+" registry false\n")

	// A new image under the same tag in the registry.
	e.ok("run", "--name", "mk", ref, "sh", "-c", "echo 2 >/version")
	e.ok("commit", "mk", ref)
	e.ok("push", ref)
	e.ok("tag", id1, ref)
	expect(t, e.pod(append(format, "--dry-run")...), 0, "app.service app "+ref+" registry pending\n")
	if got := inspectField(e, ref, "{{.Id}}"); got != id1 {
		t.Fatal("a dry run pulled")
	}
	expect(t, e.pod(format...), 0, "app.service app "+ref+" registry true\n")
	id2 := inspectField(e, ref, "{{.Id}}")
	if id2 == id1 {
		t.Fatal("auto-update did not pull the registry's new image")
	}
	if got := readTrim(t, log); got != "--user restart app.service" {
		t.Fatalf("systemctl was run as %q", got)
	}

	// The unit fails to come back on the new image: the name goes back to
	// the old one, and the unit is restarted on it.
	os.WriteFile(log, nil, 0o644)
	os.WriteFile(fail, []byte("1\n"), 0o644)
	res := e.pod(format...)
	if res.code != 125 || res.stdout != "app.service app "+ref+" registry rolled back\n" || !strings.Contains(res.stderr, "Job for app.service failed") {
		t.Fatalf("a failed restart: want exit 125, rolled back, and systemctl's message:\n%s", res)
	}
	if got := inspectField(e, ref, "{{.Id}}"); got != id1 {
		t.Fatalf("after the rollback %s names %s, want the previous image %s", ref, got, id1)
	}
	if got := readTrim(t, log); got != "--user restart app.service\n--user restart app.service" {
		t.Fatalf("systemctl was run as %q, want two restarts", got)
	}

	// The local policy, and a container that no unit runs.
	os.WriteFile(log, nil, 0o644)
	e.ok("rm", "-f", "app", "mk")
	e.ok("tag", id1, "localhost/e2e/loc:1")
	if res := e.withEnv([]string{"POD_SYSTEMD_UNIT=loc.service"}, "run", "-d", "--name", "loc", "--label", "io.containers.autoupdate=local", "localhost/e2e/loc:1", "sleep", "1000"); res.code != 0 {
		t.Fatal(res)
	}
	e.ok("run", "-d", "--name", "stray", "--label", "io.containers.autoupdate=local", "localhost/e2e/loc:1", "sleep", "1000")
	e.ok("tag", id2, "localhost/e2e/loc:1")
	res = e.pod(format...)
	if res.code != 125 || sorted(lines(res.stdout)) != sorted([]string{" stray localhost/e2e/loc:1 local failed", "loc.service loc localhost/e2e/loc:1 local true"}) ||
		!strings.Contains(res.stderr, "stray") || !strings.Contains(res.stderr, "PODMAN_SYSTEMD_UNIT") {
		t.Fatalf("local policy and a container without a unit:\n%s", res)
	}
	if got := readTrim(t, log); got != "--user restart loc.service" {
		t.Fatalf("systemctl was run as %q", got)
	}
	expectError(t, e.pod("auto-update", "extra"), 125, "extra")
}
