package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestVersionNoNamespace(t *testing.T) {
	e := newEnv(t)
	out := e.ok("version")
	if !strings.Contains(out, "Version") {
		t.Fatalf("pod version printed no Version:\n%s", out)
	}
	if _, err := os.Stat(e.pauseFile()); err == nil {
		t.Fatalf("pod version created a pause process (%s exists)", e.pauseFile())
	}
	expectError(t, e.pod("version", "--no-such-flag"), 125, "no-such-flag")
	expectError(t, e.pod("no-such-command"), 125, "no-such-command")
}

func TestInfo(t *testing.T) {
	e := newEnv(t)
	out := e.ok("info")
	if strings.TrimSpace(out) == "" {
		t.Fatal("pod info printed nothing")
	}
	out = e.ok("info", "--format", "json")
	var doc any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("info --format json does not parse: %v\n%s", err, out)
	}
	leaves := map[string]any{}
	flatten("", doc, leaves)
	has := func(keyPart string, ok func(any) bool) bool {
		for k, v := range leaves {
			if strings.Contains(strings.ToLower(k), keyPart) && ok(v) {
				return true
			}
		}
		return false
	}
	isTrue := func(v any) bool { b, ok := v.(bool); return ok && b }
	named := func(want string) func(any) bool {
		return func(v any) bool {
			s, ok := v.(string)
			return ok && (s == want || strings.HasSuffix(s, "/"+want))
		}
	}
	if !has("rootless", isTrue) {
		t.Errorf("info does not report rootless true:\n%s", out)
	}
	if !has("runtime", named("runc")) {
		t.Errorf("info does not report the runtime runc:\n%s", out)
	}
	if !has("driver", named("overlay")) {
		t.Errorf("info does not report the storage driver overlay:\n%s", out)
	}
	if !strings.Contains(out, e.root) || !strings.Contains(out, e.runroot) {
		t.Errorf("info does not report the --root/--runroot in use:\n%s", out)
	}
	if out := e.ok("info", "--format", "{{json .}}"); json.Unmarshal([]byte(out), &doc) != nil {
		t.Errorf("info --format '{{json .}}' does not parse:\n%s", out)
	}
	// The template keys of Podman's info that scripts read.
	e.importImage(testImage)
	e.ok("create", "--name", "idle", testImage, "true")
	tmpl := "{{.Host.Security.Rootless}} {{.Store.GraphDriverName}} {{.Store.GraphRoot}} {{.Host.OCIRuntime.Name}} " +
		"{{.Store.ImageStore.Number}} {{.Store.ContainerStore.Number}} {{.Store.ContainerStore.Stopped}} {{.Host.CgroupManager}} " +
		"{{.Host.EventLogger}} {{.Host.Distribution.Distribution}} {{.Version.Version}} {{gt .Host.MemTotal 0}} {{.Host.CgroupsVersion}}"
	want := "true overlay " + e.root + " runc 1 1 1 cgroupfs file debian "
	if out := e.ok("info", "--format", tmpl); !strings.HasPrefix(out, want) || !strings.Contains(out, " true v") {
		t.Errorf("info with Podman's keys: %q, want it to start with %q", out, want)
	}
}

// flatten records every leaf of a JSON document under its dotted path.
func flatten(prefix string, v any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			flatten(prefix+"."+k, c, out)
		}
	case []any:
		for i, c := range x {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), c, out)
		}
	default:
		out[prefix] = v
	}
}

// infoHas reports whether pod info's JSON has a string leaf whose path
// contains keyPart (case-insensitive) and whose value is one of values.
// globals are global flags to pass before "info".
func (e *env) infoHas(globals []string, keyPart string, values ...string) bool {
	e.t.Helper()
	var doc any
	out := e.ok(append(globals, "info", "--format", "json")...)
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		e.t.Fatalf("info --format json: %v\n%s", err, out)
	}
	leaves := map[string]any{}
	flatten("", doc, leaves)
	for k, v := range leaves {
		s, ok := v.(string)
		if !ok || !strings.Contains(strings.ToLower(k), keyPart) {
			continue
		}
		for _, want := range values {
			if s == want || strings.HasSuffix(s, "/"+want) {
				return true
			}
		}
	}
	return false
}

func TestGlobalFlags(t *testing.T) {
	t.Run("runtime", func(t *testing.T) {
		e := withImage(t)
		// crun refuses hybrid cgroup hosts, so runc is the one every test
		// machine can run; by name and by path.
		expect(t, e.pod("--runtime", "runc", "run", "--rm", testImage, "echo", "runc"), 0, "runc\n")
		runc, err := exec.LookPath("runc")
		if err != nil {
			t.Fatal(err)
		}
		expect(t, e.pod("--runtime", runc, "run", "--rm", testImage, "echo", "path"), 0, "path\n")
		expectError(t, e.pod("--runtime", "/nonexistent/runtime", "run", "--rm", testImage, "true"), 125, "/nonexistent/runtime")
	})
	t.Run("storage-driver vfs", func(t *testing.T) {
		e := newEnv(t)
		tarPath, err := busyboxTar()
		if err != nil {
			t.Fatal(err)
		}
		e.ok("--storage-driver", "vfs", "import", tarPath, testImage)
		expect(t, e.pod("--storage-driver", "vfs", "run", "--rm", testImage, "echo", "vfs"), 0, "vfs\n")
		if !e.infoHas([]string{"--storage-driver", "vfs"}, "driver", "vfs") {
			t.Errorf("pod --storage-driver vfs info does not report vfs")
		}
		// Without the flag pod must not silently open the store with
		// another driver (and see no images): it either keeps using vfs
		// or says why not.
		r := e.pod("images", "--format", "{{.Repository}}:{{.Tag}}")
		if !(r.code == 0 && r.stdout == testImage+"\n") && !(r.code == 125 && strings.Contains(r.stderr, "vfs")) {
			t.Errorf("images without --storage-driver on a vfs store:\n%s", r)
		}
	})
	t.Run("log-level", func(t *testing.T) {
		e := newEnv(t)
		expectError(t, e.pod("--log-level", "bogus", "images"), 125, "bogus")
		r := e.pod("--log-level", "debug", "images", "-q")
		if r.code != 0 || r.stdout != "" || r.stderr == "" {
			t.Fatalf("--log-level debug: expected debug lines on stderr only:\n%s", r)
		}
	})
}
