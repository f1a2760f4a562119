package systemd

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// verifyPod is an executable that exists, standing in for pod in units
// systemd-analyze checks (it checks that ExecStart's program exists).
const verifyPod = "/bin/true"

// TestUnitsVerify: every unit pod generates passes systemd-analyze verify,
// for a user's service manager and the system's, without a warning.
func TestUnitsVerify(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Fatalf("systemd-analyze (package systemd) is needed to check the generated units: %v", err)
	}
	for _, user := range []bool{true, false} {
		dir := t.TempDir()
		units, errs := ConvertQuadlets(loadTestdata(t), QuadletOptions{Pod: verifyPod, User: user})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if _, err := WriteUnits(dir, units); err != nil {
			t.Fatal(err)
		}
		files := []string{}
		for _, g := range units {
			files = append(files, filepath.Join(dir, g.Name))
		}
		for _, newUnit := range []bool{true, false} {
			o := unitOptions(newUnit)
			o.Pod = verifyPod
			name, text, err := ContainerUnit(sampleConfig(), o)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, name+map[bool]string{true: "-new", false: ""}[newUnit]+".service")
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, p)
		}
		systemdVerify(t, user, files)
	}
}

// systemdVerify runs systemd-analyze [--user] verify on files and fails
// on any complaint.
func systemdVerify(t *testing.T, user bool, files []string) {
	t.Helper()
	run := t.TempDir()
	if err := os.Chmod(run, 0o700); err != nil {
		t.Fatal(err)
	}
	args := []string{"verify"}
	if user {
		args = []string{"--user", "verify"}
	}
	cmd := exec.Command("systemd-analyze", append(args, files...)...)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+run)
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze %v: %v\n%s", args, err, out)
	}
}
