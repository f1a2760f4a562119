package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	cstorage "go.podman.io/storage"
	"go.podman.io/storage/types"
)

// Store is the storage handle every package works on.
type Store = cstorage.Store

// Options says where and how to open the store. Zero fields mean pod's
// defaults for the mode (see DefaultPaths).
type Options struct {
	GraphRoot string
	RunRoot   string
	// Driver forces a graph driver ("overlay", "fuse-overlayfs", "vfs");
	// empty means: the driver recorded for GraphRoot, else native overlay,
	// then fuse-overlayfs, then vfs.
	Driver string
	// Warn receives one line for each fallback; nil discards them.
	Warn io.Writer
	// DriverOptions are --storage-opt's, given to the driver after pod's
	// own (an empty one drops pod's own, as Podman's --storage-opt "").
	DriverOptions []string
}

// driverFile records the driver chosen for a graph root, so later calls
// neither probe again nor warn again.
const driverFile = "pod-driver"

// Open opens the store, choosing the graph driver as Options says, and
// returns it with the name of the driver in use.
func Open(opts Options) (Store, string, error) {
	if opts.GraphRoot == "" || opts.RunRoot == "" {
		return nil, "", errors.New("opening storage: graph root and run root must be set")
	}
	if opts.Warn == nil {
		opts.Warn = io.Discard
	}
	recorded := ""
	if b, err := os.ReadFile(filepath.Join(opts.GraphRoot, driverFile)); err == nil {
		recorded = strings.TrimSpace(string(b))
	}
	if opts.Driver != "" {
		if recorded != "" && recorded != opts.Driver {
			return nil, "", fmt.Errorf("storage at %s uses the %s driver, not %s: drop --storage-driver, or use another --root", opts.GraphRoot, recorded, opts.Driver)
		}
		s, err := openDriver(opts, opts.Driver)
		if err != nil {
			return nil, "", fmt.Errorf("opening storage with driver %q (forced by --storage-driver): %w", opts.Driver, err)
		}
		if recorded == "" {
			record(opts.GraphRoot, opts.Driver)
		}
		return s, opts.Driver, nil
	}
	if recorded != "" {
		name := recorded
		s, err := openDriver(opts, name)
		if err != nil {
			return nil, "", fmt.Errorf("opening storage at %s with its driver %q: %w", opts.GraphRoot, name, err)
		}
		return s, name, nil
	}
	return chooseDriver(opts, openDriver)
}

// chooseDriver tries native overlay, fuse-overlayfs and vfs in turn, warns
// once for each refusal, and records the first that opens.
func chooseDriver(opts Options, open func(Options, string) (Store, error)) (Store, string, error) {
	if opts.Warn == nil {
		opts.Warn = io.Discard
	}
	var reasons []string
	drivers := []string{"overlay", "fuse-overlayfs", "vfs"}
	for i, name := range drivers {
		s, err := open(opts, name)
		if err != nil {
			reasons = append(reasons, name+": "+err.Error())
			if i < len(drivers)-1 {
				fmt.Fprintf(opts.Warn, "WARN: storage driver %s refused (%v); trying %s\n", name, firstLine(err.Error()), drivers[i+1])
			}
			continue
		}
		record(opts.GraphRoot, name)
		return s, name, nil
	}
	return nil, "", fmt.Errorf("opening storage at %s: no graph driver works: %s", opts.GraphRoot, strings.Join(reasons, "; "))
}

func openDriver(opts Options, name string) (Store, error) {
	so := types.StoreOptions{
		GraphRoot:       opts.GraphRoot,
		RunRoot:         opts.RunRoot,
		GraphDriverName: name,
	}
	switch name {
	case "fuse-overlayfs":
		prog, err := exec.LookPath("fuse-overlayfs")
		if err != nil {
			return nil, errors.New("fuse-overlayfs is not installed (apt-get install fuse-overlayfs)")
		}
		so.GraphDriverName = "overlay"
		so.GraphDriverOptions = []string{"overlay.mount_program=" + prog}
	case "overlay":
		so.GraphDriverOptions = []string{"overlay.mountopt=nodev"}
	}
	for _, o := range opts.DriverOptions {
		if o == "" {
			so.GraphDriverOptions = nil
			continue
		}
		so.GraphDriverOptions = append(so.GraphDriverOptions, o)
	}
	s, err := cstorage.GetStore(so)
	// A killed pod's helper (the store's untar child, which the kill's
	// parent-death signal ends a moment later) may still write into the
	// temporary directory the store now reclaims: wait for it.
	for try := 0; err != nil && strings.Contains(err.Error(), "recover stale temp dirs") && try < staleRetries; try++ {
		time.Sleep(staleRetryWait)
		s, err = cstorage.GetStore(so)
	}
	return s, err
}

// staleRetries × staleRetryWait bound the wait for a killed call's
// helper to end.
const (
	staleRetries   = 40
	staleRetryWait = 50 * time.Millisecond
)

// DriverName reports the user-facing name of a driver in use: "overlay"
// (native kernel overlayfs), "fuse-overlayfs" or "vfs".
func DriverName(s Store, chosen string) string {
	if chosen != "" {
		return chosen
	}
	return s.GraphDriverName()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// record notes the driver a graph root was opened with.
func record(graphRoot, name string) {
	if err := os.MkdirAll(graphRoot, 0o700); err == nil {
		_ = WriteFileAtomic(filepath.Join(graphRoot, driverFile), []byte(name+"\n"), 0o600)
	}
}
