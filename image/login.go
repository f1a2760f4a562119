package image

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/pkg/docker/config"
	"go.podman.io/image/v5/types"
)

// LoginOptions say where credentials are checked and kept. Only TLSVerify,
// CertDir and AuthFile of RegistryOptions apply.
type LoginOptions struct {
	RegistryOptions
	Username, Password string
}

// ErrNotLoggedIn: logout of a registry with no stored credentials.
var ErrNotLoggedIn = errors.New("not logged in")

// ErrBadCredentials: the registry refused the username and password.
var ErrBadCredentials = errors.New("invalid username or password")

// RegistryKey normalizes what login/logout take: a registry host
// (HOST[:PORT]), optionally with a repository path, without a scheme;
// Docker Hub's names become docker.io.
func RegistryKey(s string) (string, error) {
	k := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://"), "/")
	switch k {
	case "", "docker.io", "index.docker.io", "registry-1.docker.io", "index.docker.io/v1":
		return "docker.io", nil
	}
	if strings.ContainsAny(k, " @") || strings.Contains(k, ":/") {
		return "", fmt.Errorf("%w %q: give a registry as HOST[:PORT][/REPOSITORY]", ErrBadReference, s)
	}
	return k, nil
}

func hostOf(key string) string {
	h, _, _ := strings.Cut(key, "/")
	return h
}

// Login checks the credentials against the registry and, when it accepts
// them, stores them (auth file at mode 0600, or a configured credential
// helper). It returns where they were stored.
func Login(ctx context.Context, registry string, opts LoginOptions) (string, error) {
	key, err := RegistryKey(registry)
	if err != nil {
		return "", err
	}
	if opts.Username == "" {
		return "", fmt.Errorf("logging in to %s: a username is needed", key)
	}
	if opts.Password == "" {
		return "", fmt.Errorf("logging in to %s: a password is needed", key)
	}
	sys, err := opts.systemContext(ctx, nil, hostOf(key))
	if err != nil {
		return "", err
	}
	loginHost := hostOf(key)
	if loginHost == "docker.io" {
		loginHost = "registry-1.docker.io"
	}
	if err := docker.CheckAuth(ctx, sys, opts.Username, opts.Password, loginHost); err != nil {
		var unauth docker.ErrUnauthorizedForCredentials
		if errors.As(err, &unauth) {
			return "", fmt.Errorf("logging in to %s: %w (nothing was saved)", key, ErrBadCredentials)
		}
		return "", registryError("logging in to "+key, hostOf(key), err)
	}
	where, err := config.SetCredentials(sys, key, opts.Username, opts.Password)
	if err != nil {
		return "", fmt.Errorf("storing credentials for %s: %w", key, err)
	}
	return where, nil
}

// Logout removes the stored credentials of registry, or of every
// registry when all is set. A registry with none wraps ErrNotLoggedIn.
func Logout(registry string, all bool, opts RegistryOptions) error {
	sys := &types.SystemContext{AuthFilePath: authFile(opts)}
	if all {
		if err := config.RemoveAllAuthentication(sys); err != nil {
			return fmt.Errorf("removing all credentials: %w", err)
		}
		return nil
	}
	key, err := RegistryKey(registry)
	if err != nil {
		return err
	}
	err = config.RemoveAuthentication(sys, key)
	if errors.Is(err, config.ErrNotLoggedIn) {
		return fmt.Errorf("%w to %s", ErrNotLoggedIn, key)
	}
	if err != nil {
		return fmt.Errorf("removing credentials for %s: %w", key, err)
	}
	return nil
}

// LoggedInUser returns the username stored for registry (--get-login);
// none wraps ErrNotLoggedIn.
func LoggedInUser(registry string, opts RegistryOptions) (string, error) {
	key, err := RegistryKey(registry)
	if err != nil {
		return "", err
	}
	sys := &types.SystemContext{AuthFilePath: authFile(opts)}
	auth, err := config.GetCredentials(sys, key)
	if err != nil {
		return "", fmt.Errorf("reading credentials for %s: %w", key, err)
	}
	if auth.Username == "" {
		return "", fmt.Errorf("%w to %s", ErrNotLoggedIn, key)
	}
	return auth.Username, nil
}
