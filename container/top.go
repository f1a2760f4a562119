package container

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Top runs the host's ps with psArgs (default -ef, as Docker) and keeps
// the header and the rows of the container's processes: those in the PID
// namespace of its init process.
func Top(rec *Record, psArgs []string) (string, error) {
	if !rec.Running() {
		return "", NotRunning(rec.Config.Name, "")
	}
	pids, err := NamespacePids("/proc", rec.State.Pid)
	if err != nil {
		return "", fmt.Errorf("listing the processes of %s: %w", rec.Config.Name, err)
	}
	if len(psArgs) == 0 {
		psArgs = []string{"-ef"}
	}
	var stderr bytes.Buffer
	cmd := exec.Command("ps", psArgs...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("ps %s: %v: %s", strings.Join(psArgs, " "), err, strings.TrimSpace(stderr.String()))
	}
	return FilterPs(string(out), pids)
}

// NamespacePids returns the PIDs under procDir (/proc) whose PID namespace
// is that of pid. Processes that cannot be read are left out.
func NamespacePids(procDir string, pid int) (map[int]bool, error) {
	want, err := os.Readlink(filepath.Join(procDir, strconv.Itoa(pid), "ns", "pid"))
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(procDir)
	if err != nil {
		return nil, err
	}
	pids := map[int]bool{}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ns, err := os.Readlink(filepath.Join(procDir, e.Name(), "ns", "pid")); err == nil && ns == want {
			pids[p] = true
		}
	}
	return pids, nil
}

// FilterPs keeps the header of ps output and the rows whose PID column
// holds one of pids. The output must have a PID column.
func FilterPs(out string, pids map[int]bool) (string, error) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) == "" {
		return "", fmt.Errorf("ps printed nothing")
	}
	col := -1
	for i, h := range strings.Fields(lines[0]) {
		if h == "PID" {
			col = i
			break
		}
	}
	if col < 0 {
		return "", fmt.Errorf("ps output has no PID column: keep pid in its -o list")
	}
	var b strings.Builder
	b.WriteString(lines[0] + "\n")
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) <= col {
			continue
		}
		if p, err := strconv.Atoi(f[col]); err == nil && pids[p] {
			b.WriteString(l + "\n")
		}
	}
	return b.String(), nil
}
