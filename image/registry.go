package image

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"go.podman.io/image/v5/signature"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage/pkg/configfile"

	"github.com/pod-project/pod/storage"
)

// RegistryOptions are the TLS, auth and platform settings every command
// that talks to a registry takes. The zero value means: verify TLS (plain
// HTTP only to a loopback registry that does not speak TLS), credentials
// from the usual auth files, the host's platform.
type RegistryOptions struct {
	// TLSVerify: nil decides per registry as above; false skips
	// verification and allows plain HTTP; true always verifies.
	TLSVerify *bool
	// CertDir holds ca.crt / client.cert / client.key for the registry
	// (default: /etc/containers/certs.d/HOST and the user's certs.d).
	CertDir string
	// AuthFile replaces the default auth file ($REGISTRY_AUTH_FILE, else
	// $XDG_RUNTIME_DIR/containers/auth.json, then Docker's config.json).
	AuthFile string
	// Creds is USER[:PASSWORD] used instead of the auth files.
	Creds string
	// Platform is OS/ARCH[/VARIANT] to choose from a multi-arch index.
	Platform string
}

// systemContext builds the go.podman.io/image context for talking to the
// registry host (HOST[:PORT]); store may be nil (login needs none). It
// has no directory for big temporary files: a copy sets the one it made
// in the store (copyOnce refuses to run without).
func (o RegistryOptions) systemContext(ctx context.Context, store storage.Store, host string) (*types.SystemContext, error) {
	sys := &types.SystemContext{}
	if store != nil {
		sys = SystemContext(store, "")
	}
	sys.DockerRegistryUserAgent = "pod"
	sys.AuthFilePath = authFile(o)
	if o.CertDir != "" {
		sys.DockerCertPath = o.CertDir
	}
	if o.Creds != "" {
		user, pass, _ := strings.Cut(o.Creds, ":")
		if user == "" {
			return nil, fmt.Errorf("%w: --creds %q: give USER[:PASSWORD]", ErrBadReference, o.Creds)
		}
		sys.DockerAuthConfig = &types.DockerAuthConfig{Username: user, Password: pass}
	}
	if o.Platform != "" {
		p := strings.Split(o.Platform, "/")
		if len(p) < 2 || len(p) > 3 || p[0] == "" || p[1] == "" {
			return nil, fmt.Errorf("%w: --platform %q: use OS/ARCH[/VARIANT]", ErrBadReference, o.Platform)
		}
		sys.OSChoice, sys.ArchitectureChoice = p[0], p[1]
		if len(p) == 3 {
			sys.VariantChoice = p[2]
		}
	}
	switch {
	case o.TLSVerify != nil:
		sys.DockerInsecureSkipTLSVerify = types.NewOptionalBool(!*o.TLSVerify)
		sys.OCIInsecureSkipTLSVerify = !*o.TLSVerify
		sys.DockerDaemonInsecureSkipTLSVerify = !*o.TLSVerify
	case plainHTTPLoopback(ctx, host):
		// As Docker: a registry on the loopback interface may speak plain
		// HTTP. The library falls back to http only when verification is
		// off, which is harmless here: the server has no TLS at all.
		sys.DockerInsecureSkipTLSVerify = types.OptionalBoolTrue
	}
	return sys, nil
}

// authFile is --authfile, else $REGISTRY_AUTH_FILE, else "" (the
// library's default paths).
func authFile(o RegistryOptions) string {
	if o.AuthFile != "" {
		return o.AuthFile
	}
	return os.Getenv("REGISTRY_AUTH_FILE")
}

// isLoopback reports whether host (HOST[:PORT]) names the loopback
// interface: localhost, 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// plainHTTPLoopback reports whether host is a loopback registry that
// answers a TLS hello with plain HTTP. A TLS registry (even one with an
// unknown CA) is left to normal verification.
func plainHTTPLoopback(ctx context.Context, host string) bool {
	if !isLoopback(host) {
		return false
	}
	addr := host
	if _, _, err := net.SplitHostPort(host); err != nil {
		addr = net.JoinHostPort(strings.Trim(host, "[]"), "443")
	}
	d := tls.Dialer{
		NetDialer: &net.Dialer{Timeout: 2 * time.Second},
		Config:    &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // only probes whether TLS is spoken
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		conn.Close()
		return false
	}
	var rh tls.RecordHeaderError
	return errors.As(err, &rh)
}

// policyContext is the signature policy for copies from registries and
// archives: policy.json from the usual containers paths ($HOME's, then the
// system's), or accept anything when there is none, as Podman's default.
func policyContext(sys *types.SystemContext) (*signature.PolicyContext, error) {
	policy, err := signature.DefaultPolicy(sys)
	if errors.Is(err, configfile.ErrConfigFileNotFound) {
		return acceptAnything()
	}
	if err != nil {
		return nil, fmt.Errorf("reading the signature policy (policy.json): %w", err)
	}
	pc, err := signature.NewPolicyContext(policy)
	if err != nil {
		return nil, fmt.Errorf("reading the signature policy (policy.json): %w", err)
	}
	return pc, nil
}
