package container

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// ParseEnv merges --env-file files (in order) and then -e values into
// KEY=VALUE pairs, Docker's way: "KEY" alone takes the value from lookup
// (the host's environment) and is dropped when unset there.
func ParseEnv(env, files []string, lookup func(string) (string, bool)) ([]string, error) {
	var out []string
	add := func(kv, where string) error {
		k, _, hasValue := strings.Cut(kv, "=")
		if k == "" || strings.ContainsAny(k, " \t") {
			return fmt.Errorf("invalid environment variable %q%s: use KEY=VALUE", kv, where)
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
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading --env-file: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimLeft(sc.Text(), " \t")
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if err := add(line, fmt.Sprintf(" in %s line %d", f, n)); err != nil {
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

// ParseLabels turns KEY=VALUE (or KEY) arguments into a map.
func ParseLabels(labels []string) (map[string]string, error) {
	if len(labels) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(labels))
	for _, l := range labels {
		k, v, _ := strings.Cut(l, "=")
		if k == "" {
			return nil, fmt.Errorf("invalid label %q: use KEY=VALUE", l)
		}
		m[k] = v
	}
	return m, nil
}
