package image

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// changeKeywords are the Dockerfile instructions `import --change` takes.
const changeKeywords = "CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR"

// ApplyChanges applies Dockerfile-syntax instructions to cfg, in order, as
// `docker import --change` does: CMD and ENTRYPOINT in JSON (exec) or shell
// form, ENV and LABEL as KEY=VALUE pairs (or the legacy "KEY VALUE"),
// WORKDIR (relative to the previous one), USER, EXPOSE PORT[-PORT][/PROTO],
// VOLUME as a JSON array or words, STOPSIGNAL. "KEYWORD=ARGS" is accepted
// too, as Podman does. Variables are not expanded. Errors wrap ErrBadChange
// and quote the change.
func ApplyChanges(cfg *v1.ImageConfig, changes []string) error {
	for _, c := range changes {
		if err := applyChange(cfg, c); err != nil {
			return fmt.Errorf("%w %q: %v", ErrBadChange, c, err)
		}
	}
	return nil
}

func applyChange(cfg *v1.ImageConfig, change string) error {
	s := strings.TrimSpace(change)
	i := strings.IndexAny(s, " \t=")
	if i < 0 {
		i = len(s)
	}
	keyword, args := strings.ToUpper(s[:i]), strings.TrimSpace(strings.TrimPrefix(s[i:], "="))
	if keyword == "" {
		return fmt.Errorf("no instruction; use one of %s", changeKeywords)
	}
	if args == "" {
		return fmt.Errorf("%s needs an argument", keyword)
	}
	switch keyword {
	case "CMD":
		cfg.Cmd = commandForm(args)
	case "ENTRYPOINT":
		cfg.Entrypoint = commandForm(args)
	case "ENV":
		pairs, err := keyValues(args)
		if err != nil {
			return err
		}
		for _, p := range pairs {
			cfg.Env = setEnv(cfg.Env, p[0], p[1])
		}
	case "LABEL":
		pairs, err := keyValues(args)
		if err != nil {
			return err
		}
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		for _, p := range pairs {
			cfg.Labels[p[0]] = p[1]
		}
	case "WORKDIR":
		return applyWorkdir(cfg, args)
	case "USER":
		words, err := splitWords(args)
		if err != nil {
			return err
		}
		if len(words) != 1 {
			return fmt.Errorf("USER takes one USER[:GROUP]")
		}
		cfg.User = words[0]
	case "EXPOSE":
		return applyExpose(cfg, args)
	case "VOLUME":
		return applyVolume(cfg, args)
	case "STOPSIGNAL":
		if !validSignal(args) {
			return fmt.Errorf("STOPSIGNAL %q is not a signal name or number", args)
		}
		cfg.StopSignal = args
	default:
		return fmt.Errorf("%s is not supported; use one of %s", keyword, changeKeywords)
	}
	return nil
}

// commandForm reads CMD/ENTRYPOINT arguments: a JSON array of strings is
// the exec form; anything else is the shell form, run by /bin/sh -c.
func commandForm(args string) []string {
	if arr, ok := jsonArray(args); ok {
		return arr
	}
	return []string{"/bin/sh", "-c", args}
}

func jsonArray(s string) ([]string, bool) {
	if !strings.HasPrefix(s, "[") {
		return nil, false
	}
	var arr []string
	if err := json.Unmarshal([]byte(s), &arr); err != nil {
		return nil, false
	}
	if arr == nil {
		arr = []string{}
	}
	return arr, true
}

// keyValues reads ENV/LABEL arguments: KEY=VALUE words (quotes removed), or
// the legacy form KEY VALUE... where the value is the rest of the line.
func keyValues(args string) ([][2]string, error) {
	words, err := splitWords(args)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("no KEY=VALUE")
	}
	if !strings.Contains(words[0], "=") {
		if len(words) < 2 {
			return nil, fmt.Errorf("%q has no value: use KEY=VALUE", words[0])
		}
		rest := strings.TrimSpace(args[strings.IndexAny(args, " \t\n"):])
		vals, err := splitWords(rest)
		if err != nil {
			return nil, err
		}
		return [][2]string{{words[0], strings.Join(vals, " ")}}, nil
	}
	pairs := make([][2]string, 0, len(words))
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not KEY=VALUE", w)
		}
		if k == "" {
			return nil, fmt.Errorf("%q has an empty name", w)
		}
		pairs = append(pairs, [2]string{k, v})
	}
	return pairs, nil
}

// setEnv sets KEY=VALUE in env, replacing an earlier value of KEY.
func setEnv(env []string, k, v string) []string {
	for i, e := range env {
		if name, _, _ := strings.Cut(e, "="); name == k {
			env[i] = k + "=" + v
			return env
		}
	}
	return append(env, k+"="+v)
}

func applyWorkdir(cfg *v1.ImageConfig, args string) error {
	dir := args
	if words, err := splitWords(args); err == nil && len(words) == 1 {
		dir = words[0]
	}
	if !path.IsAbs(dir) {
		base := cfg.WorkingDir
		if base == "" {
			base = "/"
		}
		dir = path.Join(base, dir)
	}
	cfg.WorkingDir = path.Clean(dir)
	return nil
}

var portSpec = regexp.MustCompile(`^(\d+)(?:-(\d+))?(?:/([A-Za-z]+))?$`)

func applyExpose(cfg *v1.ImageConfig, args string) error {
	words, err := splitWords(args)
	if err != nil {
		return err
	}
	for _, w := range words {
		ports, err := expandPort(w)
		if err != nil {
			return err
		}
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range ports {
			cfg.ExposedPorts[p] = struct{}{}
		}
	}
	return nil
}

// expandPort turns "80", "53/udp" or "8000-8002/tcp" into "PORT/PROTO" keys.
func expandPort(w string) ([]string, error) {
	m := portSpec.FindStringSubmatch(w)
	if m == nil {
		return nil, fmt.Errorf("%q is not PORT[-PORT][/PROTO]", w)
	}
	proto := strings.ToLower(m[3])
	switch proto {
	case "":
		proto = "tcp"
	case "tcp", "udp", "sctp":
	default:
		return nil, fmt.Errorf("%q: protocol must be tcp, udp or sctp", w)
	}
	lo, err1 := strconv.Atoi(m[1])
	hi := lo
	var err2 error
	if m[2] != "" {
		hi, err2 = strconv.Atoi(m[2])
	}
	if err1 != nil || err2 != nil || lo < 1 || hi > 65535 || hi < lo {
		return nil, fmt.Errorf("%q: ports must be 1-65535, low to high", w)
	}
	ports := make([]string, 0, hi-lo+1)
	for p := lo; p <= hi; p++ {
		ports = append(ports, strconv.Itoa(p)+"/"+proto)
	}
	return ports, nil
}

func applyVolume(cfg *v1.ImageConfig, args string) error {
	vols, ok := jsonArray(args)
	if !ok {
		var err error
		if vols, err = splitWords(args); err != nil {
			return err
		}
	}
	if len(vols) == 0 {
		return fmt.Errorf("VOLUME needs a path")
	}
	for _, v := range vols {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("VOLUME path is empty")
		}
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		cfg.Volumes[v] = struct{}{}
	}
	return nil
}

var signalName = regexp.MustCompile(`^(SIG)?[A-Z][A-Z0-9]*([+-]\d+)?$`)

func validSignal(s string) bool {
	if n, err := strconv.Atoi(s); err == nil {
		return n > 0 && n < 65
	}
	return signalName.MatchString(strings.ToUpper(s))
}

// splitWords splits s into words like a shell without expansion:
// whitespace separates, '...' is literal, "..." allows \" and \\, and a
// backslash outside quotes escapes the next character.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated ' quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			inWord = true
			closed := false
			for i++; i < len(s); i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`+"`", s[i+1]) >= 0 {
					i++
					cur.WriteByte(s[i])
					continue
				}
				if s[i] == '"' {
					closed = true
					break
				}
				cur.WriteByte(s[i])
			}
			if !closed {
				return nil, fmt.Errorf(`unterminated " quote`)
			}
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
