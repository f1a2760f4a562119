package compose

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// Pod runs pod's own command line: Path, then Global (the caller's
// --root, --runroot... given before "compose"), then a verb's arguments.
type Pod struct {
	Path           string
	Global         []string
	Stdout, Stderr io.Writer
	Stdin          io.Reader
}

func (p Pod) command(ctx context.Context, args []string) *exec.Cmd {
	return exec.CommandContext(ctx, p.Path, append(slices.Clone(p.Global), args...)...)
}

// Run runs pod with args, its output the caller's.
func (p Pod) Run(ctx context.Context, args ...string) error {
	cmd := p.command(ctx, args)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.Stdin, p.Stdout, p.Stderr
	return podError(cmd.Run(), args, "")
}

// Output runs pod with args and returns its standard output.
func (p Pod) Output(ctx context.Context, args ...string) (string, error) {
	cmd := p.command(ctx, args)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), podError(err, args, errb.String())
}

// ExitError is a pod call that ended with a code of its own.
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

func podError(err error, args []string, stderr string) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(stderr), "Error: "))
		if msg == "" {
			msg = fmt.Sprintf("pod %s exited with %d", strings.Join(args, " "), ee.ExitCode())
		}
		return &ExitError{Code: ee.ExitCode(), Msg: msg}
	}
	return err
}

// exists tells whether `pod KIND exists NAME` finds it.
func (p Pod) exists(ctx context.Context, kind, name string) (bool, error) {
	_, err := p.Output(ctx, kind, "exists", name)
	var ee *ExitError
	if errors.As(err, &ee) && ee.Code == 1 {
		return false, nil
	}
	return err == nil, err
}

// Containers are the names of the project's containers (of services, or
// all), oldest first.
func (p Pod) Containers(ctx context.Context, project string, services []string) ([]string, error) {
	all, err := p.projectContainers(ctx, project)
	var names []string
	for _, c := range all {
		if len(services) == 0 || slices.Contains(services, c.service) {
			names = append(names, c.name)
		}
	}
	return names, err
}

type projectContainer struct{ name, service string }

// projectContainers are the project's containers with their services
// (Docker Compose's label), oldest first.
func (p Pod) projectContainers(ctx context.Context, project string) ([]projectContainer, error) {
	out, err := p.Output(ctx, "ps", "-a", "--sort", "created", "--filter", "label="+LabelProject+"="+project,
		"--format", `{{.Names}} {{index .Labels "`+LabelService+`"}}`)
	if err != nil {
		return nil, err
	}
	var all []projectContainer
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if name, svc, ok := strings.Cut(l, " "); ok {
			all = append(all, projectContainer{name, svc})
		}
	}
	return all, nil
}

// checkSupported refuses a project with keys pod compose does not take,
// naming every one.
func checkSupported(p *types.Project) error {
	if u := ProjectUnsupported(p); len(u) > 0 {
		return fmt.Errorf("pod compose does not support: %s", strings.Join(u, ", "))
	}
	return nil
}

// inOrder is services (all when empty) with, unless noDeps, the services
// they depend on, each after its dependencies.
func inOrder(p *types.Project, services []string, noDeps bool) ([]types.ServiceConfig, error) {
	if len(services) == 0 {
		services = slices.Sorted(maps.Keys(p.Services))
	}
	var out []types.ServiceConfig
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, want bool) error
	visit = func(name string, want bool) error {
		s, err := p.GetService(name)
		if err != nil {
			return err
		}
		switch state[name] {
		case 1:
			return fmt.Errorf("services.%s.depends_on: a cycle", name)
		case 2:
			return nil
		}
		state[name] = 1
		if !noDeps {
			for _, d := range slices.Sorted(maps.Keys(s.DependsOn)) {
				if err := visit(d, true); err != nil {
					return err
				}
			}
		}
		state[name] = 2
		if want {
			out = append(out, s)
		}
		return nil
	}
	for _, name := range services {
		if err := visit(name, true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpOptions are up's flags.
type UpOptions struct {
	Detach, Build, NoBuild, ForceRecreate, NoDeps, RemoveOrphans, NoStart bool
	Services                                                              []string
	Timeout                                                               time.Duration
}

// Up makes the project's networks and volumes, then each service's
// containers in dependency order (built first where they have a build:
// and no image yet, or with Build), waiting for each dependency's
// condition; a container whose service's configuration is unchanged is
// kept (started if it is not running), others are made again.
func Up(ctx context.Context, pod Pod, p *types.Project, o UpOptions) error {
	if err := checkSupported(p); err != nil {
		return err
	}
	services, err := inOrder(p, o.Services, o.NoDeps)
	if err != nil {
		return err
	}
	if err := ensureNetworks(ctx, pod, p, services); err != nil {
		return err
	}
	if err := ensureVolumes(ctx, pod, p); err != nil {
		return err
	}
	if o.RemoveOrphans {
		if err := removeOrphans(ctx, pod, p); err != nil {
			return err
		}
	}
	var started []string
	for _, s := range services {
		if s.Build != nil && !o.NoBuild {
			have, err := pod.exists(ctx, "image", ImageName(p, s))
			if err != nil {
				return err
			}
			if o.Build || !have {
				if err := build(ctx, pod, p, s); err != nil {
					return err
				}
			}
		}
		if !o.NoDeps {
			if err := waitDependencies(ctx, pod, p, s, o.Timeout); err != nil {
				return err
			}
		}
		names, err := upService(ctx, pod, p, s, o)
		if err != nil {
			return err
		}
		started = append(started, names...)
	}
	if o.Detach || o.NoStart {
		return nil
	}
	// Attached: the containers' logs until they end, or until the user
	// interrupts, which stops them, as Docker Compose does.
	err = pod.Run(ctx, append([]string{"logs", "-f", "--names"}, started...)...)
	if ctx.Err() == nil {
		return err
	}
	fmt.Fprintln(pod.Stderr, "Stopping...")
	stopCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return pod.Run(stopCtx, append([]string{"stop"}, started...)...)
}

func upService(ctx context.Context, pod Pod, p *types.Project, s types.ServiceConfig, o UpOptions) ([]string, error) {
	hash, err := ConfigHash(s)
	if err != nil {
		return nil, err
	}
	scale := s.GetScale()
	var names []string
	for n := 1; n <= scale; n++ {
		name := ContainerName(p, s, n)
		cur, err := pod.Output(ctx, "inspect", "--type", "container", "--format", `{{index .Config.Labels "`+LabelConfigHash+`"}}`, name)
		exists := err == nil
		if exists && (strings.TrimSpace(cur) != hash || o.ForceRecreate) {
			if err := pod.Run(ctx, "rm", "-f", name); err != nil {
				return nil, err
			}
			exists = false
		}
		if !exists {
			args, err := CreateArgs(p, s, n, hash)
			if err != nil {
				return nil, err
			}
			if _, err := pod.Output(ctx, append([]string{"create"}, args...)...); err != nil {
				return nil, fmt.Errorf("service %s: %w", s.Name, err)
			}
		}
		if !o.NoStart {
			if _, err := pod.Output(ctx, "start", name); err != nil {
				return nil, fmt.Errorf("service %s: %w", s.Name, err)
			}
		}
		fmt.Fprintf(pod.Stderr, "Container %s  Started\n", name)
		names = append(names, name)
	}
	// Replicas above the scale go.
	all, err := pod.Containers(ctx, p.Name, []string{s.Name})
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if !slices.Contains(names, c) && !strings.Contains(c, "-run-") {
			if err := pod.Run(ctx, "rm", "-f", c); err != nil {
				return nil, err
			}
		}
	}
	return names, nil
}

// waitDependencies waits for the conditions of s's depends_on:
// service_started (they were started before it), service_healthy (their
// health checks say healthy), service_completed_successfully (they ended
// with 0).
func waitDependencies(ctx context.Context, pod Pod, p *types.Project, s types.ServiceConfig, timeout time.Duration) error {
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	for _, name := range slices.Sorted(maps.Keys(s.DependsOn)) {
		dep := s.DependsOn[name]
		other, err := p.GetService(name)
		if err != nil {
			return err
		}
		c := ContainerName(p, other, 1)
		switch dep.Condition {
		case types.ServiceConditionStarted, "":
		case types.ServiceConditionHealthy:
			deadline := time.Now().Add(timeout)
			for {
				out, err := pod.Output(ctx, "inspect", "--type", "container", "--format", "{{.State.Health.Status}} {{.State.Status}}", c)
				if err != nil {
					return err
				}
				f := strings.Fields(out)
				if len(f) > 0 && f[0] == "healthy" {
					break
				}
				if len(f) > 1 && f[1] != "running" || time.Now().After(deadline) {
					return fmt.Errorf("service %s depends on %s being healthy, and it is %s", s.Name, name, strings.TrimSpace(out))
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(200 * time.Millisecond):
				}
			}
		case types.ServiceConditionCompletedSuccessfully:
			out, err := pod.Output(ctx, "wait", c)
			if err != nil {
				return err
			}
			if strings.TrimSpace(out) != "0" {
				return fmt.Errorf("service %s depends on %s completing successfully, and it exited with %s", s.Name, name, strings.TrimSpace(out))
			}
		default:
			return fmt.Errorf("services.%s.depends_on.%s.condition: %q is not a condition (service_started, service_healthy, service_completed_successfully)", s.Name, name, dep.Condition)
		}
	}
	return nil
}

func ensureNetworks(ctx context.Context, pod Pod, p *types.Project, services []types.ServiceConfig) error {
	used := map[string]bool{}
	for _, s := range services {
		for k := range s.Networks {
			used[k] = true
		}
	}
	for _, key := range slices.Sorted(maps.Keys(used)) {
		n := p.Networks[key]
		name := NetworkName(p, key)
		have, err := pod.exists(ctx, "network", name)
		if err != nil {
			return err
		}
		if have {
			continue
		}
		if n.External {
			return fmt.Errorf("networks.%s: the external network %s does not exist: pod network create %s", key, name, name)
		}
		args := []string{"network", "create", "--label", LabelProject + "=" + p.Name, "--label", LabelNetwork + "=" + key}
		for _, k := range slices.Sorted(maps.Keys(n.Labels)) {
			args = append(args, "--label", k+"="+n.Labels[k])
		}
		if n.Internal {
			args = append(args, "--internal")
		}
		for _, c := range n.Ipam.Config {
			if c.Subnet != "" {
				args = append(args, "--subnet", c.Subnet)
			}
			if c.Gateway != "" {
				args = append(args, "--gateway", c.Gateway)
			}
		}
		if n.EnableIPv6 != nil && *n.EnableIPv6 {
			args = append(args, "--ipv6")
		}
		if _, err := pod.Output(ctx, append(args, name)...); err != nil {
			return fmt.Errorf("networks.%s: %w", key, err)
		}
	}
	return nil
}

func ensureVolumes(ctx context.Context, pod Pod, p *types.Project) error {
	for _, key := range slices.Sorted(maps.Keys(p.Volumes)) {
		v := p.Volumes[key]
		name := VolumeName(p, key)
		have, err := pod.exists(ctx, "volume", name)
		if err != nil {
			return err
		}
		if have {
			continue
		}
		if v.External {
			return fmt.Errorf("volumes.%s: the external volume %s does not exist: pod volume create %s", key, name, name)
		}
		args := []string{"volume", "create", "--label", LabelProject + "=" + p.Name, "--label", LabelVolume + "=" + key}
		for _, k := range slices.Sorted(maps.Keys(v.Labels)) {
			args = append(args, "--label", k+"="+v.Labels[k])
		}
		for _, k := range slices.Sorted(maps.Keys(v.DriverOpts)) {
			args = append(args, "--opt", k+"="+v.DriverOpts[k])
		}
		if _, err := pod.Output(ctx, append(args, name)...); err != nil {
			return fmt.Errorf("volumes.%s: %w", key, err)
		}
	}
	return nil
}

func removeOrphans(ctx context.Context, pod Pod, p *types.Project) error {
	all, err := pod.projectContainers(ctx, p.Name)
	if err != nil {
		return err
	}
	for _, c := range all {
		if _, known := p.Services[c.service]; !known {
			if err := pod.Run(ctx, "rm", "-f", c.name); err != nil {
				return err
			}
		}
	}
	return nil
}

// build builds s's image from its build: section.
func build(ctx context.Context, pod Pod, p *types.Project, s types.ServiceConfig) error {
	b := s.Build
	args := []string{"build", "-t", ImageName(p, s)}
	if b.Dockerfile != "" {
		args = append(args, "-f", b.Dockerfile)
	}
	for _, k := range slices.Sorted(maps.Keys(b.Args)) {
		if v := b.Args[k]; v != nil {
			args = append(args, "--build-arg", k+"="+*v)
		}
	}
	if b.Target != "" {
		args = append(args, "--target", b.Target)
	}
	for _, k := range slices.Sorted(maps.Keys(b.Labels)) {
		args = append(args, "--label", k+"="+b.Labels[k])
	}
	if b.NoCache {
		args = append(args, "--no-cache")
	}
	for _, t := range b.Tags {
		args = append(args, "-t", t)
	}
	if err := pod.Run(ctx, append(args, b.Context)...); err != nil {
		return fmt.Errorf("building service %s: %w", s.Name, err)
	}
	return nil
}

// Build builds the services that have a build: section.
func Build(ctx context.Context, pod Pod, p *types.Project, services []string) error {
	list, err := inOrder(p, services, true)
	if err != nil {
		return err
	}
	for _, s := range list {
		if s.Build != nil {
			if err := build(ctx, pod, p, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// DownOptions are down's flags.
type DownOptions struct {
	Volumes       bool
	RMI           string // "", "local" (the images services build), "all"
	RemoveOrphans bool
	Timeout       *int
}

// Down removes the project's containers (stopped first), its networks,
// with Volumes its volumes (named and anonymous), with RMI its images.
func Down(ctx context.Context, pod Pod, p *types.Project, o DownOptions) error {
	names, err := pod.Containers(ctx, p.Name, nil)
	if err != nil {
		return err
	}
	slices.Reverse(names)
	for _, c := range names {
		args := []string{"rm", "-f"}
		if o.Timeout != nil {
			args = append(args, "-t", strconv.Itoa(*o.Timeout))
		}
		if o.Volumes {
			args = append(args, "-v")
		}
		if _, err := pod.Output(ctx, append(args, c)...); err != nil {
			return err
		}
		fmt.Fprintf(pod.Stderr, "Container %s  Removed\n", c)
	}
	for _, key := range slices.Sorted(maps.Keys(p.Networks)) {
		n := p.Networks[key]
		name := NetworkName(p, key)
		if have, err := pod.exists(ctx, "network", name); err != nil || !have || bool(n.External) {
			continue
		}
		if _, err := pod.Output(ctx, "network", "rm", name); err != nil {
			return err
		}
		fmt.Fprintf(pod.Stderr, "Network %s  Removed\n", name)
	}
	if o.Volumes {
		for _, key := range slices.Sorted(maps.Keys(p.Volumes)) {
			v := p.Volumes[key]
			name := VolumeName(p, key)
			if have, err := pod.exists(ctx, "volume", name); err != nil || !have || bool(v.External) {
				continue
			}
			if _, err := pod.Output(ctx, "volume", "rm", name); err != nil {
				return err
			}
			fmt.Fprintf(pod.Stderr, "Volume %s  Removed\n", name)
		}
	}
	if o.RMI != "" {
		for _, s := range p.Services {
			if o.RMI == "local" && s.Image != "" {
				continue
			}
			img := ImageName(p, s)
			if have, _ := pod.exists(ctx, "image", img); have {
				if _, err := pod.Output(ctx, "rmi", img); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ServiceContainer is the container of service s's replica index (1 for
// the first).
func ServiceContainer(p *types.Project, service string, index int) (string, error) {
	s, err := p.GetService(service)
	if err != nil {
		return "", err
	}
	return ContainerName(p, s, index), nil
}

// RunOne runs a one-off container of service s with command (none: the
// service's), as compose run does: named PROJECT-SERVICE-run-N, labelled
// oneoff, with the service's networks and volumes.
func RunOne(ctx context.Context, pod Pod, p *types.Project, service string, command []string, flags []string) error {
	s, err := p.GetService(service)
	if err != nil {
		return err
	}
	if err := checkSupported(p); err != nil {
		return err
	}
	list, err := inOrder(p, []string{service}, false)
	if err != nil {
		return err
	}
	if err := ensureNetworks(ctx, pod, p, list); err != nil {
		return err
	}
	if err := ensureVolumes(ctx, pod, p); err != nil {
		return err
	}
	if len(command) > 0 {
		s.Command = command
	}
	s.Ports, s.ContainerName = nil, ""
	args, err := CreateArgs(p, s, 1, "")
	if err != nil {
		return err
	}
	args[1] = fmt.Sprintf("%s-%s-run-%d", p.Name, s.Name, time.Now().UnixNano()%1000000)
	for i, a := range args {
		if a == LabelOneOff+"=False" {
			args[i] = LabelOneOff + "=True"
		}
	}
	return pod.Run(ctx, append(append([]string{"run"}, flags...), args...)...)
}
