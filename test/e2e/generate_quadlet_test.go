package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The Quadlet-format files of these tests: a web server whose content is
// in a volume its .volume file makes.
const (
	webContainer = `[Unit]
Description=A web server

[Container]
Image=` + testImage + `
PublishPort=127.0.0.1:8080:80
Volume=web-data.volume:/www
Environment=GREETING="hello world"
Notify=healthy
HealthCmd=test -d /www
Exec=httpd -f -p 80 -h /www

[Service]
Restart=on-failure

[Install]
WantedBy=default.target
`
	webDataVolume = "[Volume]\nLabel=app=web\n"
)

// quadletFile writes a Quadlet-format file into dir (made, as the test
// user's, when missing) under the test's home.
func (e *env) quadletFile(dir, name, content string) string {
	e.t.Helper()
	d := e.home
	for _, part := range strings.Split(dir, "/") {
		d = filepath.Join(d, part)
		if err := os.MkdirAll(d, 0o755); err != nil {
			e.t.Fatal(err)
		}
		e.chown(d)
	}
	p := filepath.Join(d, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.chown(p)
	return p
}

// podRunHas reports whether this pod's run has a flag (the units use
// --cgroups only when it does).
func (e *env) podRunHas(flag string) bool {
	e.t.Helper()
	return strings.Contains(e.ok("run", "--help"), "--"+flag+" ")
}

// webExecStart is the ExecStart the generator writes for webContainer.
func (e *env) webExecStart() string {
	cgroups := ""
	if e.podRunHas("cgroups") {
		cgroups = " --cgroups=split"
	}
	return "ExecStart=" + suite.pod + " run --name systemd-%N --replace --rm" + cgroups +
		" --sdnotify=healthy -d --env \"GREETING=hello world\" --publish 127.0.0.1:8080:80" +
		" -v systemd-web-data:/www --health-cmd \"test -d /www\" " + testImage + " httpd -f -p 80 -h /www\n"
}

// TestGenerateQuadletDryrun: pod generate quadlet --dryrun prints the
// units of the files in ~/.config/pod/systemd; a bad file is reported by
// path, line and key, and the others are printed all the same.
func TestGenerateQuadletDryrun(t *testing.T) {
	e := newEnv(t)
	dir := ".config/pod/systemd"
	web := e.quadletFile(dir, "web.container", webContainer)
	e.quadletFile(dir, "web-data.volume", webDataVolume)
	bad := e.quadletFile(dir, "bad.container", "[Container]\nImage="+testImage+"\nNope=1\n")
	e.quadletFile(dir, "lan.network", "[Network]\nSubnet=10.93.0.0/24\n")
	wan := e.quadletFile(dir, "wan.network", "[Network]\nDriver=macvlan\n")
	// Podman's directory is read only when asked for.
	e.quadletFile(".config/containers/systemd", "podman.container", "[Container]\nImage=x\n")

	r := e.pod("generate", "quadlet", "--dryrun")
	expectError(t, r, 125, bad+":3: Nope=: unknown key in [Container]", wan+":2: Driver=: pod networks have only the bridge driver")
	for _, want := range []string{
		"---web-data-volume.service---\n",
		"ExecStart=" + suite.pod + " volume create --ignore --label app=web systemd-web-data\n",
		"Type=oneshot\nRemainAfterExit=yes\n",
		"---web.service---\n",
		"[Unit]\nDescription=A web server\nSourcePath=" + web + "\nRequiresMountsFor=%t/pod\nRequires=web-data-volume.service\nAfter=web-data-volume.service\n",
		"[Service]\nRestart=on-failure\nEnvironment=PODMAN_SYSTEMD_UNIT=%n\nEnvironment=POD_SYSTEMD_UNIT=%n\nKillMode=mixed\n",
		"ExecStop=" + suite.pod + " rm -v -f -i systemd-%N\nExecStopPost=-" + suite.pod + " rm -v -f -i systemd-%N\n",
		"Delegate=yes\nType=notify\nNotifyAccess=all\nSyslogIdentifier=%N\n",
		e.webExecStart(),
		"[Install]\nWantedBy=default.target\n",
		"---lan-network.service---\n",
		"ExecStart=" + suite.pod + " network create --ignore --subnet 10.93.0.0/24 systemd-lan\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, r)
		}
	}
	if strings.Contains(r.stdout, "podman") || strings.Contains(r.stdout, "bad.service") || strings.Contains(r.stdout, "wan") {
		t.Errorf("dry run shows a unit it should not:\n%s", r)
	}

	// POD_QUADLET_DIRS replaces the directories.
	cmd := e.command(context.Background(), "generate", "quadlet", "--dryrun")
	cmd.Env = append(cmd.Env, "POD_QUADLET_DIRS="+filepath.Join(e.home, ".config/containers/systemd"))
	r = e.runCmd(cmd, nil, []string{"generate", "quadlet", "--dryrun"})
	if r.code != 0 || !strings.HasPrefix(r.stdout, "---podman.service---\n") || strings.Contains(r.stdout, "web") {
		t.Errorf("with POD_QUADLET_DIRS:\n%s", r)
	}
}

// TestGenerateQuadletInstall: --install writes the units and their
// [Install] links where the user's service manager reads them.
func TestGenerateQuadletInstall(t *testing.T) {
	e := newEnv(t)
	e.quadletFile(".config/pod/systemd", "web.container", webContainer)
	e.quadletFile(".config/pod/systemd", "web-data.volume", webDataVolume)
	units := filepath.Join(e.home, ".config/systemd/user")
	want := strings.Join([]string{
		filepath.Join(units, "web-data-volume.service"),
		filepath.Join(units, "web.service"),
		filepath.Join(units, "default.target.wants/web.service"),
		"run: systemctl --user daemon-reload",
	}, "\n") + "\n"
	expect(t, e.pod("generate", "quadlet", "--install"), 0, want)
	b, err := os.ReadFile(filepath.Join(units, "web.service"))
	if err != nil || !strings.Contains(string(b), e.webExecStart()) {
		t.Fatalf("web.service (%v):\n%s", err, b)
	}
	if l, err := os.Readlink(filepath.Join(units, "default.target.wants/web.service")); err != nil || l != "../web.service" {
		t.Errorf("default.target.wants/web.service -> %q (%v)", l, err)
	}
	verifyUnits(t, true, filepath.Join(units, "web.service"), filepath.Join(units, "web-data-volume.service"))
}

// TestGenerateQuadletGenerator: pod started as pod-user-generator with
// systemd's three directories writes the units and links into the first.
func TestGenerateQuadletGenerator(t *testing.T) {
	e := newEnv(t)
	web := e.quadletFile(".config/pod/systemd", "web.container", webContainer)
	e.quadletFile(".config/pod/systemd", "web-data.volume", webDataVolume)
	link := filepath.Join(e.dir, "pod-user-generator")
	if err := os.Symlink(suite.pod, link); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "generator")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	e.chown(out)
	dirs := []string{filepath.Join(out, "normal"), filepath.Join(out, "early"), filepath.Join(out, "late")}
	generate := func() result {
		cmd := e.rawCommand(context.Background(), dirs...)
		cmd.Path, cmd.Args[0] = link, link
		return e.runCmd(cmd, nil, append([]string{"(as pod-user-generator)"}, dirs...))
	}
	expect(t, generate(), 0, "")
	var files []string
	_ = filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			files = append(files, strings.TrimPrefix(p, out+"/"))
		}
		return nil
	})
	if want := []string{"normal/default.target.wants/web.service", "normal/web-data-volume.service", "normal/web.service"}; !slices.Equal(files, want) {
		t.Fatalf("the generator wrote %q, want %q", files, want)
	}
	b, err := os.ReadFile(filepath.Join(dirs[0], "web.service"))
	if err != nil || !strings.Contains(string(b), e.webExecStart()) || !strings.Contains(string(b), "SourcePath="+web+"\n") {
		t.Fatalf("web.service (%v):\n%s", err, b)
	}
	verifyUnits(t, true, filepath.Join(dirs[0], "web.service"), filepath.Join(dirs[0], "web-data-volume.service"))

	// A bad file is logged (systemd logs the generator's stderr) and
	// fails the generator; the other units are still written.
	bad := e.quadletFile(".config/pod/systemd", "bad.container", "[Container]\nImage=x\nPublishPort=99999\n")
	r := generate()
	if r.code != 1 || !strings.HasPrefix(r.stderr, "pod-user-generator: "+bad+":3: PublishPort=: ") {
		t.Fatalf("with a bad file:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dirs[0], "web.service")); err != nil {
		t.Fatal(err)
	}
}

// verifyUnits runs systemd-analyze [--user] verify on the units and fails
// on any complaint.
func verifyUnits(t *testing.T, user bool, units ...string) {
	t.Helper()
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Fatalf("systemd-analyze (package systemd) checks the generated units: %v", err)
	}
	run := t.TempDir()
	args := []string{"verify"}
	if user {
		args = []string{"--user", "verify"}
	}
	cmd := exec.Command("systemd-analyze", append(args, units...)...)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+run)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze %v: %v\n%s", args, err, out)
	}
}
