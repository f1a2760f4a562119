package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ExecOptions are a new process in a running container.
type ExecOptions struct {
	// Process is the process to start (args, env, user, cwd, terminal...).
	Process *specs.Process
	// Dir holds the process.json and the runtime's log for this exec.
	Dir string
	// Detach: the runtime exits once the process has started.
	Detach bool
	// Stdin, Stdout and Stderr are the process's stdio; nil is /dev/null.
	// With a terminal in Process, the runtime copies them to and from the
	// PTY it makes (and puts a terminal stdin in raw mode).
	Stdin, Stdout, Stderr *os.File
	// PidFile, when set, receives the process's PID.
	PidFile string
	// ConsoleSocket receives the PTY master when Process has a terminal
	// (with Detach).
	ConsoleSocket string
	// PreserveFDs passes this process's descriptors 3 to 3+N-1 on to the
	// exec'd process, as the same numbers (--preserve-fds).
	PreserveFDs int
}

// Exec starts `exec --process`: the runtime joins the container's
// namespaces, runs the process and (unless detached) waits for it, exiting
// with its status. The caller waits for the returned command and passes the
// result to ExecResult.
func (r *Runtime) Exec(ctx context.Context, id string, o ExecOptions) (*exec.Cmd, error) {
	b, err := json.Marshal(o.Process)
	if err != nil {
		return nil, err
	}
	procFile := filepath.Join(o.Dir, "process.json")
	if err := os.WriteFile(procFile, b, 0o600); err != nil {
		return nil, fmt.Errorf("writing the exec process of %s: %w", id, err)
	}
	logFile := filepath.Join(o.Dir, "runtime.log")
	args := []string{"--log", logFile, "--log-format", "json", "exec", "--process", procFile}
	if o.Detach {
		args = append(args, "--detach")
	}
	if o.PidFile != "" {
		args = append(args, "--pid-file", o.PidFile)
	}
	if o.ConsoleSocket != "" {
		args = append(args, "--console-socket", o.ConsoleSocket)
	}
	if o.PreserveFDs > 0 {
		args = append(args, "--preserve-fds", strconv.Itoa(o.PreserveFDs))
	}
	cmd := r.command(context.WithoutCancel(ctx), append(args, id)...)
	setStdio(cmd, o.Stdin, o.Stdout, o.Stderr)
	for i := range o.PreserveFDs {
		cmd.ExtraFiles = append(cmd.ExtraFiles, os.NewFile(uintptr(3+i), "preserved"))
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running %s: %w", r.Path, err)
	}
	return cmd, nil
}

// ExecResult turns the end of an Exec into the process's exit code (128+N
// for signal N), or into an *Error when the runtime itself failed: it
// wrote an error to its log (a command not found, a stopped container).
func (r *Runtime) ExecResult(id, dir string, waitErr error) (int, error) {
	return r.result("exec", id, dir, waitErr)
}

// Pause freezes every process of the container (its cgroup's freezer).
func (r *Runtime) Pause(ctx context.Context, id string) error {
	return r.simple(ctx, "pause", id, "pause", id)
}

// Resume thaws a paused container.
func (r *Runtime) Resume(ctx context.Context, id string) error {
	return r.simple(ctx, "resume", id, "resume", id)
}

// Stats are a container's resource usage as the runtime reads it from the
// container's cgroup (`events --stats`; runc's format).
type Stats struct {
	CPU struct {
		Usage struct {
			Total uint64 `json:"total"` // nanoseconds
		} `json:"usage"`
	} `json:"cpu"`
	Memory struct {
		Usage struct {
			Usage uint64 `json:"usage"`
			Limit uint64 `json:"limit"`
		} `json:"usage"`
		Cache uint64            `json:"cache"`
		Raw   map[string]uint64 `json:"raw"`
	} `json:"memory"`
	Pids struct {
		Current uint64 `json:"current"`
		Limit   uint64 `json:"limit"`
	} `json:"pids"`
	Blkio struct {
		IoServiceBytesRecursive []BlkioEntry `json:"ioServiceBytesRecursive"`
	} `json:"blkio"`
}

// BlkioEntry is bytes read or written ("read", "write"; runc's are
// capitalised) by the container.
type BlkioEntry struct {
	Op    string `json:"op"`
	Value uint64 `json:"value"`
}

// Stats reads the container's cgroup statistics once.
func (r *Runtime) Stats(ctx context.Context, id string) (*Stats, error) {
	var stderr bytes.Buffer
	cmd := r.command(ctx, "events", "--stats", id)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := stderr.String()
		if msg == "" {
			msg = err.Error()
		}
		return nil, &Error{Op: r.Name + " events", ID: id, Msg: msg}
	}
	var ev struct {
		Type string `json:"type"`
		Data *Stats `json:"data"`
	}
	if err := json.Unmarshal(out, &ev); err != nil || ev.Data == nil {
		return nil, fmt.Errorf("parsing the %s statistics of %s: %q", r.Name, id, out)
	}
	return ev.Data, nil
}

// CgroupStats reads the statistics of the process pid's cgroup v2 from its
// files, as `runc events --stats` reports them: crun has no events
// command, and the files are the same for every runtime.
func CgroupStats(pid int) (*Stats, error) {
	p, err := UnifiedCgroup(strconv.Itoa(pid))
	if err != nil {
		return nil, err
	}
	return cgroupDirStats(filepath.Join("/sys/fs/cgroup", p)), nil
}

// cgroupDirStats reads a cgroup v2 directory's statistics.
func cgroupDirStats(dir string) *Stats {
	num := func(file string) uint64 {
		b, _ := os.ReadFile(filepath.Join(dir, file))
		n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		return n // "max" and a missing file are 0
	}
	keyed := func(file string) map[string]uint64 {
		m := map[string]uint64{}
		b, _ := os.ReadFile(filepath.Join(dir, file))
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, " "); ok {
				m[k], _ = strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			}
		}
		return m
	}
	s := &Stats{}
	s.CPU.Usage.Total = keyed("cpu.stat")["usage_usec"] * 1000
	s.Memory.Usage.Usage, s.Memory.Usage.Limit = num("memory.current"), num("memory.max")
	s.Memory.Raw = keyed("memory.stat")
	s.Memory.Cache = s.Memory.Raw["file"]
	s.Pids.Current, s.Pids.Limit = num("pids.current"), num("pids.max")
	io, _ := os.ReadFile(filepath.Join(dir, "io.stat"))
	var rd, wr uint64
	for _, l := range strings.Split(string(io), "\n") {
		for _, f := range strings.Fields(l) {
			k, v, _ := strings.Cut(f, "=")
			n, _ := strconv.ParseUint(v, 10, 64)
			switch k {
			case "rbytes":
				rd += n
			case "wbytes":
				wr += n
			}
		}
	}
	s.Blkio.IoServiceBytesRecursive = []BlkioEntry{{"read", rd}, {"write", wr}}
	return s
}
