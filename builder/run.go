package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
)

// commandLine is CMD's or ENTRYPOINT's argv: the exec form as written,
// the shell form run by the stage's shell.
func commandLine(c instructions.ShellDependantCmdLine, shell []string) []string {
	if !c.PrependShell {
		return append([]string{}, c.CmdLine...)
	}
	return append(append([]string{}, shell...), strings.Join(c.CmdLine, " "))
}

// runArgs is a RUN's argv. A heredoc is handed to the shell as written
// (`RUN <<EOF` alone runs its content as the script).
func runArgs(c *instructions.RunCommand, shell []string) []string {
	if !c.PrependShell {
		return append([]string{}, c.CmdLine...)
	}
	script := strings.Join(c.CmdLine, " ")
	if len(c.Files) == 1 && (script == "<<"+c.Files[0].Name || script == "<<-"+c.Files[0].Name) {
		return append(append([]string{}, shell...), c.Files[0].Data)
	}
	for _, f := range c.Files {
		data := f.Data
		if !strings.HasSuffix(data, "\n") {
			data += "\n"
		}
		script += "\n" + data + f.Name
	}
	return append(append([]string{}, shell...), script)
}

// exposedPorts turns EXPOSE's arguments into "PORT/PROTO" keys; ranges
// are expanded.
func exposedPorts(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		port, proto, _ := strings.Cut(a, "/")
		if proto == "" {
			proto = "tcp"
		}
		proto = strings.ToLower(proto)
		if proto != "tcp" && proto != "udp" && proto != "sctp" {
			return nil, fmt.Errorf("EXPOSE %s: unknown protocol %q", a, proto)
		}
		lo, hi, isRange := strings.Cut(port, "-")
		first, err := strconv.ParseUint(lo, 10, 16)
		if err != nil || first == 0 {
			return nil, fmt.Errorf("EXPOSE %s: invalid port", a)
		}
		last := first
		if isRange {
			if last, err = strconv.ParseUint(hi, 10, 16); err != nil || last < first {
				return nil, fmt.Errorf("EXPOSE %s: invalid port range", a)
			}
		}
		for p := first; p <= last; p++ {
			out = append(out, fmt.Sprintf("%d/%s", p, proto))
		}
	}
	return out, nil
}

func healthConfig(c *instructions.HealthCheckCommand) *container.HealthConfig {
	h := c.Health
	return &container.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
}

// runStep runs a RUN in a working container on s and adds its changes to
// s as a layer. The container is removed whatever happens.
func (b *builder) runStep(ctx context.Context, sc *scope, s *state, c *instructions.RunCommand, h v1.History) error {
	rt, err := b.runtime(ctx)
	if err != nil {
		return err
	}
	network := instructions.GetNetwork(c)
	if network == "" || network == "default" {
		network = b.o.Network
	}
	if network == "" {
		network = "host"
	}
	if network != "host" && network != "none" {
		return fmt.Errorf("%s:%d: RUN --network=%s: use host or none", b.df.Name, line(c), network)
	}
	mounts, release, err := b.runMounts(ctx, c)
	defer release()
	if err != nil {
		return fmt.Errorf("%s:%d: RUN --mount: %w", b.df.Name, line(c), err)
	}
	cfg := &s.Image.Config
	ccfg := &container.Config{
		Name: "pod-build-" + container.NewID()[:12], Image: "build", ImageID: s.ID, Build: true, Created: time.Now().UTC(),
		Entrypoint: []string{}, Cmd: runArgs(c, shellOf(s)), Env: b.runEnv(sc, cfg.Env),
		User: cfg.User, WorkingDir: cfg.WorkingDir, NetworkMode: network, Mounts: append(mounts, b.o.Run.Mounts...),
		ExtraHosts: b.o.Run.ExtraHosts, DNS: b.o.Run.DNS, DNSOptions: b.o.Run.DNSOptions, DNSSearch: b.o.Run.DNSSearch,
		NoHosts: b.o.Run.NoHosts, CapAdd: b.o.Run.CapAdd, CapDrop: b.o.Run.CapDrop, SecurityOpt: b.o.Run.SecurityOpt,
		Resources: b.o.Run.Resources, Ulimits: b.o.Run.Ulimits, ShmSize: b.o.Run.ShmSize,
		Devices: b.o.Run.Devices, CgroupParent: b.o.Run.CgroupParent, IPC: b.o.Run.IPC, PID: b.o.Run.PID, UTS: b.o.Run.UTS, CgroupNS: b.o.Run.CgroupNS,
		IDMap: b.o.Run.IDMap,
	}
	ccfg.Command = ccfg.Cmd
	rec, err := container.Create(b.st, ccfg)
	if err != nil {
		return err
	}
	var stepErr error
	defer func() {
		// --rm=false keeps the containers of steps that worked,
		// --force-rm=false those of the step that failed.
		if (stepErr == nil && b.o.KeepIntermediate) || (stepErr != nil && b.o.KeepContainers) {
			if _, err := b.st.Unmount(ccfg.ID, true); err != nil {
				fmt.Fprintf(b.o.Out, "warning: %v\n", err)
			}
			fmt.Fprintf(b.o.Out, "--> Kept working container %s\n", ccfg.Name)
			return
		}
		if err := lifecycle.RemoveStep(context.WithoutCancel(ctx), b.st, rec); err != nil {
			fmt.Fprintf(b.o.Out, "warning: %v\n", err)
		}
	}()
	stepErr = b.runInContainer(ctx, rt, rec, c, s, h)
	return stepErr
}

// runInContainer runs the RUN step in its working container and commits
// what it changed as a layer.
func (b *builder) runInContainer(ctx context.Context, rt *runtime.Runtime, rec *container.Record, c *instructions.RunCommand, s *state, h v1.History) error {
	cfg := &s.Image.Config
	ccfg := &rec.Config
	img := cfg.ImageConfig
	code, err := lifecycle.RunStep(ctx, b.st, rec, &img, lifecycle.StepOptions{
		Runtime: rt, Rootless: b.o.Rootless, Stdout: b.o.Out, Stderr: b.o.Out, Stdin: b.o.Stdin,
	})
	if err != nil {
		var ee *container.ExitError
		if errors.As(err, &ee) {
			return &StepError{File: b.df.Name, Line: line(c), Instruction: text(c), Code: ee.Code}
		}
		return fmt.Errorf("%s:%d: %s: %w", b.df.Name, line(c), text(c), err)
	}
	if code != 0 {
		return &StepError{File: b.df.Name, Line: line(c), Instruction: text(c), Code: code}
	}
	return b.commitLayer(ccfg.ID, s, h)
}

// commitLayer adds the changes of the working container id to s. The
// diff is spooled to a file first: the store holds its layer lock while a
// diff is read, and storing the new layer needs it.
func (b *builder) commitLayer(id string, s *state, h v1.History) error {
	ctr, err := b.st.Container(id)
	if err != nil {
		return err
	}
	c := archive.Uncompressed
	rc, err := b.st.Diff("", ctr.LayerID, &cstorage.DiffOptions{Compression: &c})
	if err != nil {
		return fmt.Errorf("reading the step's changes: %w", err)
	}
	dir, err := storage.MkdirTemp(b.st.GraphRoot(), "build-layer")
	if err != nil {
		rc.Close()
		return err
	}
	defer os.RemoveAll(dir)
	f, err := os.Create(filepath.Join(dir, "diff.tar"))
	if err != nil {
		rc.Close()
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reading the step's changes: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return s.addLayer(b.st, f, h)
}

// runMounts turns RUN --mount options into container mounts; release
// undoes what they needed (mounted stage images).
func (b *builder) runMounts(ctx context.Context, c *instructions.RunCommand) ([]container.Mount, func(), error) {
	var out []container.Mount
	var releases []func()
	release := func() {
		for _, r := range releases {
			r()
		}
	}
	for _, m := range instructions.GetMounts(c) {
		switch m.Type {
		case instructions.MountTypeBind:
			root, rel, err := b.mountRoot(ctx, m.From)
			if err != nil {
				return nil, release, err
			}
			releases = append(releases, rel)
			src, err := root.Resolve(strings.TrimPrefix(path.Clean("/"+m.Source), "/"))
			if err != nil {
				return nil, release, err
			}
			// Writes to a bind are never kept: the source is mounted read-only.
			out = append(out, container.Mount{Type: container.MountBind, Source: src, Destination: m.Target, ReadOnly: true})
		case instructions.MountTypeCache:
			id := m.CacheID
			if id == "" {
				id = m.Target
			}
			dir := filepath.Join(b.st.GraphRoot(), "build-cache-mounts", hashStrings(id)[:16])
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, release, err
			}
			out = append(out, container.Mount{Type: container.MountBind, Source: dir, Destination: m.Target, ReadOnly: m.ReadOnly})
		case instructions.MountTypeTmpfs:
			out = append(out, container.Mount{Type: container.MountTmpfs, Destination: m.Target})
		case instructions.MountTypeSecret:
			id := m.CacheID
			if id == "" && m.Target != "" {
				id = path.Base(m.Target)
			}
			src, ok := b.o.Secrets[id]
			if !ok {
				if m.Required {
					return nil, release, fmt.Errorf("secret %q not given (--secret id=%s,src=PATH)", id, id)
				}
				continue
			}
			target := m.Target
			if target == "" {
				target = "/run/secrets/" + id
			}
			out = append(out, container.Mount{Type: container.MountBind, Source: src, Destination: target, ReadOnly: true})
		default:
			return nil, release, fmt.Errorf("type=%s is not supported", m.Type)
		}
	}
	return out, release, nil
}

// reclaimKilledSteps stops and removes the working containers of RUN
// steps whose build was killed (their records are stale: the build that
// held them is gone), and the COPY working containers whose build is gone,
// as pod system prune would.
func (b *builder) reclaimKilledSteps(ctx context.Context) {
	recs, err := container.List(b.st)
	if err != nil {
		return
	}
	var steps []*container.Record
	for _, r := range recs {
		switch {
		case r.Config.Build:
			steps = append(steps, r)
		case r.External && !r.Underway && strings.HasPrefix(r.Config.Name, "pod-build-copy-"):
			// A killed build's COPY working container.
			_ = container.Remove(b.st, r.Config.ID)
		}
	}
	container.RepairStale(ctx, b.st, steps, container.RepairOptions{
		Runtime: func() (container.Deleter, error) { return b.runtime(ctx) },
		Remove:  func(r *container.Record) bool { return r.Config.Build },
	})
}
