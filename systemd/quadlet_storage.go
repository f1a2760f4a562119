package systemd

import (
	goruntime "runtime"
	"strings"
)

// This file holds what refers to storage: Volume= and Mount= of a
// container, and the .volume and .image files.

// volumes writes Volume= as -v: a source that is a .volume file becomes
// that file's volume (its service required), a relative host path is
// made absolute from the file's directory, and a host path is required
// mounted before the service starts.
func (c *converter) volumes(run *[]string) error {
	for _, e := range c.src.All(c.group, "Volume") {
		v := strings.TrimSpace(unquoted(e.Value))
		parts := strings.SplitN(v, ":", 3)
		src, dst, opts := "", parts[0], ""
		switch {
		case len(parts) == 2 && !strings.HasPrefix(parts[1], "/") && !strings.HasPrefix(parts[1], "%"):
			// DESTINATION:OPTIONS of an anonymous volume.
			opts = ":" + parts[1]
		case len(parts) >= 2:
			src, dst = parts[0], parts[1]
			if len(parts) == 3 {
				opts = ":" + parts[2]
			}
		}
		spec := dst + opts
		if src != "" {
			s, err := c.storageSource(e, src, extVolume)
			if err != nil {
				return err
			}
			spec = s + ":" + spec
		}
		if !expanded(spec) {
			if err := checkVolume(spec); err != nil {
				return c.keyErr(e, "%v", err)
			}
		}
		*run = append(*run, "-v", spec)
	}
	return nil
}

// mounts writes Mount= as --mount, resolving its source as Volume= does.
func (c *converter) mounts(run *[]string) error {
	values, from, err := c.splitEach("Mount", Words)
	if err != nil {
		return err
	}
	for i, v := range values {
		fields := strings.Split(v, ",")
		typ := "volume"
		for _, f := range fields {
			if k, val, _ := strings.Cut(f, "="); strings.TrimSpace(k) == "type" {
				typ = val
			}
		}
		for j, f := range fields {
			k, val, ok := strings.Cut(f, "=")
			if k = strings.TrimSpace(k); !ok || (k != "source" && k != "src") || typ == "tmpfs" {
				continue
			}
			want := extVolume
			if typ == "image" {
				want = extImage
			}
			s, err := c.storageSource(from[i], val, want)
			if err != nil {
				return err
			}
			fields[j] = k + "=" + s
		}
		m := strings.Join(fields, ",")
		if !expanded(m) {
			if err := checkMount(m); err != nil {
				return c.keyErr(from[i], "%v", err)
			}
		}
		*run = append(*run, "--mount", m)
	}
	return nil
}

// storageSource resolves the source of a volume or mount: a Quadlet file
// of kind ext (its resource, its service required), a relative host path
// (made absolute), or an absolute one (RequiresMountsFor=).
func (c *converter) storageSource(e Entry, src, ext string) (string, error) {
	if src == "" {
		return "", c.keyErr(e, "empty source")
	}
	if strings.HasPrefix(src, ".") {
		src = c.absolute(src)
	}
	switch {
	case strings.HasPrefix(src, "/"):
		c.svc.Add("Unit", "RequiresMountsFor", quote(src, keepExpansions))
	case strings.HasSuffix(src, ext):
		i, ok := c.info[src]
		if !ok {
			return "", c.keyErr(e, "%s: no such Quadlet file", src)
		}
		c.depend(i)
		src = i.resource
	}
	return src, nil
}

// volumeKeys are the supported [Volume] keys.
var volumeKeys = map[string]bool{
	"VolumeName": true, "Label": true, "Driver": true, "Device": true, "Type": true, "Options": true,
	"Copy": true, "User": true, "Group": true, "UID": true, "GID": true, "Image": true,
	"PodmanArgs": true, "GlobalArgs": true, "ServiceName": true, "ContainersConfModule": true,
}

// volume makes the service of a .volume file: a one-time pod volume
// create that leaves an existing volume as it is.
func (c *converter) volume() error {
	args := []string{"volume", "create", "--ignore"}
	for _, k := range []struct{ key, flag string }{{"UID", "--uid"}, {"GID", "--gid"}} {
		if v, e, ok := c.value(k.key); ok {
			if err := checkCount(v); err != nil && !expanded(v) {
				return c.keyErr(e, "%v", err)
			}
			args = append(args, k.flag, v)
		}
	}
	if e, ok := c.src.Last(c.group, "ContainersConfModule"); ok {
		return c.keyErr(e, "%s", refusedKeys["ContainersConfModule"])
	}
	if d, e, ok := c.value("Driver"); ok {
		if d != "local" {
			return c.keyErr(e, "pod has only the local volume driver")
		}
		args = append(args, "--driver", d)
	}
	if e, ok := c.src.Last(c.group, "Image"); ok {
		return c.keyErr(e, "pod has no image volume driver")
	}
	var o []string
	for _, k := range []struct{ key, opt string }{{"User", "uid="}, {"Group", "gid="}} {
		if v, e, ok := c.value(k.key); ok {
			if err := checkCount(v); err != nil && !expanded(v) {
				return c.keyErr(e, "%v", err)
			}
			o = append(o, k.opt+v)
		}
	}
	if copyData, set, err := c.boolValue("Copy"); err != nil {
		return err
	} else if set && !copyData {
		_, e, _ := c.value("Copy")
		return c.keyErr(e, "pod volumes have no nocopy option: add nocopy to the options of the container's Volume=")
	}
	dev, _, hasDev := c.value("Device")
	if hasDev && dev != "" {
		args = append(args, "--opt", "device="+dev)
	}
	if t, e, ok := c.value("Type"); ok && t != "" {
		if !hasDev || dev == "" {
			return c.keyErr(e, "Type= needs Device=")
		}
		args = append(args, "--opt", "type="+t)
		if t == "bind" {
			c.svc.Add("Unit", "RequiresMountsFor", quote(dev, keepExpansions))
		}
	}
	if v, _, ok := c.value("Options"); ok && v != "" {
		o = append(o, v)
	}
	if len(o) > 0 {
		args = append(args, "--opt", "o="+strings.Join(o, ","))
	}
	labels, err := c.labelArgs()
	if err != nil {
		return err
	}
	args = append(args, labels...)
	return c.oneshotCommand(args, c.self.resource)
}

// labelArgs are Label= as --label flags.
func (c *converter) labelArgs() ([]string, error) {
	labels, from, err := c.keyValues("Label")
	if err != nil {
		return nil, err
	}
	var args []string
	for i, l := range labels {
		if err := checkLabel(l); err != nil && !expanded(l) {
			return nil, c.keyErr(from[i], "%v", err)
		}
		args = append(args, "--label", l)
	}
	return args, nil
}

// oneshotCommand makes the service run pod with args, PodmanArgs= and
// last once (a .volume's, .network's or .image's command).
func (c *converter) oneshotCommand(args []string, last string) error {
	extra, _, err := c.splitEach("PodmanArgs", Words)
	if err != nil {
		return err
	}
	args = append(append(args, extra...), last)
	c.svc.Add("Service", "ExecStart", c.command("", args...))
	c.oneshot()
	return nil
}

// imageKeys are the supported [Image] keys.
var imageKeys = map[string]bool{
	"Image": true, "ImageTag": true, "AllTags": true, "Arch": true, "OS": true, "Variant": true,
	"AuthFile": true, "CertDir": true, "Creds": true, "DecryptionKey": true, "Policy": true,
	"Retry": true, "RetryDelay": true, "TLSVerify": true, "PodmanArgs": true, "GlobalArgs": true,
	"ServiceName": true, "ContainersConfModule": true,
}

// image makes the service of a .image file: a one-time pod image pull.
func (c *converter) image() error {
	ref, _, ok := c.value("Image")
	if !ok || ref == "" {
		return c.fileErr("[Image] needs Image=")
	}
	if e, ok := c.src.Last(c.group, "ContainersConfModule"); ok {
		return c.keyErr(e, "%s", refusedKeys["ContainersConfModule"])
	}
	args := []string{"image", "pull"}
	for _, k := range []struct {
		key, flag string
		boolean   bool
	}{
		{"AllTags", "all-tags", true}, {"AuthFile", "authfile", false}, {"CertDir", "cert-dir", false},
		{"Creds", "creds", false}, {"DecryptionKey", "decryption-key", false}, {"Policy", "policy", false},
		{"Retry", "retry", false}, {"RetryDelay", "retry-delay", false}, {"TLSVerify", "tls-verify", true},
	} {
		v, e, ok := c.value(k.key)
		if !ok {
			continue
		}
		if err := c.needFlag(e, "image pull", k.flag); err != nil {
			return err
		}
		if !k.boolean {
			args = append(args, "--"+k.flag, v)
			continue
		}
		on, err := parseBool(v)
		if err != nil {
			return c.keyErr(e, "%v", err)
		}
		args = append(args, boolFlag(k.flag, on))
	}
	if p := c.platform(); p != "" {
		args = append(args, "--platform", p)
	}
	return c.oneshotCommand(args, ref)
}

// platform is pod's --platform OS/ARCH[/VARIANT] for Arch=, OS= and
// Variant= (the host's OS and architecture where not given).
func (c *converter) platform() string {
	arch, _, hasArch := c.value("Arch")
	os, _, hasOS := c.value("OS")
	variant, _, hasVariant := c.value("Variant")
	if !hasArch && !hasOS && !hasVariant {
		return ""
	}
	if os == "" {
		os = goruntime.GOOS
	}
	if arch == "" {
		arch = goruntime.GOARCH
	}
	p := os + "/" + arch
	if variant != "" {
		p += "/" + variant
	}
	return p
}
