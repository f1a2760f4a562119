package systemd

import (
	"encoding/json"
	"path/filepath"
	"strings"

	"github.com/pod-project/pod/container"
)

// How a [Container] key becomes flags of pod run.
type keyKind int

const (
	// single: the last value, FLAG VALUE.
	single keyKind = iota
	// every: each value, FLAG VALUE.
	every
	// list: each word of each value (quotes removed), FLAG WORD.
	list
	// argWords: each word of each value (quotes removed, escapes
	// decoded), FLAG WORD.
	argWords
	// keyVals: KEY=VALUE words, one per key, sorted: FLAG KEY=VALUE.
	keyVals
	// boolean: the last value, FLAG or FLAG=false.
	boolean
)

// containerKey is one supported [Container] key: either a flag of pod
// run with how it is read and the check pod run itself makes of a value,
// or a handler of its own.
type containerKey struct {
	key   string
	flag  string
	kind  keyKind
	check func(string) error
	// lower writes the words in lower case (capabilities, as Quadlet).
	lower  bool
	handle func(*converter, *[]string) error
}

// containerKeys are the supported keys in the order their flags are
// written. Keys handled elsewhere (Image, Exec, ContainerName, Notify,
// PodmanArgs...) have neither flag nor handler.
var containerKeys = []containerKey{
	{key: "Image"}, {key: "Rootfs"}, {key: "Exec"}, {key: "ContainerName"}, {key: "Notify"},
	{key: "ServiceName"}, {key: "GlobalArgs"}, {key: "PodmanArgs"}, {key: "CgroupsMode"},
	{key: "ReloadCmd"}, {key: "ReloadSignal"}, {key: "Group"},
	{key: "HostName", flag: "hostname", check: checkHostName},
	{key: "User", handle: (*converter).user},
	{key: "WorkingDir", flag: "workdir", check: checkWorkdir},
	{key: "Entrypoint", handle: (*converter).entrypoint},
	{key: "Environment", flag: "env", kind: keyVals, check: checkEnv},
	{key: "EnvironmentFile", handle: (*converter).envFiles},
	{key: "EnvironmentHost", flag: "env-host", kind: boolean},
	{key: "Label", flag: "label", kind: keyVals, check: checkLabel},
	{key: "AutoUpdate", handle: (*converter).autoUpdate},
	{key: "Annotation", flag: "annotation", kind: keyVals},
	{key: "Network", handle: (*converter).network},
	{key: "PublishPort", flag: "publish", kind: every, check: checkPort},
	{key: "ExposeHostPort", flag: "expose", kind: every, check: checkExpose},
	{key: "DNS", flag: "dns", kind: every, check: checkDNS},
	{key: "DNSSearch", flag: "dns-search", kind: every, check: checkDNSSearch},
	{key: "DNSOption", flag: "dns-option", kind: every, check: checkDNSOption},
	{key: "AddHost", flag: "add-host", kind: every, check: checkAddHost},
	{key: "IP", flag: "ip"},
	{key: "IP6", flag: "ip6"},
	{key: "NetworkAlias", flag: "network-alias", kind: every},
	{key: "Volume", handle: (*converter).volumes},
	{key: "Mount", handle: (*converter).mounts},
	{key: "Tmpfs", flag: "tmpfs", kind: every, check: checkTmpfs},
	{key: "ReadOnly", flag: "read-only", kind: boolean},
	{key: "ReadOnlyTmpfs", flag: "read-only-tmpfs", kind: boolean},
	{key: "NoNewPrivileges", handle: securityFlag("no-new-privileges")},
	{key: "SecurityLabelDisable", handle: securityFlag("label=disable")},
	{key: "SecurityLabelNested", handle: securityFlag("label=nested")},
	{key: "SecurityLabelType", handle: securityValue("label=type:")},
	{key: "SecurityLabelFileType", handle: securityValue("label=filetype:")},
	{key: "SecurityLabelLevel", handle: securityValue("label=level:")},
	{key: "SeccompProfile", handle: securityValue("seccomp=")},
	{key: "AppArmor", handle: securityValue("apparmor=")},
	{key: "Mask", handle: securityValue("mask=")},
	{key: "Unmask", handle: securityValue("unmask=")},
	{key: "DropCapability", flag: "cap-drop", kind: list, lower: true, check: checkCapability},
	{key: "AddCapability", flag: "cap-add", kind: list, lower: true, check: checkCapability},
	{key: "AddDevice", flag: "device", kind: list},
	{key: "GroupAdd", flag: "group-add", kind: every},
	{key: "UserNS", flag: "userns"},
	{key: "UIDMap", flag: "uidmap", kind: list},
	{key: "GIDMap", flag: "gidmap", kind: list},
	{key: "SubUIDMap", flag: "subuidname"},
	{key: "SubGIDMap", flag: "subgidname"},
	{key: "RunInit", flag: "init", kind: boolean},
	{key: "Timezone", flag: "tz"},
	{key: "HealthCmd", flag: "health-cmd", check: checkHealthCmd},
	{key: "HealthInterval", flag: "health-interval", check: checkDuration},
	{key: "HealthTimeout", flag: "health-timeout", check: checkDuration},
	{key: "HealthStartPeriod", flag: "health-start-period", check: checkDuration},
	{key: "HealthRetries", flag: "health-retries", check: checkCount},
	{key: "HealthOnFailure", flag: "health-on-failure", check: checkHealthOnFailure},
	{key: "HealthStartupCmd", flag: "health-startup-cmd"},
	{key: "HealthStartupInterval", flag: "health-startup-interval"},
	{key: "HealthStartupRetries", flag: "health-startup-retries"},
	{key: "HealthStartupSuccess", flag: "health-startup-success"},
	{key: "HealthStartupTimeout", flag: "health-startup-timeout"},
	{key: "HealthLogDestination", flag: "health-log-destination"},
	{key: "HealthMaxLogCount", flag: "health-max-log-count"},
	{key: "HealthMaxLogSize", flag: "health-max-log-size"},
	{key: "LogDriver", handle: (*converter).logs},
	{key: "LogOpt"},
	{key: "StopSignal", flag: "stop-signal", check: checkSignal},
	{key: "StopTimeout", flag: "stop-timeout", check: checkStopTimeout},
	{key: "Pull", flag: "pull", check: checkPull},
	{key: "Retry", flag: "retry", check: checkCount},
	{key: "RetryDelay", flag: "retry-delay", check: checkDuration},
	{key: "Secret", flag: "secret", kind: argWords},
	{key: "Memory", flag: "memory"},
	{key: "PidsLimit", flag: "pids-limit"},
	{key: "ShmSize", flag: "shm-size"},
	{key: "Sysctl", flag: "sysctl", kind: list},
	{key: "Ulimit", flag: "ulimit", kind: every},
	{key: "HttpProxy", flag: "http-proxy", kind: boolean},
}

// refusedKeys are Quadlet keys pod knows and cannot honour, with why.
var refusedKeys = map[string]string{
	"Pod":                  "pod has no pods yet",
	"StartWithPod":         "pod has no pods yet",
	"ContainersConfModule": "pod reads no containers.conf modules",
}

func containerKeyNames() map[string]bool {
	m := map[string]bool{}
	for _, k := range containerKeys {
		m[k.key] = true
	}
	return m
}

// container makes the service of a .container file: pod run of the
// container in the background, its monitor telling systemd when it has
// started, the container removed when the service stops.
func (c *converter) container() error {
	image, err := c.containerImage()
	if err != nil {
		return err
	}
	name := containerName(c.src)
	svc := c.svc
	svc.Add("Service", "Environment", "PODMAN_SYSTEMD_UNIT=%n")
	svc.Add("Service", "Environment", "POD_SYSTEMD_UNIT=%n")
	if e, ok := c.src.Last("Service", "KillMode"); !ok {
		svc.Set("Service", "KillMode", "mixed")
	} else if e.Value != "mixed" && e.Value != "control-group" {
		return c.keyErr(e, "%q: use mixed or control-group, which stop the container with its monitor", e.Value)
	}
	oneshot := false
	if e, ok := c.src.Last("Service", "Type"); ok {
		if e.Value != "notify" && e.Value != "oneshot" {
			return c.keyErr(e, "%q: a container's service is notify (the default) or oneshot", e.Value)
		}
		oneshot = e.Value == "oneshot"
	}
	// If the monitor died, the container may still be there: -i ignores
	// one that is gone.
	svc.Add("Service", "ExecStop", c.command("", "rm", "-v", "-f", "-i", name))
	svc.Add("Service", "ExecStopPost", c.command("-", "rm", "-v", "-f", "-i", name))
	if err := c.reload(name); err != nil {
		return err
	}

	run := []string{"run", "--name", name, "--replace", "--rm"}
	if v, e, ok := c.value("CgroupsMode"); ok && v != "" {
		if err := c.needFlag(e, "run", "cgroups"); err != nil {
			return err
		}
		run = append(run, "--cgroups", v)
	} else if c.o.hasFlag("run", "cgroups") {
		// Without --cgroups pod leaves the monitor in the service's
		// cgroup, which is what split asks for.
		run = append(run, "--cgroups=split")
	}
	svc.Add("Service", "Delegate", "yes")
	if !oneshot {
		notify, err := c.notifyFlag()
		if err != nil {
			return err
		}
		run = append(run, notify)
		svc.Set("Service", "Type", "notify")
		svc.Set("Service", "NotifyAccess", "all")
		run = append(run, "-d")
	}
	c.setDefault("SyslogIdentifier", "%N")
	for _, k := range containerKeys {
		if err := c.containerKey(k, &run); err != nil {
			return err
		}
	}
	extra, _, err := c.splitEach("PodmanArgs", Words)
	if err != nil {
		return err
	}
	run = append(append(run, extra...), image...)
	if e, ok := c.src.Last(c.group, "Exec"); ok {
		args, err := Words(e.Value)
		if err != nil {
			return c.keyErr(e, "%v", err)
		}
		run = append(run, args...)
	}
	svc.Add("Service", "ExecStart", c.command("", run...))
	return nil
}

// notifyFlag is the --sdnotify of Notify=: by default the monitor tells
// systemd when the container has started (conmon), with true the
// container itself does, with healthy its first passed health check.
func (c *converter) notifyFlag() (string, error) {
	notify, e, _ := c.value("Notify")
	switch {
	case strings.EqualFold(notify, "healthy"):
		return "--sdnotify=healthy", nil
	case notify == "":
		return "--sdnotify=conmon", nil
	}
	on, err := parseBool(notify)
	switch {
	case err != nil:
		return "", c.keyErr(e, "%v (or healthy)", err)
	case on:
		return "--sdnotify=container", nil
	}
	return "--sdnotify=conmon", nil
}

// containerImage is what pod run runs: Image=, the image a .image file
// pulls (the unit then requires that file's service), or --rootfs
// Rootfs=.
func (c *converter) containerImage() ([]string, error) {
	image, e, ok := c.value("Image")
	if r, re, has := c.value("Rootfs"); has && r != "" {
		if ok && image != "" {
			return nil, c.keyErr(re, "Rootfs= and Image= cannot both be given")
		}
		if err := c.needFlag(re, "run", "rootfs"); err != nil {
			return nil, err
		}
		return []string{"--rootfs", r}, nil
	}
	switch {
	case !ok || image == "":
		return nil, c.fileErr("[Container] needs Image= (or Rootfs=)")
	case strings.HasSuffix(image, extBuild):
		return nil, c.keyErr(e, ".build files are not supported yet")
	case strings.HasSuffix(image, extImage):
		i, found := c.info[image]
		if !found {
			return nil, c.keyErr(e, "%s: no such Quadlet file", image)
		}
		c.depend(i)
		return []string{i.resource}, nil
	}
	return []string{image}, nil
}

// reload adds ExecReload= for ReloadCmd= (pod exec) or ReloadSignal=
// (pod kill).
func (c *converter) reload(name string) error {
	ce, hasCmd := c.src.Last(c.group, "ReloadCmd")
	sig, se, hasSig := c.value("ReloadSignal")
	switch {
	case hasCmd && hasSig:
		return c.keyErr(se, "ReloadCmd= and ReloadSignal= cannot both be given")
	case hasCmd:
		args, err := Words(ce.Value)
		if err != nil {
			return c.keyErr(ce, "%v", err)
		}
		c.svc.Add("Service", "ExecReload", c.command("", append([]string{"exec", name}, args...)...))
	case hasSig:
		if err := checkSignal(sig); err != nil && !expanded(sig) {
			return c.keyErr(se, "%v", err)
		}
		c.svc.Add("Service", "ExecReload", c.command("", "kill", "--signal", sig, name))
	}
	return nil
}

// containerKey adds the flags of one key.
func (c *converter) containerKey(k containerKey, run *[]string) error {
	if k.handle != nil {
		return k.handle(c, run)
	}
	if k.flag == "" {
		return nil
	}
	entries := c.src.All(c.group, k.key)
	if len(entries) == 0 {
		return nil
	}
	if err := c.needFlag(entries[len(entries)-1], "run", k.flag); err != nil {
		return err
	}
	var values []string
	var from []Entry
	var err error
	switch k.kind {
	case single, boolean:
		e := entries[len(entries)-1]
		values, from = []string{unquoted(e.Value)}, []Entry{e}
	case every:
		for _, e := range entries {
			values, from = append(values, strings.TrimSpace(unquoted(e.Value))), append(from, e)
		}
	case list:
		values, from, err = c.splitEach(k.key, ListWords)
	case argWords:
		values, from, err = c.splitEach(k.key, Words)
	case keyVals:
		values, from, err = c.keyValues(k.key)
	}
	if err != nil {
		return err
	}
	for i, v := range values {
		if k.lower {
			v = strings.ToLower(v)
		}
		if k.kind == boolean {
			on, err := parseBool(v)
			if err != nil {
				return c.keyErr(from[i], "%v", err)
			}
			*run = append(*run, boolFlag(k.flag, on))
			continue
		}
		if k.check != nil && !expanded(v) {
			if err := k.check(v); err != nil {
				return c.keyErr(from[i], "%v", err)
			}
		}
		*run = append(*run, "--"+k.flag, v)
	}
	return nil
}

// user writes User= and Group= as one --user USER[:GROUP].
func (c *converter) user(run *[]string) error {
	user, _, hasUser := c.value("User")
	group, ge, hasGroup := c.value("Group")
	switch {
	case hasGroup && group != "" && (!hasUser || user == ""):
		return c.keyErr(ge, "Group= needs User=")
	case !hasUser || user == "":
		return nil
	case hasGroup && group != "":
		user += ":" + group
	}
	*run = append(*run, "--user", user)
	return nil
}

// entrypoint writes Entrypoint= (empty: the image's entrypoint cleared).
// A JSON array is Quadlet's form for several words; pod's --entrypoint
// takes one, so only a one-word array is accepted.
func (c *converter) entrypoint(run *[]string) error {
	v, e, ok := c.value("Entrypoint")
	if !ok {
		return nil
	}
	if strings.HasPrefix(v, "[") {
		var words []string
		if err := json.Unmarshal([]byte(v), &words); err != nil || len(words) != 1 {
			return c.keyErr(e, "pod's --entrypoint takes one command: give its arguments in Exec=")
		}
		v = words[0]
	}
	*run = append(*run, "--entrypoint="+v)
	return nil
}

// envFiles writes EnvironmentFile=, relative paths made absolute from the
// file's directory (not those starting with a specifier).
func (c *converter) envFiles(run *[]string) error {
	files, _, err := c.splitEach("EnvironmentFile", Words)
	if err != nil {
		return err
	}
	for _, f := range files {
		*run = append(*run, "--env-file", c.absolute(f))
	}
	return nil
}

// absolute resolves a relative path against the Quadlet file's directory;
// a path starting with a specifier (%h/...) is systemd's to resolve.
func (c *converter) absolute(p string) string {
	if filepath.IsAbs(p) || (strings.HasPrefix(p, "%") && !strings.HasPrefix(p, "%%")) {
		return p
	}
	return filepath.Join(filepath.Dir(c.src.Path), p)
}

// network writes Network=: a mode of pod's --network, a .network file's
// network (its service required), or another .container file's container
// (its network namespace shared, its service required). Several only as
// networks (bridges): a container has one mode.
func (c *converter) network(run *[]string) error {
	entries := c.src.All(c.group, "Network")
	for _, e := range entries {
		if err := c.oneNetwork(e, len(entries) > 1, run); err != nil {
			return err
		}
	}
	return nil
}

func (c *converter) oneNetwork(e Entry, several bool, run *[]string) error {
	v := strings.TrimSpace(unquoted(e.Value))
	mode, opts, hasOpts := strings.Cut(v, ":")
	if several && !strings.HasSuffix(mode, extNetwork) && !isNetworkName(mode) {
		return c.keyErr(e, "several Network= must all name networks (NAME or NAME.network), not --network %s", mode)
	}
	switch {
	case strings.HasSuffix(mode, extNetwork):
		i, found := c.info[mode]
		if !found {
			return c.keyErr(e, "%s: no such Quadlet file", mode)
		}
		c.depend(i)
		v = i.resource
		if hasOpts {
			v += ":" + opts
		}
	case strings.HasSuffix(mode, extContainer):
		i, found := c.info[mode]
		if !found {
			return c.keyErr(e, "%s: no such Quadlet file", mode)
		}
		if strings.Contains(i.resource, "%") {
			return c.keyErr(e, "%s: its container name %q depends on its unit, so it cannot be named here: give it ContainerName=", mode, i.resource)
		}
		c.depend(i)
		v = "container:" + i.resource
	case !expanded(v):
		if err := checkNetwork(v); err != nil {
			return c.keyErr(e, "%v", err)
		}
	}
	*run = append(*run, "--network", v)
	return nil
}

// securityFlag writes a boolean key as a --security-opt when true.
func securityFlag(opt string) func(*converter, *[]string) error {
	return func(c *converter, run *[]string) error {
		k := keyOf(opt)
		on, set, err := c.boolValue(k)
		if err != nil || !set || !on {
			return err
		}
		*run = append(*run, "--security-opt", opt)
		return nil
	}
}

// autoUpdate writes AutoUpdate= (registry or local) as the label pod
// auto-update looks for.
func (c *converter) autoUpdate(run *[]string) error {
	e, ok := c.src.Last(c.group, "AutoUpdate")
	if !ok {
		return nil
	}
	v := unquoted(e.Value)
	if v != "registry" && v != "local" {
		return c.keyErr(e, "%q: use registry or local", v)
	}
	*run = append(*run, "--label", container.AutoUpdateLabel+"="+v)
	return nil
}

// securityValue writes each value of a key as --security-opt PREFIXVALUE.
func securityValue(prefix string) func(*converter, *[]string) error {
	return func(c *converter, run *[]string) error {
		for _, e := range c.src.All(c.group, keyOf(prefix)) {
			opt := prefix + unquoted(e.Value)
			if err := checkSecurityOpt(opt); err != nil && !expanded(opt) {
				return c.keyErr(e, "%v", err)
			}
			*run = append(*run, "--security-opt", opt)
		}
		return nil
	}
}

// keyOf is the key a --security-opt handler reads.
func keyOf(opt string) string {
	return map[string]string{
		"no-new-privileges": "NoNewPrivileges", "label=disable": "SecurityLabelDisable",
		"label=nested": "SecurityLabelNested", "label=type:": "SecurityLabelType",
		"label=filetype:": "SecurityLabelFileType", "label=level:": "SecurityLabelLevel",
		"seccomp=": "SeccompProfile", "apparmor=": "AppArmor", "mask=": "Mask", "unmask=": "Unmask",
	}[opt]
}

// logs writes LogDriver= and LogOpt=, checked together as run checks them.
func (c *converter) logs(run *[]string) error {
	driver, de, hasDriver := c.value("LogDriver")
	opts, from, err := c.splitEach("LogOpt", ListWords)
	if err != nil {
		return err
	}
	if hasDriver {
		if err := checkLogs(driver, nil); err != nil && !expanded(driver) {
			return c.keyErr(de, "%v", err)
		}
		*run = append(*run, "--log-driver", driver)
	}
	for i, o := range opts {
		if err := checkLogs(driver, []string{o}); err != nil && !expanded(o+driver) {
			return c.keyErr(from[i], "%v", err)
		}
		*run = append(*run, "--log-opt", o)
	}
	return nil
}

// boolFlag is --FLAG for true, --FLAG=false for false, as Quadlet writes
// boolean keys.
func boolFlag(flag string, on bool) string {
	if on {
		return "--" + flag
	}
	return "--" + flag + "=false"
}
