package cdi

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	etc, run := t.TempDir(), t.TempDir()
	write := func(dir, name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(etc, "gpu.yaml", `cdiVersion: "0.5.0"
kind: vendor.com/gpu
containerEdits:
  env: [GPU_SPEC=1]
devices:
  - name: gpu0
    containerEdits:
      deviceNodes:
        - path: /dev/gpu0
          hostPath: /dev/null
      env: [GPU=0]
  - name: gpu1
    containerEdits:
      deviceNodes:
        - path: /dev/gpu1
          permissions: rw
      mounts:
        - hostPath: /usr/lib/gpu
          containerPath: /usr/lib/gpu
          options: [ro, bind]
`)
	write(etc, "nic.json", `{"cdiVersion":"0.5.0","kind":"example.org/nic","devices":[{"name":"all","containerEdits":{"env":["NIC=all"]}}]}`)
	// A later directory's spec of a kind replaces the earlier one.
	write(run, "nic.json", `{"cdiVersion":"0.6.0","kind":"example.org/nic","devices":[{"name":"all","containerEdits":{"env":["NIC=run"]}}]}`)
	write(etc, "README", "not a spec")
	dirs := []string{etc, run}

	e, err := Resolve(dirs, []string{"vendor.com/gpu=gpu0"})
	want := Edits{Env: []string{"GPU_SPEC=1", "GPU=0"}, DeviceNodes: []DeviceNode{{Path: "/dev/gpu0", HostPath: "/dev/null", Permissions: "rwm"}}}
	if err != nil || !reflect.DeepEqual(e, want) {
		t.Fatalf("gpu0: %+v, %v; want %+v", e, err, want)
	}
	e, err = Resolve(dirs, []string{"vendor.com/gpu=all"})
	if err != nil || len(e.DeviceNodes) != 2 || e.DeviceNodes[1].HostPath != "/dev/gpu1" || e.DeviceNodes[1].Permissions != "rw" ||
		len(e.Mounts) != 1 || e.Mounts[0].ContainerPath != "/usr/lib/gpu" || len(e.Env) != 2 {
		t.Fatalf("all of a kind without an all device: %+v, %v", e, err)
	}
	if e, err := Resolve(dirs, []string{"example.org/nic=all"}); err != nil || !reflect.DeepEqual(e.Env, []string{"NIC=run"}) {
		t.Fatalf("an all device of the later directory: %+v, %v", e, err)
	}
	for name, msg := range map[string]string{
		"vendor.com/gpu=gpu9":  "has no device gpu9",
		"vendor.com/tpu=t0":    "no spec of kind vendor.com/tpu",
		"/dev/null":            "vendor.com/class=name",
		"vendor.com/gpu=gpu0;": "vendor.com/class=name",
	} {
		if _, err := Resolve(dirs, []string{name}); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Resolve(%q) = %v, want an error with %q", name, err, msg)
		}
	}
	if !IsName("vendor.com/gpu=all") || IsName("/dev/null") || IsName("/dev/a=b") {
		t.Error("IsName")
	}
	write(run, "hook.json", `{"cdiVersion":"0.5.0","kind":"bad.io/x","devices":[{"name":"h","containerEdits":{"hooks":[{"hookName":"createRuntime","path":"/bin/true"}]}}]}`)
	if _, err := Resolve(dirs, []string{"bad.io/x=h"}); err == nil || !strings.Contains(err.Error(), "hooks are not supported") {
		t.Errorf("a spec with hooks: %v", err)
	}
}
