package main

import (
	"bufio"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"strings"

	units "github.com/docker/go-units"
	"github.com/spf13/pflag"

	"github.com/pod-project/pod/cdi"
	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/userns"
)

// processFlags are run's and create's flags for the container's process
// and environment: --ulimit, --shm-size, --sysctl, --umask, --tz,
// --annotation, --unsetenv(-all), --env-merge, --env-host, --label-file.
type processFlags struct {
	ulimits, sysctls, annotations, unsetEnv, envMerge, labelFiles []string
	shmSize, umask, tz, initPath                                  string
	unsetEnvAll, envHost, init                                    bool
	groupAdd                                                      []string
	ipc, pid, uts, cgroupns                                       string
	devices                                                       []string
	userns, passwdEntry                                           string
	uidMaps, gidMaps                                              []string
	subUIDName, subGIDName                                        string
	chrootDirs, deviceCgroupRules, requires                       []string
	timeout                                                       uint
	oomKillDisable                                                bool
	hostUsers                                                     []string
	passwd                                                        bool
	imageVolume, personality, cgroupParent, seccompPolicy         string
	httpProxy                                                     bool
	cgroupConf                                                    []string
	oomScoreAdj                                                   int
	readOnlyTmpfs                                                 bool
	changed                                                       func(string) bool
}

func (f *processFlags) register(fs *pflag.FlagSet) {
	f.changed = fs.Changed
	fs.BoolVar(&f.httpProxy, "http-proxy", true, "give the container pod's proxy variables (http_proxy, https_proxy, ftp_proxy, no_proxy and their upper-case forms)")
	fs.StringArrayVar(&f.cgroupConf, "cgroup-conf", nil, "a cgroup v2 setting of a rootful container: KEY=VALUE (memory.high=1g)")
	fs.StringVar(&f.imageVolume, "image-volume", "bind", "what the image's VOLUMEs become: bind (anonymous volumes), tmpfs or ignore")
	fs.StringVar(&f.personality, "personality", "", "the process's execution domain: LINUX or LINUX32")
	fs.StringVar(&f.cgroupParent, "cgroup-parent", "", "the cgroup a rootful container's goes under (default /pod)")
	fs.StringVar(&f.seccompPolicy, "seccomp-policy", "default", "default: --security-opt seccomp= or pod's profile (image: refused, pod reads no profile from image annotations)")
	fs.StringArrayVar(&f.devices, "device", nil, "give the container a host device node: HOST[:CONTAINER][:PERMS] (rootless: one the user may open), or a CDI device (vendor.com/class=name, from /etc/cdi or /var/run/cdi)")
	fs.StringArrayVar(&f.hostUsers, "hostuser", nil, "add a host account to the container's /etc/passwd, by name or UID")
	fs.BoolVar(&f.passwd, "passwd", true, "add an /etc/passwd entry for a numeric --user the image lacks")
	fs.StringVar(&f.passwdEntry, "passwd-entry", "", "the entry --passwd writes: $USERNAME, $UID, $GID, $NAME and $HOME are replaced")
	fs.StringVar(&f.userns, "userns", "", "user namespace: keep-id (your own IDs inside, files on binds yours), or pod's (host, private)")
	fs.StringSliceVar(&f.requires, "requires", nil, "containers (names or IDs, comma-separated) started before this one, whenever it starts; they cannot be removed while it exists")
	fs.UintVar(&f.timeout, "timeout", 0, "kill the container (SIGKILL) once a run has lasted this many seconds; 0: no limit")
	fs.BoolVar(&f.oomKillDisable, "oom-kill-disable", false, "keep the kernel's OOM killer off the container (a rootful container's cgroup v1 memory controller)")
	fs.StringArrayVar(&f.deviceCgroupRules, "device-cgroup-rule", nil, "allow devices in a rootful container's device cgroup: TYPE MAJOR:MINOR PERMS (\"c 1:3 mr\")")
	fs.StringArrayVar(&f.chrootDirs, "chrootdirs", nil, "a directory a process in the container chroots into: pod's /etc/hosts, /etc/hostname, /etc/resolv.conf and /run/.containerenv are mounted under it too")
	fs.StringArrayVar(&f.uidMaps, "uidmap", nil, "a user namespace of the container's own: CONTAINER:HOST:SIZE, HOST in pod's namespace when rootless (0 is you; also serves for GIDs without --gidmap)")
	fs.StringArrayVar(&f.gidMaps, "gidmap", nil, "as --uidmap, for group IDs")
	fs.StringVar(&f.subUIDName, "subuidname", "", "as root: map the container's UIDs onto NAME's ranges in /etc/subuid")
	fs.StringVar(&f.subGIDName, "subgidname", "", "as root: map the container's GIDs onto NAME's ranges in /etc/subgid")
	fs.StringVar(&f.ipc, "ipc", "", "IPC namespace: private (default), host, container:NAME or ns:PATH")
	fs.StringVar(&f.pid, "pid", "", "PID namespace: private (default), host, container:NAME or ns:PATH")
	fs.StringVar(&f.uts, "uts", "", "UTS namespace (host name): private (default), host, container:NAME or ns:PATH")
	fs.StringVar(&f.cgroupns, "cgroupns", "", "cgroup namespace: private (default on cgroup v2), host or ns:PATH")
	fs.StringSliceVar(&f.groupAdd, "group-add", nil, "add the user to more groups, by name or GID")
	fs.IntVar(&f.oomScoreAdj, "oom-score-adj", 0, "the OOM killer's score adjustment of the process (-1000 to 1000; rootless may only raise it)")
	fs.BoolVar(&f.readOnlyTmpfs, "read-only-tmpfs", true, "with --read-only, mount tmpfs on /run, /tmp and /var/tmp")
	fs.BoolVar(&f.init, "init", false, "run an init as PID 1 that passes signals on to the command and reaps orphans (pod's own, mounted at /run/pod-init)")
	fs.StringVar(&f.initPath, "init-path", "", "the init --init runs, instead of pod's own (such as /usr/bin/tini)")
	fs.StringArrayVar(&f.ulimits, "ulimit", nil, "a process limit: NAME=SOFT[:HARD] (nofile, nproc, core, stack, memlock...; -1 for unlimited), or host: pod's own limits")
	fs.StringVar(&f.shmSize, "shm-size", "", "size of /dev/shm (default 64m)")
	fs.StringArrayVar(&f.sysctls, "sysctl", nil, "a namespaced kernel setting: KEY=VALUE (net.*, fs.mqueue.*, kernel.shm*/msg*/sem)")
	fs.StringVar(&f.umask, "umask", "", "the process's umask, in octal (default 0022)")
	fs.StringVar(&f.tz, "tz", "", "the container's time zone: local (the host's) or a zone such as Europe/Paris")
	fs.StringArrayVar(&f.annotations, "annotation", nil, "an annotation in the OCI spec: KEY=VALUE")
	fs.StringArrayVar(&f.unsetEnv, "unsetenv", nil, "remove a default or image environment variable")
	fs.BoolVar(&f.unsetEnvAll, "unsetenv-all", false, "remove every default and image environment variable")
	fs.StringArrayVar(&f.envMerge, "env-merge", nil, "change a default or image variable: KEY=VALUE, ${KEY} being its value")
	fs.BoolVar(&f.envHost, "env-host", false, "give the container pod's environment")
	fs.StringArrayVar(&f.labelFiles, "label-file", nil, "read KEY=VALUE labels from a file")
}

// apply checks the flags into cfg; env and labels are what -e and -l
// gave, which win over --env-host and --label-file.
func (f *processFlags) apply(cfg *container.Config) error {
	for _, u := range f.ulimits {
		if u == "host" {
			continue // pod's own limits, read at each start
		}
		if _, err := container.ParseUlimit(u); err != nil {
			return usageErrorf("%v", err)
		}
	}
	cfg.Ulimits = f.ulimits
	for _, ns := range []struct {
		flag string
		v    string
		dst  *string
	}{{"--ipc", f.ipc, &cfg.IPC}, {"--pid", f.pid, &cfg.PID}, {"--uts", f.uts, &cfg.UTS}, {"--cgroupns", f.cgroupns, &cfg.CgroupNS}} {
		v := ns.v
		if v == "shareable" || v == "none" {
			v = container.NSPrivate // Podman's --ipc shareable and none: a namespace of its own
		}
		if err := container.CheckNamespaceMode(ns.flag, v); err != nil {
			return usageErrorf("%v", err)
		}
		*ns.dst = v
	}
	if cfg.UTS != "" && cfg.UTS != container.NSPrivate && (cfg.Hostname != "" || cfg.Domainname != "") {
		return usageErrorf("--uts %s shares another namespace's host name: --hostname and --domainname cannot be set with it", cfg.UTS)
	}
	for _, s := range f.devices {
		if cdi.IsName(s) {
			continue // a CDI device: resolved at create
		}
		d, err := container.ParseDevice(s)
		if err != nil {
			return usageErrorf("%v", err)
		}
		fi, err := os.Stat(d.Host)
		if err != nil || fi.Mode()&os.ModeDevice == 0 {
			return usageErrorf("--device %s: no such device node (a directory's devices are given one by one)", d.Host)
		}
	}
	cfg.Devices = f.devices
	for _, h := range f.hostUsers {
		if _, err := user.Lookup(h); err != nil {
			if _, err := user.LookupId(h); err != nil {
				return usageErrorf("--hostuser %s: no such user on the host", h)
			}
		}
	}
	cfg.HostUsers, cfg.PasswdEntry = f.hostUsers, f.passwdEntry
	cfg.NoPasswd = f.changed != nil && !f.passwd
	if strings.Count(f.passwdEntry, ":") != 0 && strings.Count(f.passwdEntry, ":") != 6 || strings.Contains(f.passwdEntry, "\n") {
		return usageErrorf("--passwd-entry %q: one passwd line, NAME:PASSWORD:UID:GID:GECOS:HOME:SHELL", f.passwdEntry)
	}
	if err := container.CheckUserNS(f.userns); err != nil {
		return usageErrorf("%v", err)
	}
	if f.userns == "keep-id" || f.userns == "nomap" || container.IsAutoUserNS(f.userns) {
		cfg.UserNS = f.userns
	}
	cfg.UIDMaps, cfg.GIDMaps, cfg.SubUIDName, cfg.SubGIDName = f.uidMaps, f.gidMaps, f.subUIDName, f.subGIDName
	cfg.Timeout, cfg.OOMKillDisable, cfg.Requires = f.timeout, f.oomKillDisable, f.requires
	for _, r := range f.deviceCgroupRules {
		if _, err := container.ParseDeviceRule(r); err != nil {
			return usageErrorf("%v", err)
		}
	}
	cfg.DeviceCgroupRules = f.deviceCgroupRules
	for _, d := range f.chrootDirs {
		if !path.IsAbs(d) || path.Clean(d) == "/" {
			return usageErrorf("--chrootdirs %q: an absolute path inside the container, not /", d)
		}
		cfg.ChrootDirs = append(cfg.ChrootDirs, path.Clean(d))
	}
	if _, err := container.ParseIDMapping("--uidmap", f.uidMaps); err != nil {
		return usageErrorf("%v", err)
	}
	if _, err := container.ParseIDMapping("--gidmap", f.gidMaps); err != nil {
		return usageErrorf("%v", err)
	}
	switch f.imageVolume {
	case "bind", "":
	case "tmpfs", "ignore":
		cfg.ImageVolume = f.imageVolume
	default:
		return usageErrorf("--image-volume %q: bind, tmpfs or ignore", f.imageVolume)
	}
	switch f.personality {
	case "", "LINUX", "LINUX32":
		cfg.Personality = f.personality
	default:
		return usageErrorf("--personality %q: LINUX or LINUX32", f.personality)
	}
	if f.cgroupParent != "" && (!filepath.IsAbs(f.cgroupParent) || strings.Contains(f.cgroupParent, "..")) {
		return usageErrorf("--cgroup-parent %q: an absolute cgroup path such as /mygroup", f.cgroupParent)
	}
	cfg.CgroupParent = f.cgroupParent
	if f.seccompPolicy != "" && f.seccompPolicy != "default" {
		return usageErrorf("--seccomp-policy %q: pod takes no seccomp profile from images; give --security-opt seccomp=FILE", f.seccompPolicy)
	}
	for _, g := range f.groupAdd {
		if g == container.KeepGroups {
			if len(f.groupAdd) > 1 {
				return usageErrorf("--group-add keep-groups keeps the groups pod has: give no other --group-add with it")
			}
			continue
		}
		if g == "" || strings.ContainsAny(g, ":\n") {
			return usageErrorf("--group-add %q: a group name or GID", g)
		}
	}
	cfg.GroupAdd = f.groupAdd
	if f.changed != nil && f.changed("oom-score-adj") {
		if f.oomScoreAdj < -1000 || f.oomScoreAdj > 1000 {
			return usageErrorf("--oom-score-adj %d: from -1000 to 1000", f.oomScoreAdj)
		}
		v := f.oomScoreAdj
		cfg.OOMScoreAdj = &v
	}
	cfg.NoReadOnlyTmpfs = !f.readOnlyTmpfs
	if f.initPath != "" {
		if !filepath.IsAbs(f.initPath) {
			return usageErrorf("--init-path %q: give an absolute path", f.initPath)
		}
		if fi, err := os.Stat(f.initPath); err != nil || !fi.Mode().IsRegular() {
			return usageErrorf("--init-path %s: no such executable file", f.initPath)
		}
	}
	cfg.Init, cfg.InitPath = f.init || f.initPath != "", f.initPath
	if err := applyShmSysctls(cfg, f.shmSize, f.sysctls); err != nil {
		return err
	}
	if f.umask != "" {
		if _, err := container.ParseUmask(f.umask); err != nil {
			return usageErrorf("%v", err)
		}
		cfg.Umask = f.umask
	}
	if f.tz != "" && f.tz != "local" {
		if _, err := os.Stat("/usr/share/zoneinfo/" + f.tz); err != nil || strings.Contains(f.tz, "..") {
			return usageErrorf("--tz %q: no such time zone in /usr/share/zoneinfo (or give local)", f.tz)
		}
	}
	cfg.Timezone = f.tz
	var err error
	if cfg.Annotations, err = container.ParseLabels(f.annotations); err != nil {
		return usageErrorf("--annotation: %v", err)
	}
	if len(cfg.Annotations) == 0 {
		cfg.Annotations = nil
	}
	for _, k := range f.unsetEnv {
		if k == "" || strings.Contains(k, "=") {
			return usageErrorf("--unsetenv %q: give the variable's name", k)
		}
	}
	cfg.UnsetEnv, cfg.UnsetEnvAll = f.unsetEnv, f.unsetEnvAll
	for _, kv := range f.envMerge {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return usageErrorf("--env-merge %q: use KEY=VALUE", kv)
		}
	}
	cfg.EnvMerge = f.envMerge
	if f.httpProxy && f.changed != nil {
		// Podman's default: the proxy variables of pod's environment,
		// under -e's, which win.
		var proxies []string
		for _, k := range []string{"http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY"} {
			if v, ok := os.LookupEnv(k); ok {
				proxies = append(proxies, k+"="+v)
			}
		}
		cfg.Env = append(proxies, cfg.Env...)
	}
	for _, kv := range f.cgroupConf {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.ContainsAny(k, "/") {
			return usageErrorf("--cgroup-conf %q: KEY=VALUE, a cgroup v2 file and its value", kv)
		}
		if cfg.CgroupConf == nil {
			cfg.CgroupConf = map[string]string{}
		}
		cfg.CgroupConf[k] = v
	}
	if f.envHost {
		// Below -e, which was applied already and wins; not the
		// variables pod sets for itself on entering its user namespace.
		cfg.Env = append(userns.CallersEnv(), cfg.Env...)
	}
	if cfg.Labels, err = withLabelFiles(cfg.Labels, f.labelFiles); err != nil {
		return err
	}
	return nil
}

// readKVFile reads the KEY=VALUE lines of a file, leaving out blank
// lines and # comments.
func readKVFile(name string) ([]string, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

// applyShmSysctls sets --shm-size and --sysctl on cfg (run's, create's,
// and a pod's infra container's).
func applyShmSysctls(cfg *container.Config, shmSize string, sysctls []string) error {
	if shmSize != "" {
		n, err := units.RAMInBytes(shmSize)
		if err != nil || n <= 0 {
			return usageErrorf("--shm-size %q: a size such as 64m or 1g", shmSize)
		}
		cfg.ShmSize = n
	}
	for _, s := range sysctls {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return usageErrorf("--sysctl %q: use KEY=VALUE", s)
		}
		if err := container.CheckSysctl(k, cfg.NetworkMode); err != nil {
			return usageErrorf("%v", err)
		}
		if cfg.Sysctls == nil {
			cfg.Sysctls = map[string]string{}
		}
		cfg.Sysctls[k] = v
	}
	return nil
}

// withLabelFiles adds the labels of --label-file's files (KEY=VALUE lines)
// that labels (--label's, which win) lacks.
func withLabelFiles(labels map[string]string, files []string) (map[string]string, error) {
	for _, name := range files {
		lines, err := readKVFile(name)
		if err != nil {
			return nil, usageErrorf("--label-file: %v", err)
		}
		fromFile, err := container.ParseLabels(lines)
		if err != nil {
			return nil, usageErrorf("--label-file %s: %v", name, err)
		}
		for k, v := range fromFile {
			if _, given := labels[k]; !given {
				if labels == nil {
					labels = map[string]string{}
				}
				labels[k] = v
			}
		}
	}
	return labels, nil
}
