package lifecycle

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
)

// execTTY runs an exec process with a terminal that pod holds, as
// executeTTY does for a container: the runtime sends the PTY master over a
// console socket and exits once the process started; pod, its child
// subreaper, copies the user's stdio to and from the PTY, follows the
// window size, forwards signals and reaps the process. This works whether
// or not pod itself has a terminal.
func execTTY(ctx context.Context, rt *runtime.Runtime, rec *container.Record, o ExecOptions, eo runtime.ExecOptions) (int, error) {
	cfg := &rec.Config
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return 0, fmt.Errorf("becoming the subreaper of the exec in %s: %w", cfg.Name, err)
	}
	console, err := runtime.NewConsoleSocket()
	if err != nil {
		return 0, err
	}
	defer console.Close()
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	defer signal.Stop(sigs)

	eo.Detach, eo.ConsoleSocket = true, console.Path
	eo.PidFile = filepath.Join(eo.Dir, "pid")
	eo.Stdin, eo.Stdout, eo.Stderr = nil, nil, nil
	logrus.Debugf("exec %v in container %s with %s and a terminal", eo.Process.Args, cfg.ID, rt.Path)
	cmd, err := rt.Exec(ctx, cfg.ID, eo)
	if err != nil {
		return 0, container.WithExitCode(125, fmt.Errorf("exec in %s: %w", cfg.Name, err))
	}
	if _, err := rt.ExecResult(cfg.ID, eo.Dir, cmd.Wait()); err != nil {
		return 0, container.WithExitCode(runtime.StartExitCode(err), fmt.Errorf("exec in %s: %w", cfg.Name, err))
	}
	master, err := console.Receive(10 * time.Second)
	if err != nil {
		return 0, fmt.Errorf("receiving the terminal of the exec in %s: %w", cfg.Name, err)
	}
	defer master.Close()
	b, err := os.ReadFile(eo.PidFile)
	if err != nil {
		return 0, fmt.Errorf("reading the pid of the exec in %s: %w", cfg.Name, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("reading the pid of the exec in %s: %w", cfg.Name, err)
	}
	tm := newTerminal(master, o.Stdin, o.Stdout, o.Interactive)
	defer tm.restore()
	tm.start()
	exited := make(chan error, 1)
	go func() { exited <- runtime.WaitPid(pid) }()
	proc, _ := os.FindProcess(pid)
	err = runtime.ForwardSignals(sigs, exited, proc, false, tm.resize)
	code := err.(runtime.ExitStatus).Code
	tm.drain(2 * time.Second)
	tm.restore()
	return code, nil
}
