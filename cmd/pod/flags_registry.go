package main

import (
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
	}
	if platform {
		fl.StringVar(&f.platform, "platform", "", "OS/ARCH[/VARIANT] to pull from a multi-arch image (default: the host's)")
	}
}

// options turns the flags into the library's RegistryOptions.
func (f *registryFlags) options(cmd *cobra.Command) image.RegistryOptions {
	o := image.RegistryOptions{CertDir: f.certDir, AuthFile: f.authFile, Creds: f.creds, Platform: f.platform}
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
