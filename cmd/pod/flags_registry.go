package main

import (
	"cmp"
	goruntime "runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
)

// registryFlags are the TLS, auth and retry flags of every command that
// talks to a registry (pull, push, login, run/create's implicit pull).
type registryFlags struct {
	tlsVerify         bool
	certDir, authFile string
	creds, platform   string
	osName, arch      string
	variant           string
	contentTrust      bool
	retry             int
	retryDelay        time.Duration
}

// register adds the flags; creds adds --creds, platform --platform.
func (f *registryFlags) register(cmd *cobra.Command, creds, platform bool) {
	fl := cmd.Flags()
	fl.BoolVar(&f.tlsVerify, "tls-verify", true, "verify TLS certificates and require HTTPS; when not given, a loopback registry may still speak plain HTTP")
	fl.StringVar(&f.certDir, "cert-dir", "", "directory with the registry's ca.crt (and client.cert, client.key)")
	fl.StringVar(&f.authFile, "authfile", "", "auth file (default: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, then ~/.docker/config.json)")
	if creds {
		fl.StringVar(&f.creds, "creds", "", "USER[:PASSWORD] for the registry")
		fl.IntVar(&f.retry, "retry", 3, "times to retry a pull or push after a transient failure")
		fl.DurationVar(&f.retryDelay, "retry-delay", time.Second, "wait between retries")
		// Docker's image verification; a no-op in Podman too.
		fl.BoolVar(&f.contentTrust, "disable-content-trust", false, "accepted for Docker's scripts (there is no content trust to disable)")
	}
	if platform {
		fl.StringVar(&f.platform, "platform", "", "OS/ARCH[/VARIANT] to pull from a multi-arch image (default: the host's)")
		fl.StringVar(&f.osName, "os", "", "the OS to pull from a multi-arch image (default: the host's)")
		fl.StringVar(&f.arch, "arch", "", "the architecture to pull from a multi-arch image (default: the host's)")
		fl.StringVar(&f.variant, "variant", "", "the architecture variant to pull (arm: v7...)")
	}
}

// checkPlatform refuses --platform beside --os, --arch or --variant, as
// Podman does.
func (f *registryFlags) checkPlatform() error {
	if f.platform != "" && (f.osName != "" || f.arch != "" || f.variant != "") {
		return usageErrorf("--platform cannot be given with --os, --arch or --variant")
	}
	return nil
}

// platformOf is --platform, or OS/ARCH[/VARIANT] of --os, --arch and
// --variant with the host's for what is not given.
func (f *registryFlags) platformOf() string {
	if f.platform != "" || (f.osName == "" && f.arch == "" && f.variant == "") {
		return f.platform
	}
	p := cmp.Or(f.osName, goruntime.GOOS) + "/" + cmp.Or(f.arch, goruntime.GOARCH)
	if f.variant != "" {
		p += "/" + f.variant
	}
	return p
}

// options turns the flags into the library's RegistryOptions.
func (f *registryFlags) options(cmd *cobra.Command) image.RegistryOptions {
	o := image.RegistryOptions{CertDir: f.certDir, AuthFile: f.authFile, Creds: f.creds, Platform: f.platformOf()}
	if cmd.Flags().Changed("tls-verify") {
		v := f.tlsVerify
		o.TLSVerify = &v
	}
	return o
}

// pullOptions are the PullOptions of the flags, with progress to w.
func (f *registryFlags) pullOptions(cmd *cobra.Command) image.PullOptions {
	return image.PullOptions{RegistryOptions: f.options(cmd), Progress: cmd.ErrOrStderr(), Retries: f.retry, RetryDelay: f.retryDelay}
}
