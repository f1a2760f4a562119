package container

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseEnv merges --env-file files (in order) and then -e values into
// KEY=VALUE pairs, Docker's way: "KEY" alone takes the value from lookup
// (the host's environment) and is dropped when unset there. A name holds
// no whitespace, control character or NUL; a value holds no NUL (no
// process environment can carry one). Values may span lines, as Docker's.
func ParseEnv(env, files []string, lookup func(string) (string, bool)) ([]string, error) {
	var out []string
	add := func(kv, where string) error {
		k, v, hasValue := strings.Cut(kv, "=")
		switch {
		case k == "":
			return fmt.Errorf("invalid environment variable %q%s: no name before =; use KEY=VALUE", kv, where)
		case !envName(k):
			return fmt.Errorf("invalid environment variable %q%s: the name holds whitespace or a control character; use KEY=VALUE", kv, where)
		case strings.ContainsRune(v, 0):
			return fmt.Errorf("invalid environment variable %q%s: the value holds a NUL byte", kv, where)
		}
		if !hasValue {
			v, ok := lookup(k)
			if !ok {
				return nil
			}
			kv = k + "=" + v
		}
		out = append(out, kv)
		return nil
	}
	for _, f := range files {
		lines, err := envFileLines(f)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if err := add(l.text, fmt.Sprintf(" in %s line %d", f, l.n)); err != nil {
				return nil, err
			}
		}
	}
	for _, kv := range env {
		if err := add(kv, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type envLine struct {
	n    int
	text string
}

// envFileLines reads an --env-file as Docker does: UTF-8 (a leading BOM
// dropped), leading blanks trimmed, empty lines and # comments skipped.
func envFileLines(name string) ([]envLine, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("reading --env-file: %w", err)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var out []envLine
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, len(b)+1)
	for n := 1; sc.Scan(); n++ {
		if !utf8.Valid(sc.Bytes()) {
			return nil, fmt.Errorf("invalid --env-file %s line %d: not UTF-8 text", name, n)
		}
		line := strings.TrimLeft(sc.Text(), " \t")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, envLine{n, line})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading --env-file %s: %w", name, err)
	}
	return out, nil
}

// envName reports whether k may name an environment variable: no
// whitespace, no control character (so no newline or NUL).
func envName(k string) bool {
	return !strings.ContainsFunc(k, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

// ParseLabels turns KEY=VALUE (or KEY) arguments into a map. A key is not
// blank (Docker's rule) and holds no control character; a value holds no
// NUL.
func ParseLabels(labels []string) (map[string]string, error) {
	if len(labels) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(labels))
	for _, l := range labels {
		k, v, _ := strings.Cut(l, "=")
		switch {
		case strings.TrimSpace(k) == "":
			return nil, fmt.Errorf("invalid label %q: empty name; use KEY=VALUE", l)
		case strings.ContainsFunc(k, unicode.IsControl):
			return nil, fmt.Errorf("invalid label %q: the name holds a control character; use KEY=VALUE", l)
		case strings.ContainsRune(v, 0):
			return nil, fmt.Errorf("invalid label %q: the value holds a NUL byte", l)
		}
		m[k] = v
	}
	return m, nil
}

// HostNameMax is Linux's HOST_NAME_MAX: the longest host name (and NIS
// domain name) the kernel takes.
const HostNameMax = 64

// validHostName is what a host name may hold, as Podman checks it: no
// space, no "/", nothing that would break /etc/hosts or /etc/hostname.
var validHostName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// CheckHostName checks --hostname as the kernel and Podman take a host
// name: at most HOST_NAME_MAX (64) bytes of [a-zA-Z0-9][a-zA-Z0-9_.-]*.
func CheckHostName(flag, s string) error {
	return checkName(flag, "host name", s, HostNameMax)
}

// CheckDomainName checks --domainname by the same rule (the kernel's NIS
// domain name has the same limit).
func CheckDomainName(flag, s string) error {
	return checkName(flag, "domain name", s, HostNameMax)
}

// CheckHostsName checks a name for /etc/hosts (--add-host): a host name
// of at most 253 bytes, DNS's longest.
func CheckHostsName(flag, s string) error {
	return checkName(flag, "host name", s, 253)
}

func checkName(flag, what, s string, limit int) error {
	switch {
	case len(s) > limit:
		return fmt.Errorf("invalid %s %s: a %s is at most %d bytes", flag, abbrev(s), what, limit)
	case !validHostName.MatchString(s):
		return fmt.Errorf("invalid %s %s: a %s holds only letters, digits, '.', '-' and '_', and starts with a letter or digit", flag, abbrev(s), what)
	}
	return nil
}

// CheckWorkdir checks -w as Docker does: an absolute path.
func CheckWorkdir(dir string) error {
	if !strings.HasPrefix(dir, "/") {
		return fmt.Errorf("--workdir: the working directory '%s' is invalid, it needs to be an absolute path", dir)
	}
	return nil
}

// abbrev shortens a long value for a message.
func abbrev(s string) string {
	const keep = 40
	if len(s) <= keep+10 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q... (%d bytes)", s[:keep], len(s))
}
