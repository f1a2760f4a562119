// Command pod is a rootless, daemonless container tool.
package main

import (
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"

	"go.podman.io/storage/pkg/reexec"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/monitor"
	"github.com/pod-project/pod/monitor/protocol"
	"github.com/pod-project/pod/network"
	"github.com/pod-project/pod/podinit"
	"github.com/pod-project/pod/systemd"
	"github.com/pod-project/pod/userns"
)

func main() {
	// Before anything opens a file: which descriptors pod was given
	// (exec --preserve-fds passes them on).
	inheritedFDs = openFDs(3, maxPreservedFD)
	// go.podman.io/storage re-executes this binary for chrooted archive
	// work; those children stop here.
	if reexec.Init() {
		return
	}
	switch filepath.Base(os.Args[0]) {
	case podinit.Name:
		// PID 1 of a container run with --init.
		os.Exit(podinit.Main(os.Args[1:]))
	case systemd.UserGeneratorName, systemd.SystemGeneratorName:
		// systemd's generators at boot and daemon-reload: Quadlet-format
		// files into units.
		os.Exit(generatorMain(os.Args))
	}
	switch os.Getenv(userns.RoleEnv) {
	case userns.RolePause:
		userns.PauseMain()
		return
	case userns.RoleProbe:
		// The runtime probe runs this binary as a container's process:
		// reaching here proves the runtime can start a container.
		os.Exit(0)
	case userns.RolePauseSpawn, userns.RolePauseSpawnMount:
		userns.PauseSpawnMain()
		return
	case network.RoleHolder:
		// The rootless network namespace's link to the host.
		network.HolderMain()
		return
	case protocol.Role:
		// The per-container monitor, started by the CLI in its own
		// session inside the user namespace.
		monitor.Main()
		return
	}
	os.Exit(profiled(func() int { return run(os.Args[1:]) }))
}

// maxPreservedFD bounds the descriptors exec --preserve-fds can pass.
const maxPreservedFD = 64

// inheritedFDs[fd] says whether descriptor fd (3 to maxPreservedFD-1) was
// open when pod started, before the Go runtime opened any of its own.
var inheritedFDs []bool

// openFDs reports which descriptors from lo to hi-1 are open and were
// inherited, without opening any: those the Go runtime opens before main
// (it reads the cgroup's CPU limits) are close-on-exec, a caller's are not.
func openFDs(lo, hi int) []bool {
	out := make([]bool, hi)
	for fd := lo; fd < hi; fd++ {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		out[fd] = err == nil && flags&unix.FD_CLOEXEC == 0
	}
	return out
}

// profiled runs main with a CPU profile written to $POD_CPUPROFILE.PID
// when that is set (each of a call's processes, the CLI and the one in
// the user namespace, writes its own), for go tool pprof.
func profiled(main func() int) int {
	path := os.Getenv("POD_CPUPROFILE")
	if path == "" {
		return main()
	}
	f, err := os.Create(path + "." + strconv.Itoa(os.Getpid()))
	if err != nil {
		return main()
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return main()
	}
	defer pprof.StopCPUProfile()
	return main()
}
