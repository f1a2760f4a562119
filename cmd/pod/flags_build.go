package main

import (
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/builder"
	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/network/slirp"
)

// buildFlags are pod build's flags.
type buildFlags struct {
	file, target, iidfile, format, network, pull string
	tags, buildArgs, buildArgFiles, labels       []string
	annotations, secrets, buildContexts          []string
	quiet, noCache, layers, squash, squashAll    bool
	rm, forceRm                                  bool
	timestamp                                    int64
	reg                                          registryFlags
	// The RUN steps' container settings and the final image's changes.
	addHosts, dns, dnsOptions, dnsSearch            []string
	capAdd, capDrop, secOpt, volumes, env, unsetEnv []string
	noHosts, omitHistory, httpProxy                 bool
	from, ignoreFile, logFile, isolation, output    string
	compress, disableCompression                    bool
	jobs                                            int
	cacheTTL                                        time.Duration
	skipUnused, stdin, logSplit, allPlatforms       bool
	osVersion, manifest, signBy, decryptKey         string
	osFeatures, cacheFrom, cacheTo, ssh, hooksDir   []string
	res                                             resourceFlags
	cppFlags                                        []string
	// proc holds the RUN steps' process flags that run's processFlags
	// also take, and checks them the same way.
	proc processFlags
	// userns and idmap: RUN steps' user namespace; identityLabel adds
	// IdentityLabel to the image.
	userns        string
	idmap         lifecycle.IDMapFlags
	identityLabel bool
}

func (f *buildFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.file, "file", "f", "", "the Dockerfile (default: Containerfile, else Dockerfile, in the context); - reads it from standard input")
	fl.StringArrayVarP(&f.tags, "tag", "t", nil, "name the image (may be given several times)")
	fl.StringArrayVar(&f.buildArgs, "build-arg", nil, "set a build argument: KEY=VALUE, or KEY to take it from the environment")
	fl.StringArrayVar(&f.buildArgFiles, "build-arg-file", nil, "read build arguments (KEY=VALUE lines) from a file")
	fl.StringVar(&f.target, "target", "", "build this stage (default: the last)")
	fl.StringArrayVar(&f.labels, "label", nil, "add a label to the image: KEY=VALUE")
	fl.StringArrayVar(&f.annotations, "annotation", nil, "add an annotation to the image's manifest (OCI format): KEY=VALUE")
	fl.StringVar(&f.iidfile, "iidfile", "", "write the image ID to this file")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only the image ID")
	fl.BoolVar(&f.noCache, "no-cache", false, "do not use cached steps")
	fl.BoolVar(&f.layers, "layers", true, "cache each step's image; false commits the build's new layers as one")
	fl.BoolVar(&f.squash, "squash", false, "merge the build's new layers into one")
	fl.BoolVar(&f.squashAll, "squash-all", false, "merge all layers, the base image's too, into one")
	fl.StringVar(&f.format, "format", "docker", "image format: docker or oci")
	fl.StringVar(&f.network, "network", "host", "network of RUN steps: host or none")
	fl.StringVar(&f.pull, "pull", "missing", "pull base images: always, missing, never or newer")
	fl.StringArrayVar(&f.secrets, "secret", nil, "a secret for RUN --mount=type=secret: id=ID,src=PATH")
	fl.StringArrayVar(&f.buildContexts, "build-context", nil, "an extra named context: NAME=DIR")
	fl.BoolVar(&f.rm, "rm", true, "remove the working containers of successful steps")
	fl.BoolVar(&f.forceRm, "force-rm", true, "remove the working container of a failed step")
	fl.Int64Var(&f.timestamp, "timestamp", 0, "creation time of the image and its history, in seconds since the epoch (default: $SOURCE_DATE_EPOCH, else now)")
	f.reg.register(cmd, true, true)
	fl.StringArrayVar(&f.addHosts, "add-host", nil, "add a NAME:IP line to /etc/hosts of RUN steps")
	fl.StringSliceVar(&f.dns, "dns", nil, "DNS servers of RUN steps")
	fl.StringSliceVar(&f.dnsOptions, "dns-option", nil, "DNS options of RUN steps")
	fl.StringSliceVar(&f.dnsSearch, "dns-search", nil, "DNS search domains of RUN steps")
	fl.BoolVar(&f.noHosts, "no-hosts", false, "give RUN steps the image's own /etc/hosts")
	fl.StringSliceVar(&f.capAdd, "cap-add", nil, "add Linux capabilities to RUN steps")
	fl.StringSliceVar(&f.capDrop, "cap-drop", nil, "drop Linux capabilities of RUN steps")
	fl.StringArrayVar(&f.secOpt, "security-opt", nil, "security options of RUN steps: seccomp=unconfined|FILE, no-new-privileges")
	fl.StringArrayVarP(&f.volumes, "volume", "v", nil, "bind-mount a host directory into RUN steps: /HOST:DST[:ro,...]")
	fl.StringArrayVar(&f.env, "env", nil, "set an environment variable in the image: KEY=VALUE, or KEY to take pod's")
	fl.StringArrayVar(&f.unsetEnv, "unsetenv", nil, "remove an environment variable from the image")
	fl.BoolVar(&f.omitHistory, "omit-history", false, "leave the history out of the image")
	fl.BoolVar(&f.httpProxy, "http-proxy", true, "give RUN steps pod's proxy environment variables")
	fl.StringVar(&f.from, "from", "", "build the first stage on this image instead of its FROM")
	fl.StringVar(&f.ignoreFile, "ignorefile", "", "the file of patterns to exclude from the context (instead of .containerignore/.dockerignore)")
	fl.StringVar(&f.logFile, "logfile", "", "write the build's output to this file instead of standard output")
	fl.StringVar(&f.isolation, "isolation", "oci", "how RUN steps are isolated: oci (an OCI runtime; rootless when pod is), rootless")
	fl.StringVarP(&f.output, "output", "o", "", "also export the image's files: DIR, type=local,dest=DIR or type=tar,dest=FILE")
	fl.BoolVar(&f.compress, "compress", false, "accepted as Podman does: the context is never sent anywhere to compress")
	fl.BoolVar(&f.disableCompression, "disable-compression", true, "accepted as Podman does: layers are stored uncompressed and compressed when pushed")
	fl.IntVar(&f.jobs, "jobs", 1, "stages built at once (pod builds them one after another)")
	fl.StringArrayVar(&f.proc.ulimits, "ulimit", nil, "a process limit of RUN steps: NAME=SOFT[:HARD]")
	fl.StringArrayVar(&f.proc.devices, "device", nil, "give RUN steps a host device node: HOST[:CONTAINER][:PERMS]")
	fl.StringVar(&f.proc.cgroupParent, "cgroup-parent", "", "the cgroup RUN steps' go under, rootful (default /pod)")
	fl.StringVar(&f.proc.ipc, "ipc", "", "IPC namespace of RUN steps: private (default), host or ns:PATH")
	fl.StringVar(&f.proc.pid, "pid", "", "PID namespace of RUN steps: private (default), host or ns:PATH")
	fl.StringVar(&f.proc.uts, "uts", "", "UTS namespace of RUN steps: private (default), host or ns:PATH")
	fl.StringVar(&f.proc.cgroupns, "cgroupns", "", "cgroup namespace of RUN steps: private or host")
	fl.StringVar(&f.proc.shmSize, "shm-size", "", "size of /dev/shm in RUN steps (default 64m)")
	fl.StringVar(&f.userns, "userns", "", "user namespace of RUN steps: host or private (pod's own, the default); the maps below give them one of their own")
	fl.StringArrayVar(&f.idmap.UIDMaps, "userns-uid-map", nil, "RUN steps in a user namespace of their own: CONTAINER:HOST:SIZE, HOST in pod's namespace when rootless (also serves for GIDs)")
	fl.StringArrayVar(&f.idmap.GIDMaps, "userns-gid-map", nil, "as --userns-uid-map, for group IDs")
	fl.StringVar(&f.idmap.SubUIDName, "userns-uid-map-user", "", "as root: map RUN steps' UIDs onto USER's ranges in /etc/subuid")
	fl.StringVar(&f.idmap.SubGIDName, "userns-gid-map-group", "", "as root: map RUN steps' GIDs onto GROUP's ranges in /etc/subgid")
	fl.BoolVar(&f.identityLabel, "identity-label", true, "label the image with the pod that built it ("+builder.IdentityLabel+")")
	fl.StringArrayVar(&f.cppFlags, "cpp-flag", nil, "a flag for cpp, which preprocesses a Dockerfile ending in .in (-DNAME=VALUE)")
	fl.DurationVar(&f.cacheTTL, "cache-ttl", 0, "use cached steps made less than this long ago only (such as 24h)")
	fl.BoolVar(&f.skipUnused, "skip-unused-stages", true, "build only the stages the target needs (false: every stage up to it)")
	fl.BoolVar(&f.stdin, "stdin", false, "give RUN steps pod's standard input")
	fl.BoolVar(&f.logSplit, "logsplit", false, "with --logfile: write to LOGFILE_OS_ARCH, the platform's own file")
	fl.StringVar(&f.osVersion, "os-version", "", "the OS version the image needs, in its platform")
	fl.StringSliceVar(&f.osFeatures, "os-feature", nil, "an OS feature the image needs, in its platform")
	f.res.register(fl, buildResources)
	// Refused, each with its reason (see runSettings).
	fl.BoolVar(&f.allPlatforms, "all-platforms", false, "refused: pod builds for this host's platform only")
	fl.StringVar(&f.manifest, "manifest", "", "refused: pod has no manifest lists")
	fl.StringArrayVar(&f.cacheFrom, "cache-from", nil, "refused: pod's layer cache is local to its store")
	fl.StringArrayVar(&f.cacheTo, "cache-to", nil, "refused: pod's layer cache is local to its store")
	fl.StringVar(&f.signBy, "sign-by", "", "refused: pod does not sign images")
	fl.StringVar(&f.decryptKey, "decryption-key", "", "refused: pod does not decrypt encrypted images")
	fl.StringArrayVar(&f.ssh, "ssh", nil, "refused: pod does not forward an SSH agent to RUN steps")
	fl.StringArrayVar(&f.hooksDir, "hooks-dir", nil, "refused: pod runs no OCI hooks of its users")
}

// options turns the flags into builder.Options.
func (f *buildFlags) options(cmd *cobra.Command) (builder.Options, error) {
	o := builder.Options{
		Tags: f.tags, Target: f.target, NoCache: f.noCache, NoLayers: !f.layers,
		Squash: f.squash, SquashAll: f.squashAll, Format: f.format, Network: f.network,
		PullOptions:      f.reg.pullOptions(cmd),
		KeepIntermediate: !f.rm, KeepContainers: !f.forceRm,
	}
	if f.reg.platform != "" {
		if host := goruntime.GOOS + "/" + goruntime.GOARCH; f.reg.platform != host {
			return o, usageErrorf("--platform %s: pod builds for this host's platform (%s) only", f.reg.platform, host)
		}
	}
	var err error
	if o.Pull, err = image.ParsePullPolicy(f.pull); err != nil {
		return o, usageErrorf("--pull: %v", err)
	}
	if o.BuildArgs, err = parseBuildArgs(f.buildArgs, f.buildArgFiles); err != nil {
		return o, err
	}
	if o.Labels, err = container.ParseLabels(f.labels); err != nil {
		return o, usageErrorf("--label: %v", err)
	}
	if o.Annotations, err = container.ParseLabels(f.annotations); err != nil {
		return o, usageErrorf("--annotation: %v", err)
	}
	if o.Secrets, err = parseSecrets(f.secrets); err != nil {
		return o, err
	}
	o.BuildContexts = map[string]string{}
	for _, c := range f.buildContexts {
		name, dir, ok := strings.Cut(c, "=")
		if !ok || name == "" || dir == "" {
			return o, usageErrorf("--build-context %q: use NAME=DIR", c)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return o, usageErrorf("--build-context %q: %s is not a directory", c, dir)
		}
		o.BuildContexts[name] = dir
	}
	if err := f.runSettings(&o); err != nil {
		return o, err
	}
	ts := f.timestamp
	if !cmd.Flags().Changed("timestamp") {
		if v := os.Getenv("SOURCE_DATE_EPOCH"); v != "" {
			if ts, err = strconv.ParseInt(v, 10, 64); err != nil {
				return o, usageErrorf("SOURCE_DATE_EPOCH=%q: not a number of seconds", v)
			}
		}
	}
	if cmd.Flags().Changed("timestamp") || os.Getenv("SOURCE_DATE_EPOCH") != "" {
		t := time.Unix(ts, 0).UTC()
		o.Timestamp = &t
	}
	return o, nil
}

// parseBuildArgs reads --build-arg-file files, then --build-arg values
// over them; KEY alone takes the value from the environment.
func parseBuildArgs(args, files []string) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range files {
		lines, err := readKVFile(name)
		if err != nil {
			return nil, usageErrorf("--build-arg-file: %v", err)
		}
		for _, l := range lines {
			args = append([]string{l}, args...)
		}
	}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if k == "" {
			return nil, usageErrorf("--build-arg %q: use KEY=VALUE", a)
		}
		if !ok {
			if v, ok = os.LookupEnv(k); !ok {
				continue
			}
		}
		out[k] = v
	}
	return out, nil
}

// parseSecrets parses --secret id=ID,src=PATH (type=file).
func parseSecrets(specs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range specs {
		var id, src string
		for _, kv := range strings.Split(s, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "id":
				id = v
			case "src", "source":
				src = v
			case "type":
				if v != "file" {
					return nil, usageErrorf("--secret %q: only type=file is supported", s)
				}
			default:
				return nil, usageErrorf("--secret %q: unknown option %q (use id=ID,src=PATH)", s, k)
			}
		}
		if id == "" || src == "" {
			return nil, usageErrorf("--secret %q: use id=ID,src=PATH", s)
		}
		if _, err := os.Stat(src); err != nil {
			return nil, usageErrorf("--secret %q: %v", s, err)
		}
		out[id] = src
	}
	return out, nil
}

// writeIIDFile writes --iidfile.
func writeIIDFile(path, id string) error {
	if path == "" {
		return nil
	}
	if err := os.WriteFile(path, []byte("sha256:"+id), 0o644); err != nil {
		return fmt.Errorf("--iidfile: %w", err)
	}
	return nil
}

// runSettings checks the RUN steps' container flags and the final
// image's changes into o.
func (f *buildFlags) runSettings(o *builder.Options) error {
	if err := slirp.ParseExtraHosts(f.addHosts); err != nil {
		return usageErrorf("%v", err)
	}
	if f.noHosts && len(f.addHosts) > 0 {
		return usageErrorf("--no-hosts and --add-host cannot be used together: --add-host writes /etc/hosts")
	}
	for _, v := range f.volumes {
		m, err := container.ParseVolume(v)
		if err != nil {
			return usageErrorf("%v", err)
		}
		if m.Type != container.MountBind {
			return usageErrorf("--volume %q: a build mounts host directories only (/HOST:DST)", v)
		}
		if m.Source, err = filepath.Abs(m.Source); err != nil {
			return usageErrorf("--volume %q: %v", v, err)
		}
		o.Run.Mounts = append(o.Run.Mounts, m)
	}
	var err error
	if o.Run.DNS, err = slirp.ParseDNS(f.dns); err != nil {
		return usageErrorf("%v", err)
	}
	if o.Run.DNSSearch, err = slirp.ParseDNSSearch(f.dnsSearch); err != nil {
		return usageErrorf("%v", err)
	}
	if o.Run.DNSOptions, err = slirp.ParseDNSOptions(f.dnsOptions); err != nil {
		return usageErrorf("%v", err)
	}
	o.Run.ExtraHosts = f.addHosts
	o.Run.NoHosts, o.Run.CapAdd, o.Run.CapDrop, o.Run.SecurityOpt = f.noHosts, f.capAdd, f.capDrop, f.secOpt
	env, err := container.ParseEnv(f.env, nil, os.LookupEnv)
	if err != nil {
		return usageErrorf("--env: %v", err)
	}
	o.Env, o.UnsetEnv = env, f.unsetEnv
	o.From, o.OmitHistory, o.HTTPProxy = f.from, f.omitHistory, f.httpProxy
	switch f.isolation {
	case "oci", "rootless", "":
	case "chroot":
		return usageErrorf("--isolation chroot: pod runs RUN steps with an OCI runtime in namespaces; use oci")
	default:
		return usageErrorf("--isolation %q: use oci or rootless", f.isolation)
	}
	switch f.userns {
	case "", "host", "private":
	default:
		if strings.HasPrefix(f.userns, "container:") || strings.HasPrefix(f.userns, "ns:") {
			return usageErrorf("--userns %s: RUN steps cannot join another user namespace: leave it out (pod's own), or give --userns-uid-map for one of their own", f.userns)
		}
		return usageErrorf("--userns %q: host or private (or --userns-uid-map for a map of your choice)", f.userns)
	}
	for _, m := range [][]string{f.idmap.UIDMaps, f.idmap.GIDMaps} {
		if _, err := container.ParseIDMapping("--userns-uid-map", m); err != nil {
			return usageErrorf("%v", err)
		}
	}
	f.idmap.Build = true
	if f.identityLabel {
		o.IdentityLabel = version
	}
	refused := []struct {
		flag, why string
		given     bool
	}{
		{"--all-platforms", "pod builds for this host's platform only (others need qemu-user emulation and manifest lists)", f.allPlatforms},
		{"--manifest", "pod has no manifest lists: build, then push each image", f.manifest != ""},
		{"--cache-from", "pod's layer cache is local to its store: pull the image to reuse its layers as a base", len(f.cacheFrom) > 0},
		{"--cache-to", "pod's layer cache is local to its store", len(f.cacheTo) > 0},
		{"--sign-by", "pod does not sign images (as push refuses its signing flags)", f.signBy != ""},
		{"--decryption-key", "pod does not pull encrypted images", f.decryptKey != ""},
		{"--ssh", "pod does not forward an SSH agent to RUN steps: use --secret", len(f.ssh) > 0},
		{"--hooks-dir", "pod runs no OCI hooks of its users", len(f.hooksDir) > 0},
	}
	for _, r := range refused {
		if r.given {
			return usageErrorf("%s: %s", r.flag, r.why)
		}
	}
	res, err := f.res.parseNew()
	if err != nil {
		return err
	}
	if !res.IsZero() {
		o.Run.Resources = &res
	}
	if f.cacheTTL < 0 {
		return usageErrorf("--cache-ttl %v: give a positive duration", f.cacheTTL)
	}
	o.CacheTTL, o.AllStages, o.OSVersion, o.OSFeatures = f.cacheTTL, !f.skipUnused, f.osVersion, f.osFeatures
	o.CppFlags = f.cppFlags
	// The same checks as run's.
	shaped := container.Config{NetworkMode: "host"}
	if err := f.proc.apply(&shaped); err != nil {
		return err
	}
	for _, m := range []string{shaped.IPC, shaped.PID, shaped.UTS} {
		if strings.HasPrefix(m, "container:") {
			return usageErrorf("a build's RUN steps cannot share another container's namespaces (%s): give host or ns:PATH", m)
		}
	}
	o.Run.Ulimits, o.Run.ShmSize, o.Run.Devices, o.Run.CgroupParent = shaped.Ulimits, shaped.ShmSize, shaped.Devices, shaped.CgroupParent
	o.Run.IPC, o.Run.PID, o.Run.UTS, o.Run.CgroupNS = shaped.IPC, shaped.PID, shaped.UTS, shaped.CgroupNS
	if f.logSplit && f.logFile == "" {
		return usageErrorf("--logsplit needs --logfile")
	}
	if f.jobs < 0 {
		return usageErrorf("--jobs %d: give 1 or more (0: as many as there are stages)", f.jobs)
	}
	return nil
}
