package lifecycle

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/secrets"
	"github.com/pod-project/pod/storage"
)

// resolveSecrets gives each --secret of cfg its secret's ID, so the
// container keeps the secret it was created with.
func resolveSecrets(st storage.Store, cfg *container.Config) error {
	if len(cfg.Secrets) == 0 {
		return nil
	}
	ss := secrets.New(st.GraphRoot())
	targets := map[string]string{}
	for i := range cfg.Secrets {
		r := &cfg.Secrets[i]
		s, err := ss.GetExact(r.Name)
		if err != nil {
			return fmt.Errorf("--secret %s: %w", r.Name, err)
		}
		r.ID = s.ID
		key := r.Type + " " + r.Target
		if other, ok := targets[key]; ok {
			return fmt.Errorf("--secret %s and --secret %s both go to %s %s: give one of them another target=", other, r.Name, r.Type, r.Target)
		}
		targets[key] = r.Name
	}
	return nil
}

// SecretInUse fails naming the containers that use secret id, for pod secret
// rm.
func (h *Host) SecretInUse(id, name string) error {
	recs, err := container.List(h.Store)
	if err != nil {
		return err
	}
	var users []string
	for _, rec := range recs {
		for _, r := range rec.Config.Secrets {
			if r.ID == id {
				users = append(users, rec.Config.Name)
				break
			}
		}
	}
	if len(users) > 0 {
		return fmt.Errorf("secret %s is used by container %s: remove %s first (pod rm)", name, strings.Join(users, ", "), plural(len(users), "it", "them"))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeSecrets writes the container's mount secrets into the bundle's
// secrets/ (on the run root: a tmpfs on most hosts) and returns their
// read-only mounts, and sets its environment secrets in env. The data is
// read at each start: a secret removed since fails the start, naming it.
func writeSecrets(st storage.Store, cfg *container.Config, bundle string, env []string) ([]specs.Mount, []string, error) {
	if len(cfg.Secrets) == 0 {
		return nil, env, nil
	}
	if st == nil {
		return nil, nil, errors.New("secrets need the store")
	}
	ss := secrets.New(st.GraphRoot())
	dir := filepath.Join(bundle, "secrets")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	var mounts []specs.Mount
	for i, r := range cfg.Secrets {
		data, err := ss.Data(r.ID)
		if err != nil {
			return nil, nil, container.WithExitCode(125, fmt.Errorf("container %s: --secret %s: %w: create the secret again and the container with it", cfg.Name, r.Name, err))
		}
		if r.Type == container.SecretEnv {
			env = container.SetEnv(env, r.Target, string(data))
			continue
		}
		path := filepath.Join(dir, strconv.Itoa(i))
		if err := storage.WriteFileAtomicVolatile(path, data, 0o600); err != nil {
			return nil, nil, err
		}
		if err := os.Chown(path, r.UID, r.GID); err != nil {
			return nil, nil, container.WithExitCode(125, fmt.Errorf("container %s: --secret %s: owner %d:%d: %w", cfg.Name, r.Name, r.UID, r.GID, err))
		}
		if err := os.Chmod(path, os.FileMode(r.FileMode())); err != nil {
			return nil, nil, err
		}
		mounts = append(mounts, specs.Mount{Destination: r.Target, Type: "bind", Source: path, Options: []string{"bind", "ro", "nosuid", "nodev", "noexec"}})
	}
	return mounts, env, nil
}
