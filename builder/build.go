package builder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/sirupsen/logrus"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
)

// Image formats of --format.
const (
	FormatDocker = "docker" // Docker schema 2 (the default, as Docker's)
	FormatOCI    = "oci"
)

// ErrStepFailed is a RUN step whose command failed; the error is a
// *StepError carrying the exit code.
var ErrStepFailed = errors.New("build step failed")

// StepError is a failed RUN: its exit code and where it is.
type StepError struct {
	File, Instruction string
	Line, Code        int
}

func (e *StepError) Error() string {
	return fmt.Sprintf("%s:%d: %s: the command returned a non-zero code: %d", e.File, e.Line, e.Instruction, e.Code)
}

func (e *StepError) Unwrap() error { return ErrStepFailed }

// ExitCode is the failed command's.
func (e *StepError) ExitCode() int { return e.Code }

// IdentityLabel names the pod that built an image, as Buildah's
// io.buildah.version does.
const IdentityLabel = "io.pod.version"

// Options say what to build and how. Zero values are Docker's defaults.
type Options struct {
	// Tags name the image (-t, several allowed); none leaves it untagged.
	Tags []string
	// BuildArgs are --build-arg values (and --build-arg-file's).
	BuildArgs map[string]string
	// Target is the stage to build (default: the last).
	Target string
	// Labels and Annotations are added to the final image; annotations
	// are kept in OCI images only.
	Labels, Annotations map[string]string
	// NoCache ignores cached steps (they are still recorded).
	NoCache bool
	// NoLayers (--layers=false) uses no cache and commits the build's
	// new layers as one.
	NoLayers bool
	// Squash merges the build's new layers into one; SquashAll merges all.
	Squash, SquashAll bool
	// Pull is the base image pull policy; PullOptions its registry options.
	Pull        image.PullPolicy
	PullOptions image.PullOptions
	// Format is FormatDocker ("" too) or FormatOCI.
	Format string
	// Network is RUN's network: "host" (the default) or "none".
	Network string
	// Secrets are --secret id=ID,src=PATH: ID → host path.
	Secrets map[string]string
	// BuildContexts are --build-context NAME=DIR: extra contexts that
	// COPY --from and RUN --mount from= name.
	BuildContexts map[string]string
	// Timestamp, when set, is the creation time of the image and of its
	// history (--timestamp, SOURCE_DATE_EPOCH).
	Timestamp *time.Time
	// Out receives the steps and their output (nil: discarded, as -q).
	Out io.Writer
	// Runtime finds the OCI runtime; called once, on the first RUN.
	Runtime  func(context.Context) (*runtime.Runtime, error)
	Rootless bool
	// KeepContainers keeps the working containers of failed steps
	// (--force-rm=false); they are removed otherwise.
	KeepContainers bool
	// KeepIntermediate keeps the working containers of steps that succeeded
	// (--rm=false); they are removed otherwise.
	KeepIntermediate bool
	// Run is what every RUN step's container gets besides its step.
	Run RunSettings
	// Env and UnsetEnv change the final image's environment (--env
	// KEY=VALUE, --unsetenv KEY).
	Env, UnsetEnv []string
	// From replaces the base image of the first stage (--from).
	From string
	// OmitHistory leaves the history out of the final image.
	OmitHistory bool
	// IdentityLabel, when set, is the version of pod that labels the
	// image as its builder (IdentityLabel, --identity-label).
	IdentityLabel string
	// HTTPProxy gives RUN steps the proxy variables of pod's environment
	// (--http-proxy, the default), unless build arguments set them.
	HTTPProxy bool
	// CacheTTL, when set, leaves out cached steps older than it.
	CacheTTL time.Duration
	// AllStages builds every stage up to the target, needed or not
	// (--skip-unused-stages=false).
	AllStages bool
	// Stdin is given to RUN steps (--stdin); nil gives them none.
	Stdin io.Reader
	// CppFlags are given to cpp, which preprocesses a Dockerfile whose
	// name ends in .in (--cpp-flag).
	CppFlags []string
	// OSVersion and OSFeatures go into the image's platform fields.
	OSVersion  string
	OSFeatures []string
}

// RunSettings are the container settings of RUN steps: --add-host,
// --dns, --dns-option, --dns-search, --no-hosts, --cap-add, --cap-drop,
// --security-opt and --volume's bind mounts.
type RunSettings struct {
	ExtraHosts, DNS, DNSOptions, DNSSearch []string
	NoHosts                                bool
	CapAdd, CapDrop, SecurityOpt           []string
	Mounts                                 []container.Mount
	// Resources are the cgroup limits of RUN steps, applied where they
	// have a cgroup of their own (rootful).
	Resources *container.Resources
	// Ulimits and ShmSize are --ulimit and --shm-size; Devices,
	// CgroupParent and the namespace modes as run's.
	Ulimits                     []string
	ShmSize                     int64
	Devices                     []string
	CgroupParent, IPC, PID, UTS string
	CgroupNS                    string
	// IDMap is a user namespace of RUN steps' own (--userns-uid-map...):
	// their files are owned by its IDs while they run, by the container's
	// IDs in the layer.
	IDMap *container.IDMap
}

// Build builds the image the Dockerfile of c describes and returns its ID.
func Build(ctx context.Context, st storage.Store, c *Context, o Options) (string, error) {
	f, err := os.Open(c.Dockerfile)
	if err != nil {
		return "", fmt.Errorf("opening the Dockerfile: %w", err)
	}
	var src io.Reader = f
	if strings.HasSuffix(c.Dockerfile, ".in") {
		if src, err = preprocess(ctx, f, c.Dir, o.CppFlags); err != nil {
			f.Close()
			return "", err
		}
	} else if len(o.CppFlags) > 0 {
		f.Close()
		return "", fmt.Errorf("--cpp-flag: only a Dockerfile whose name ends in .in is preprocessed (%s)", filepath.Base(c.Dockerfile))
	}
	df, err := parseDockerfile(c.Dockerfile, src)
	f.Close()
	if err != nil {
		return "", err
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Format == "" {
		o.Format = FormatDocker
	}
	if o.Format != FormatDocker && o.Format != FormatOCI {
		return "", fmt.Errorf("--format %q: use oci or docker", o.Format)
	}
	if df.Syntax != "" {
		fmt.Fprintf(o.Out, "note: the syntax directive (%s) is ignored: pod builds with its own frontend\n", df.Syntax)
	}
	b := &builder{st: st, o: o, c: c, df: df, lex: shell.NewLex(df.Escape), results: map[int]*state{}, usedArgs: map[string]bool{}}
	b.cache = openCache(st.GraphRoot())
	b.reclaimKilledSteps(ctx)
	return b.run(ctx)
}

// builder is one build.
type builder struct {
	st      storage.Store
	o       Options
	c       *Context
	df      *dockerfile
	lex     *shell.Lex
	cache   *cacheIndex
	meta    []kv // the global ARGs, evaluated
	results map[int]*state
	// baseLayers is how many layers the target's base image has (--squash).
	baseLayers    int
	step, steps   int
	rt            *runtime.Runtime
	usedArgs      map[string]bool
	stageReported bool
	// stageBase is the cache parent of the stage's base image.
	stageBase string
}

func (b *builder) run(ctx context.Context) (string, error) {
	meta, err := b.evalMetaArgs()
	if err != nil {
		return "", err
	}
	b.meta = meta
	target := len(b.df.Stages) - 1
	if b.o.Target != "" {
		target = stageIndex(b.df.Stages, len(b.df.Stages), b.o.Target)
		if target < 0 {
			return "", fmt.Errorf("target stage %q not found in %s", b.o.Target, b.df.Name)
		}
	}
	needed, err := b.neededStages(target)
	if err != nil {
		return "", err
	}
	if b.o.AllStages {
		for i := 0; i <= target; i++ {
			needed[i] = true
		}
	}
	for i := range b.df.Stages {
		if needed[i] {
			b.steps += 1 + len(b.df.Stages[i].Commands)
		}
	}
	for i := 0; i <= target; i++ {
		if !needed[i] {
			continue
		}
		s, err := b.buildStage(ctx, i, i == target)
		if err != nil {
			return "", err
		}
		b.results[i] = s
	}
	b.warnUnusedArgs()
	return b.finish(ctx, b.results[target])
}

// neededStages marks the target and the stages it depends on.
func (b *builder) neededStages(target int) (map[int]bool, error) {
	needed := map[int]bool{}
	var visit func(i int)
	visit = func(i int) {
		if needed[i] {
			return
		}
		needed[i] = true
		st := &b.df.Stages[i]
		if base, err := b.expandMeta(st.BaseName); err == nil {
			if j := stageIndex(b.df.Stages, i, base); j >= 0 {
				visit(j)
			}
		}
		for _, cmd := range st.Commands {
			for _, from := range stageRefs(cmd) {
				from, err := b.expandMeta(from)
				if err != nil {
					continue
				}
				if j := stageIndex(b.df.Stages, i, from); j >= 0 {
					visit(j)
				}
			}
		}
	}
	visit(target)
	return needed, nil
}

// stageRefs are the stages (or images) a command reads from.
func stageRefs(cmd instructions.Command) []string {
	switch c := cmd.(type) {
	case *instructions.CopyCommand:
		if c.From != "" {
			return []string{c.From}
		}
	case *instructions.RunCommand:
		var out []string
		for _, m := range instructions.GetMounts(c) {
			if m.From != "" {
				out = append(out, m.From)
			}
		}
		return out
	}
	return nil
}

// finish applies labels and annotations, squashes, tags and reports.
func (b *builder) finish(ctx context.Context, s *state) (string, error) {
	if b.o.IdentityLabel != "" {
		labels := maps.Clone(b.o.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		labels[IdentityLabel] = b.o.IdentityLabel
		b.o.Labels = labels
	}
	changed := len(b.o.Labels) > 0 || len(b.o.Env) > 0 || len(b.o.UnsetEnv) > 0 || b.o.OmitHistory || b.o.OSVersion != "" || len(b.o.OSFeatures) > 0
	if changed {
		s = s.clone()
	}
	if b.o.OSVersion != "" {
		s.Image.OSVersion = b.o.OSVersion
	}
	if len(b.o.OSFeatures) > 0 {
		s.Image.OSFeatures = b.o.OSFeatures
	}
	for _, e := range b.o.Env {
		k, _, _ := strings.Cut(e, "=")
		s.Image.Config.Env = append(slices.DeleteFunc(s.Image.Config.Env, func(x string) bool { return strings.HasPrefix(x, k+"=") }), e)
	}
	for _, k := range b.o.UnsetEnv {
		s.Image.Config.Env = slices.DeleteFunc(s.Image.Config.Env, func(x string) bool { return x == k || strings.HasPrefix(x, k+"=") })
	}
	if b.o.OmitHistory {
		s.Image.History = nil
	}
	if len(b.o.Labels) > 0 {
		if s.Image.Config.Labels == nil {
			s.Image.Config.Labels = map[string]string{}
		}
		for k, v := range b.o.Labels {
			s.Image.Config.Labels[k] = v
		}
	}
	if len(b.o.Annotations) > 0 && b.o.Format != FormatOCI {
		fmt.Fprintln(b.o.Out, "warning: annotations are kept in OCI images only (--format oci)")
	}
	id := s.ID
	if id == "" || changed || len(b.o.Annotations) > 0 && b.o.Format == FormatOCI {
		s.Annotations = b.o.Annotations
		var err error
		if id, err = s.commit(b.st, b.o.Format); err != nil {
			return "", err
		}
	}
	if b.o.SquashAll || b.o.Squash || b.o.NoLayers {
		keep := b.baseLayers
		if b.o.SquashAll {
			keep = 0
		}
		if keep < len(s.Layers) {
			var err error
			if id, err = image.Squash(ctx, b.st, id, keep); err != nil {
				return "", fmt.Errorf("squashing: %w", err)
			}
		}
	}
	for _, t := range b.o.Tags {
		named, err := image.ParseTagName(t)
		if err != nil {
			return "", err
		}
		if err := b.st.AddNames(id, []string{named.String()}); err != nil {
			return "", fmt.Errorf("tagging %s: %w", t, err)
		}
		fmt.Fprintf(b.o.Out, "Successfully tagged %s\n", named.String())
	}
	return id, nil
}

func (b *builder) created() time.Time {
	if b.o.Timestamp != nil {
		return b.o.Timestamp.UTC()
	}
	return time.Now().UTC()
}

func (b *builder) warnUnusedArgs() {
	var unused []string
	for k := range b.o.BuildArgs {
		if !b.usedArgs[k] && !isBuiltinArg(k) {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		fmt.Fprintf(b.o.Out, "[Warning] one or more build args were not consumed: %s\n", strings.Join(unused, ", "))
	}
}

func (b *builder) runtime(ctx context.Context) (*runtime.Runtime, error) {
	if b.rt != nil {
		return b.rt, nil
	}
	if b.o.Runtime == nil {
		return nil, errors.New("no OCI runtime to run RUN steps with")
	}
	rt, err := b.o.Runtime(ctx)
	if err != nil {
		return nil, err
	}
	b.rt = rt
	logrus.Debugf("build: RUN steps use %s", rt.Path)
	return rt, nil
}

// preprocess runs the C preprocessor over a Dockerfile.in, as Podman does:
// #include finds files in the context, and the flags define macros.
func preprocess(ctx context.Context, in io.Reader, contextDir string, flags []string) (io.Reader, error) {
	cpp, err := exec.LookPath("cpp")
	if err != nil {
		return nil, fmt.Errorf("a Dockerfile ending in .in is preprocessed with cpp, which is not installed (apt-get install cpp): %w", err)
	}
	args := append([]string{"-E", "-P", "-traditional", "-undef", "-iquote", contextDir}, flags...)
	cmd := exec.CommandContext(ctx, cpp, append(args, "-")...)
	cmd.Stdin = in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("preprocessing the Dockerfile with cpp: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return bytes.NewReader(out), nil
}
