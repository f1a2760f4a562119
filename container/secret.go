package container

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// SecretRef is one --secret of a container: which secret, and how the
// container sees it.
type SecretRef struct {
	// Name is the secret's name as given; ID its ID, set at create, which
	// the container keeps even if a secret of that name is made anew.
	Name string `json:"name"`
	ID   string `json:"id,omitempty"`
	// Type is "mount" (a read-only file, at /run/secrets/NAME unless
	// Target says otherwise) or "env" (an environment variable named
	// Target, or NAME).
	Type   string `json:"type"`
	Target string `json:"target,omitempty"`
	// UID, GID and Mode own the file of a mount secret (0, 0 and 0444
	// when not given).
	UID  int     `json:"uid,omitempty"`
	GID  int     `json:"gid,omitempty"`
	Mode *uint32 `json:"mode,omitempty"`
}

// Secret types.
const (
	SecretMount = "mount"
	SecretEnv   = "env"
)

// SecretsDir is where mount secrets go when their target is not absolute.
const SecretsDir = "/run/secrets"

// ParseSecret parses --secret NAME[,type=mount|env][,target=T][,uid=N]
// [,gid=N][,mode=OCTAL], as Podman does.
func ParseSecret(s string) (SecretRef, error) {
	parts := strings.Split(s, ",")
	r := SecretRef{Name: parts[0], Type: SecretMount}
	if r.Name == "" || strings.Contains(r.Name, "=") {
		return r, fmt.Errorf("--secret %q: it starts with the secret's name: NAME[,type=mount|env][,target=T][,uid=N][,gid=N][,mode=N]", s)
	}
	var owner bool
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			return r, fmt.Errorf("--secret %q: %q is not KEY=VALUE", s, p)
		}
		switch k {
		case "type":
			if v != SecretMount && v != SecretEnv {
				return r, fmt.Errorf("--secret %q: type %q: mount or env", s, v)
			}
			r.Type = v
		case "target":
			r.Target = v
		case "uid", "gid":
			n, err := strconv.ParseUint(v, 10, 31)
			if err != nil {
				return r, fmt.Errorf("--secret %q: %s %q is not a number", s, k, v)
			}
			if k == "uid" {
				r.UID = int(n)
			} else {
				r.GID = int(n)
			}
			owner = true
		case "mode":
			n, err := strconv.ParseUint(v, 8, 32)
			if err != nil || n > 0o777 {
				return r, fmt.Errorf("--secret %q: mode %q is not an octal mode such as 0400", s, v)
			}
			m := uint32(n)
			r.Mode = &m
			owner = true
		default:
			return r, fmt.Errorf("--secret %q: unknown option %q (type, target, uid, gid, mode)", s, k)
		}
	}
	switch r.Type {
	case SecretEnv:
		if owner {
			return r, fmt.Errorf("--secret %q: uid, gid and mode are for type=mount", s)
		}
		if r.Target == "" {
			r.Target = r.Name
		}
		if !envName(r.Target) || strings.Contains(r.Target, "=") {
			return r, fmt.Errorf("--secret %q: %q is not an environment variable's name", s, r.Target)
		}
	case SecretMount:
		if r.Target == "" {
			r.Target = r.Name
		}
		if !path.IsAbs(r.Target) {
			r.Target = path.Join(SecretsDir, r.Target)
		}
		r.Target = path.Clean(r.Target)
		if r.Target == "/" || r.Target == "/run" || r.Target == SecretsDir {
			return r, fmt.Errorf("--secret %q: target %s is a directory pod needs", s, r.Target)
		}
	}
	return r, nil
}

// FileMode is the mode of a mount secret's file: 0444 unless given.
func (r SecretRef) FileMode() uint32 {
	if r.Mode == nil {
		return 0o444
	}
	return *r.Mode
}

// String is r as --secret takes it, for generated units: ParseSecret of
// it gives r back (without its ID).
func (r SecretRef) String() string {
	s := r.Name + ",type=" + r.Type + ",target=" + r.Target
	if r.Type == SecretMount {
		if r.UID != 0 {
			s += ",uid=" + strconv.Itoa(r.UID)
		}
		if r.GID != 0 {
			s += ",gid=" + strconv.Itoa(r.GID)
		}
		if r.Mode != nil {
			s += fmt.Sprintf(",mode=%04o", *r.Mode)
		}
	}
	return s
}
