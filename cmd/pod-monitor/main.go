// Command pod-monitor runs pod's long-lived roles: a container's monitor
// and the rootless network's holder. pod starts it from beside its own
// executable (userns.Helper); it links only what those roles use, so a
// host with many running containers holds a small process per container.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"go.podman.io/storage/pkg/reexec"

	"github.com/pod-project/pod/monitor"
	"github.com/pod-project/pod/monitor/protocol"
	"github.com/pod-project/pod/network"
	"github.com/pod-project/pod/podinit"
	"github.com/pod-project/pod/userns"
)

func main() {
	// go.podman.io/storage re-executes its caller for chrooted work.
	if reexec.Init() {
		return
	}
	if filepath.Base(os.Args[0]) == podinit.Name {
		// PID 1 of a container run with --init.
		os.Exit(podinit.Main(os.Args[1:]))
	}
	switch role := os.Getenv(userns.RoleEnv); role {
	case protocol.Role:
		monitor.Main()
	case network.RoleHolder:
		network.HolderMain()
	case userns.RoleProbe:
		// The runtime probe, when a monitor picks the runtime.
		os.Exit(0)
	default:
		fmt.Fprintf(os.Stderr, "%s is started by pod (as a container's monitor or the network holder), not by hand; role %q is not one of its own\n", userns.HelperName, role)
		os.Exit(125)
	}
}
