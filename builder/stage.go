package builder

import (
	"context"
	"fmt"
	goruntime "runtime"
	"strconv"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/pod-project/pod/image"
)

// buildStage builds stage i and returns its final image.
func (b *builder) buildStage(ctx context.Context, i int, isTarget bool) (*state, error) {
	stg := &b.df.Stages[i]
	b.stageReported = false
	b.step++
	if i == 0 && b.o.From != "" {
		fmt.Fprintf(b.o.Out, "STEP %d/%d: %s (--from %s)\n", b.step, b.steps, stg.SourceCode, b.o.From)
	} else {
		fmt.Fprintf(b.o.Out, "STEP %d/%d: %s\n", b.step, b.steps, stg.SourceCode)
	}
	s, err := b.baseState(ctx, i, stg)
	if err != nil {
		return nil, err
	}
	if isTarget {
		b.baseLayers = len(s.Layers)
	}
	b.stageBase = parentKey(s)
	sc := &scope{}
	cmds := stg.Commands
	if triggers := s.Image.Config.OnBuild; len(triggers) > 0 {
		s = s.clone()
		s.Image.Config.OnBuild = nil
		var pre []instructions.Command
		for _, t := range triggers {
			c, err := parseTrigger(t)
			if err != nil {
				return nil, fmt.Errorf("%w: %s:%d: the base image's ONBUILD %s: %v", ErrParse, b.df.Name, line(stgCmd(stg)), t, err)
			}
			pre = append(pre, c)
		}
		b.steps += len(pre)
		cmds = append(pre, cmds...)
	}
	for pos, cmd := range cmds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s, err = b.doStep(ctx, sc, s, cmd, i, pos); err != nil {
			return nil, err
		}
	}
	if s.ID == "" {
		if _, err := s.commit(b.st, b.o.Format); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func stgCmd(stg *instructions.Stage) instructions.Command {
	if len(stg.Commands) > 0 {
		return stg.Commands[0]
	}
	return nil
}

func parseTrigger(t string) (instructions.Command, error) {
	res, err := parser.Parse(strings.NewReader(t))
	if err != nil {
		return nil, err
	}
	if len(res.AST.Children) != 1 {
		return nil, fmt.Errorf("not one instruction")
	}
	v, err := parseInstruction(res.AST.Children[0])
	if err != nil {
		return nil, err
	}
	c, ok := v.(instructions.Command)
	if !ok {
		return nil, fmt.Errorf("not allowed in ONBUILD")
	}
	return c, nil
}

// baseState is the image a stage starts from: scratch, an earlier stage,
// or a local or pulled image.
func (b *builder) baseState(ctx context.Context, i int, stg *instructions.Stage) (*state, error) {
	name, err := b.expandMeta(stg.BaseName)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: FROM %s: %v", ErrParse, b.df.Name, stg.BaseName, err)
	}
	if i == 0 && b.o.From != "" {
		name = b.o.From // --from
	}
	if name == "" {
		return nil, fmt.Errorf("%w: %s: FROM %s expands to an empty name", ErrParse, b.df.Name, stg.BaseName)
	}
	if stg.Platform != "" {
		p, err := b.expandMeta(stg.Platform)
		if err != nil {
			return nil, err
		}
		if host := goruntime.GOOS + "/" + goruntime.GOARCH; p != host && p != goruntime.GOOS+"/"+goruntime.GOARCH+"/" {
			return nil, fmt.Errorf("FROM --platform=%s: pod builds for this host's platform (%s) only", p, host)
		}
	}
	if strings.EqualFold(name, "scratch") {
		return scratchState(), nil
	}
	if j := stageIndex(b.df.Stages, i, name); j >= 0 {
		return b.results[j].clone(), nil
	}
	if dir, ok := b.o.BuildContexts[name]; ok {
		return nil, fmt.Errorf("FROM %s: the build context %s is a directory, not an image", name, dir)
	}
	local, err := image.Ensure(ctx, b.st, name, b.o.Pull, b.o.PullOptions)
	if err != nil {
		return nil, fmt.Errorf("FROM %s: %w", name, err)
	}
	return loadState(b.st, local.ID)
}

// parentKey names the image a step starts from, for cache keys.
func parentKey(s *state) string {
	if s.ID == "" {
		return "scratch:" + s.Image.OS + "/" + s.Image.Architecture
	}
	return s.ID
}

// doStep runs or reuses one instruction and returns the new image state.
func (b *builder) doStep(ctx context.Context, sc *scope, s *state, cmd instructions.Command, stage, pos int) (*state, error) {
	b.step++
	fmt.Fprintf(b.o.Out, "STEP %d/%d: %s\n", b.step, b.steps, text(cmd))
	env := s.Image.Config.Env
	if a, ok := cmd.(*instructions.ArgCommand); ok {
		// ARG changes no image: its values reach the keys of the steps
		// that use them.
		return s, b.declare(sc, a, env)
	}
	used := map[string]bool{}
	exp := b.expander(sc, env, used)
	if e, ok := cmd.(instructions.SupportsSingleWordExpansion); ok {
		if err := e.Expand(exp); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrParse, b.df.Name, line(cmd), err)
		}
	}
	if e, ok := cmd.(instructions.SupportsSingleWordExpansionRaw); ok {
		if err := e.ExpandRaw(exp); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrParse, b.df.Name, line(cmd), err)
		}
	}
	var names map[string]bool
	if _, isRun := cmd.(*instructions.RunCommand); !isRun {
		names = used
	}
	args := argsKey(sc, names)
	for _, a := range sc.args {
		if names == nil || names[a.Key] {
			b.usedArgs[a.Key] = true
		}
	}
	var cp *copyStep
	var files map[string]string
	if isCopy(cmd) {
		var err error
		if cp, err = b.planCopy(ctx, s, cmd); err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", b.df.Name, line(cmd), text(cmd), err)
		}
		defer cp.release()
		files = cp.digests
	}
	key := stepKey(parentKey(s), text(cmd), args, sourcesDigest(files))
	shapeKey := hashStrings(b.c.Dir, b.c.Dockerfile, strconv.Itoa(stage), strconv.Itoa(pos), text(cmd))
	if !b.o.NoCache && !b.o.NoLayers {
		if id, ok := b.cache.lookup(key); ok {
			if ns, err := loadState(b.st, id); err == nil && !b.tooOld(id) {
				fmt.Fprintf(b.o.Out, "--> Using cache %s\n--> %s\n", id, id[:12])
				return ns, nil
			} else if err == nil {
				fmt.Fprintf(b.o.Out, "cache miss: the cached image %s is older than --cache-ttl %v\n", id[:12], b.o.CacheTTL)
				b.stageReported = true
			} else {
				b.cache.forget(key)
			}
		}
		if !b.stageReported {
			b.stageReported = true
			if why, err := missReason(b.cache.shape(shapeKey), parentKey(s), args, files, parentKey(s) == b.stageBase); err == nil {
				fmt.Fprintf(b.o.Out, "cache miss: %s\n", why)
			}
		}
	}
	ns := s.clone()
	created := b.created()
	h := v1.History{Created: &created, CreatedBy: createdBy(cmd, s)}
	if err := b.execute(ctx, sc, ns, cmd, cp, h); err != nil {
		return nil, err
	}
	ns.Image.Created = &created
	id, err := ns.commit(b.st, b.o.Format)
	if err != nil {
		return nil, err
	}
	if !b.o.NoLayers {
		if err := b.cache.record(key, id, shapeKey, shapeRecord{Parent: parentKey(s), Args: args, Sources: files}); err != nil {
			fmt.Fprintf(b.o.Out, "warning: recording the build cache: %v\n", err)
		}
	}
	if b.step == b.steps {
		// The build's last step makes its image: Podman says COMMIT and
		// the image's first name here.
		fmt.Fprintln(b.o.Out, strings.TrimSpace("COMMIT "+strings.Join(b.o.Tags[:min(len(b.o.Tags), 1)], "")))
	}
	fmt.Fprintf(b.o.Out, "--> %s\n", id[:12])
	return ns, nil
}

func isCopy(cmd instructions.Command) bool {
	switch cmd.(type) {
	case *instructions.CopyCommand, *instructions.AddCommand:
		return true
	}
	return false
}

// createdBy is a step's history entry, in BuildKit's style.
func createdBy(cmd instructions.Command, s *state) string {
	if r, ok := cmd.(*instructions.RunCommand); ok {
		return "RUN " + strings.Join(runArgs(r, shellOf(s)), " ")
	}
	return text(cmd)
}

func shellOf(s *state) []string {
	if len(s.Image.Config.Shell) > 0 {
		return s.Image.Config.Shell
	}
	return []string{"/bin/sh", "-c"}
}

// execute applies one instruction to s.
func (b *builder) execute(ctx context.Context, sc *scope, s *state, cmd instructions.Command, cp *copyStep, h v1.History) error {
	cfg := &s.Image.Config
	switch c := cmd.(type) {
	case *instructions.RunCommand:
		return b.runStep(ctx, sc, s, c, h)
	case *instructions.CopyCommand, *instructions.AddCommand:
		return b.doCopy(ctx, s, cp, h)
	case *instructions.EnvCommand:
		for _, e := range c.Env {
			cfg.Env = mergeEnv(cfg.Env, []string{e.Key + "=" + e.Value})
		}
	case *instructions.LabelCommand:
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		for _, l := range c.Labels {
			cfg.Labels[l.Key] = l.Value
		}
	case *instructions.MaintainerCommand:
		s.Image.Author = c.Maintainer
	case *instructions.CmdCommand:
		cfg.Cmd = commandLine(c.ShellDependantCmdLine, shellOf(s))
		sc.cmdSet = true
	case *instructions.EntrypointCommand:
		cfg.Entrypoint = commandLine(c.ShellDependantCmdLine, shellOf(s))
		if !sc.cmdSet {
			cfg.Cmd = nil
		}
	case *instructions.ExposeCommand:
		ports, err := exposedPorts(c.Ports)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", b.df.Name, line(cmd), err)
		}
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range ports {
			cfg.ExposedPorts[p] = struct{}{}
		}
	case *instructions.VolumeCommand:
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		for _, v := range c.Volumes {
			if v == "" {
				return fmt.Errorf("%s:%d: VOLUME: an empty path", b.df.Name, line(cmd))
			}
			cfg.Volumes[v] = struct{}{}
		}
	case *instructions.UserCommand:
		cfg.User = c.User
	case *instructions.WorkdirCommand:
		cfg.WorkingDir = absDest(c.Path, cfg.WorkingDir)
		if len(cfg.WorkingDir) > 1 {
			cfg.WorkingDir = strings.TrimSuffix(cfg.WorkingDir, "/")
		}
	case *instructions.StopSignalCommand:
		cfg.StopSignal = c.Signal
	case *instructions.HealthCheckCommand:
		cfg.Healthcheck = healthConfig(c)
	case *instructions.ShellCommand:
		cfg.Shell = c.Shell
	case *instructions.OnbuildCommand:
		cfg.OnBuild = append(cfg.OnBuild, c.Expression)
	default:
		return fmt.Errorf("%s:%d: %s is not supported", b.df.Name, line(cmd), cmd.Name())
	}
	s.addHistory(h)
	return nil
}

// text is an instruction as written.
func text(cmd instructions.Command) string {
	if s, ok := cmd.(fmt.Stringer); ok {
		return s.String()
	}
	return cmd.Name()
}

// tooOld reports whether the cached image id was made longer ago than
// --cache-ttl allows.
func (b *builder) tooOld(id string) bool {
	if b.o.CacheTTL <= 0 {
		return false
	}
	img, err := b.st.Image(id)
	return err != nil || time.Since(img.Created) > b.o.CacheTTL
}
