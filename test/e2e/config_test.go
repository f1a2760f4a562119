package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeUserFile writes a file the test user owns, making its directories.
func (e *env) writeUserFile(path, content string) {
	e.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		e.t.Fatal(err)
	}
	for d := filepath.Dir(path); strings.HasPrefix(d, e.dir+"/"); d = filepath.Dir(d) {
		e.chown(d)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.chown(path)
}

// TestContainersConf: the user's containers.conf gives run its defaults
// (environment below the image's and -e, ulimits, DNS, capabilities,
// sysctls, --init) and pod's own settings (events); flags win; pod info
// lists the file; a bad value or type is an error naming the file and
// the key; $CONTAINERS_CONF replaces every other file.
func TestContainersConf(t *testing.T) {
	e := withImage(t)
	conf := filepath.Join(e.home, ".config", "containers", "containers.conf")
	e.writeUserFile(conf, `[containers]
env = ["FROMCONF=1", "OVERRIDDEN=conf"]
default_ulimits = ["nofile=500:600"]
dns_servers = ["127.0.0.53"]
default_capabilities = ["CHOWN", "kill"]
default_sysctls = ["net.ipv4.ping_group_range=0 0"]
init = true
not_a_key_of_pods = 1

[engine]
events_logger = "none"
`)
	script := `echo $FROMCONF $OVERRIDDEN; ulimit -n; grep ^nameserver /etc/resolv.conf; grep ^CapBnd /proc/self/status; cat /proc/sys/net/ipv4/ping_group_range; tr '\0' ' ' < /proc/1/cmdline; echo`
	expect(t, e.pod("run", "--rm", "-e", "OVERRIDDEN=flag", testImage, "sh", "-c", script), 0,
		"1 flag\n500\nnameserver 127.0.0.53\nCapBnd:\t0000000000000021\n0\t0\n/run/pod-init -- sh -c "+script+" \n")
	// Flags win over the file.
	flagged := `ulimit -n; grep ^CapBnd /proc/self/status; tr '\0' ' ' < /proc/1/cmdline; echo`
	expect(t, e.pod("run", "--rm", "--ulimit", "nofile=100:200", "--init=false", "--cap-add", "NET_RAW", testImage, "sh", "-c", flagged), 0,
		"100\nCapBnd:\t0000000000002021\nsh -c "+flagged+" \n")
	if info := e.ok("info"); !strings.Contains(info, conf) {
		t.Fatalf("pod info does not list %s:\n%s", conf, info)
	}
	expect(t, e.pod("events", "--stream=false", "--filter", "type=container"), 0, "") // events_logger = "none"
	if r := e.pod("--log-level", "debug", "ps"); !strings.Contains(r.stderr, "not_a_key_of_pods: pod does not take this key") {
		t.Fatalf("an unknown key is not named in a debug line:\n%s", r)
	}
	// The log's size, and the image format of commit and build.
	e.writeUserFile(conf, "[containers]\nlog_size_max = 1000\n[engine]\nimage_default_format = \"v2s2\"\n")
	e.ok("create", "--name", "lc", testImage, "true")
	expect(t, e.pod("inspect", "--format", "{{.HostConfig.LogConfig.Size}}", "lc"), 0, "1kB\n")
	e.ok("commit", "lc", "localhost/e2e/fromconf:1")
	dir := filepath.Join(e.dir, "pushed")
	e.ok("push", "localhost/e2e/fromconf:1", "dir:"+dir)
	if b, err := os.ReadFile(filepath.Join(dir, "manifest.json")); err != nil || !strings.Contains(string(b), "application/vnd.docker.distribution.manifest.v2+json") {
		t.Errorf("commit with image_default_format v2s2: manifest %s, %v", b, err)
	}
	e.writeUserFile(conf, "[engine]\nimage_default_format = \"v2s1\"\n")
	expectError(t, e.pod("commit", "lc", "localhost/e2e/fromconf:2"), 125, conf+": engine.image_default_format")
	e.ok("rm", "lc")
	e.writeUserFile(conf, "[containers]\ntz = \"Nowhere/Town\"\n")
	expectError(t, e.pod("run", "--rm", testImage, "true"), 125, "Nowhere/Town", conf+": containers.tz")
	e.writeUserFile(conf, "[containers]\npids_limit = \"many\"\n")
	expectError(t, e.pod("ps"), 125, conf, "containers.pids_limit")
	e.writeUserFile(conf, "[engine]\nevents_logger = \"syslog\"\n")
	expectError(t, e.pod("ps"), 125, conf+": engine.events_logger")
	// $CONTAINERS_CONF alone.
	only := filepath.Join(e.dir, "only.conf")
	e.writeUserFile(only, "[containers]\nenv = [\"ONLY=1\"]\n")
	e.extraEnv = []string{"CONTAINERS_CONF=" + only}
	expect(t, e.pod("run", "--rm", testImage, "sh", "-c", "echo ${ONLY}-${FROMCONF}"), 0, "1-\n")
}

// TestStorageConf: $CONTAINERS_STORAGE_CONF's graph root and run root are
// pod's store when no flag gives one; Podman's own storage.conf files give
// the driver only.
func TestStorageConf(t *testing.T) {
	e := withImage(t)
	sc := filepath.Join(e.dir, "storage.conf")
	e.writeUserFile(sc, "[storage]\ndriver = \"overlay\"\ngraphroot = \""+e.root+"\"\nrunroot = \""+e.runroot+"\"\n")
	e.extraEnv = []string{"CONTAINERS_STORAGE_CONF=" + sc}
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	r := e.runCmd(e.rawCommand(ctx, "images", "--format", "{{.Repository}}:{{.Tag}}"), nil, []string{"images"})
	if r.code != 0 || r.stdout != testImage+"\n" {
		t.Fatalf("pod with CONTAINERS_STORAGE_CONF and no --root:\n%s", r)
	}
	r = e.runCmd(e.rawCommand(ctx, "info", "--format", "{{.Store.GraphRoot}}"), nil, []string{"info"})
	if strings.TrimSpace(r.stdout) != e.root {
		t.Fatalf("pod info's graph root:\n%s", r)
	}
}
