package builder

import (
	"fmt"
	"os"
	goruntime "runtime"
	"slices"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// kv is one variable: a declared ARG or an ENV.
type kv struct{ Key, Value string }

// proxyArgs may be given with --build-arg without an ARG instruction, as
// Docker allows; they are not recorded in the image's history.
var proxyArgs = []string{
	"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
	"NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
}

func isBuiltinArg(name string) bool {
	if slices.Contains(proxyArgs, name) {
		return true
	}
	_, ok := platformArgs()[name]
	return ok
}

// platformArgs are the automatic platform ARGs; pod builds for the host
// platform only, so target and build platforms are the same.
func platformArgs() map[string]string {
	p := goruntime.GOOS + "/" + goruntime.GOARCH
	return map[string]string{
		"TARGETPLATFORM": p, "TARGETOS": goruntime.GOOS, "TARGETARCH": goruntime.GOARCH, "TARGETVARIANT": "",
		"BUILDPLATFORM": p, "BUILDOS": goruntime.GOOS, "BUILDARCH": goruntime.GOARCH, "BUILDVARIANT": "",
	}
}

// evalMetaArgs evaluates the ARGs before the first FROM: --build-arg
// values over defaults, each default expanded with the earlier ones.
func (b *builder) evalMetaArgs() ([]kv, error) {
	var out []kv
	for name, v := range platformArgs() {
		out = append(out, kv{name, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	for _, a := range b.df.MetaArgs {
		for _, arg := range a.Args {
			val, ok := b.o.BuildArgs[arg.Key]
			if ok {
				b.usedArgs[arg.Key] = true
			} else if arg.Value != nil {
				v, _, err := b.lex.ProcessWord(*arg.Value, shell.EnvsFromSlice(envList(out)))
				if err != nil {
					return nil, fmt.Errorf("%w: %s:%d: ARG %s: %v", ErrParse, b.df.Name, line(&a), arg.Key, err)
				}
				val, ok = v, true
			}
			if ok {
				out = setVar(out, arg.Key, val)
			}
		}
	}
	return out, nil
}

// expandMeta expands a word (a FROM name, COPY --from) with the global ARGs.
func (b *builder) expandMeta(word string) (string, error) {
	v, _, err := b.lex.ProcessWord(word, shell.EnvsFromSlice(envList(b.meta)))
	return v, err
}

func envList(vars []kv) []string {
	out := make([]string, 0, len(vars))
	for _, v := range vars {
		out = append(out, v.Key+"="+v.Value)
	}
	return out
}

func setVar(vars []kv, key, value string) []kv {
	for i := range vars {
		if vars[i].Key == key {
			vars[i].Value = value
			return vars
		}
	}
	return append(vars, kv{key, value})
}

func getVar(vars []kv, key string) (string, bool) {
	for _, v := range vars {
		if v.Key == key {
			return v.Value, true
		}
	}
	return "", false
}

// scope is a stage's variables: its declared ARGs; ENV lives in the image.
type scope struct {
	args []kv
	// cmdSet: the stage set CMD (ENTRYPOINT then keeps it).
	cmdSet bool
}

// declare handles an ARG instruction in a stage: a --build-arg value, else
// the global ARG of that name (ARG NAME with no default), else the default.
func (b *builder) declare(sc *scope, a *instructions.ArgCommand, env []string) error {
	for _, arg := range a.Args {
		val, ok := b.o.BuildArgs[arg.Key]
		if ok {
			b.usedArgs[arg.Key] = true
		} else if arg.Value != nil {
			v, _, err := b.lex.ProcessWord(*arg.Value, shell.EnvsFromSlice(b.expansionEnv(sc, env)))
			if err != nil {
				return fmt.Errorf("%w: %s:%d: ARG %s: %v", ErrParse, b.df.Name, line(a), arg.Key, err)
			}
			val, ok = v, true
		} else if v, found := getVar(b.meta, arg.Key); found {
			val, ok = v, true
		}
		if !ok {
			// Declared with no value: expands to nothing, not set in RUN.
			sc.args = setVar(sc.args, arg.Key, "")
			continue
		}
		sc.args = setVar(sc.args, arg.Key, val)
	}
	return nil
}

// expansionEnv is what $VAR means in an instruction: the stage's ARGs with
// the image's ENV over them (ENV wins, as in Docker).
func (b *builder) expansionEnv(sc *scope, env []string) []string {
	out := envList(sc.args)
	return mergeEnv(out, env)
}

// runEnv is the environment of a RUN: the image's ENV, the declared ARGs
// that ENV does not set, and proxy --build-args.
func (b *builder) runEnv(sc *scope, env []string) []string {
	out := slices.Clone(env)
	for _, a := range sc.args {
		if !hasEnv(out, a.Key) {
			out = append(out, a.Key+"="+a.Value)
		}
	}
	for _, p := range proxyArgs {
		if v, ok := b.o.BuildArgs[p]; ok && !hasEnv(out, p) {
			b.usedArgs[p] = true
			out = append(out, p+"="+v)
		} else if v, ok := os.LookupEnv(p); ok && b.o.HTTPProxy && !hasEnv(out, p) {
			out = append(out, p+"="+v)
		}
	}
	return out
}

func hasEnv(env []string, key string) bool {
	for _, e := range env {
		if k, _, _ := strings.Cut(e, "="); k == key {
			return true
		}
	}
	return false
}

// mergeEnv sets each KEY=VALUE of over in base.
func mergeEnv(base, over []string) []string {
	out := slices.Clone(base)
	for _, e := range over {
		k, _, _ := strings.Cut(e, "=")
		replaced := false
		for i := range out {
			if ok, _, _ := strings.Cut(out[i], "="); ok == k {
				out[i], replaced = e, true
				break
			}
		}
		if !replaced {
			out = append(out, e)
		}
	}
	return out
}

// expander returns the word expander for an instruction, recording the
// variables it used in used.
func (b *builder) expander(sc *scope, env []string, used map[string]bool) instructions.SingleWordExpander {
	getter := shell.EnvsFromSlice(b.expansionEnv(sc, env))
	return func(word string) (string, error) {
		res, err := b.lex.ProcessWordWithMatches(word, getter)
		if err != nil {
			return "", err
		}
		for name := range res.Matched {
			used[name] = true
		}
		return res.Result, nil
	}
}

// argsKey lists the stage ARGs among names with their values, sorted: what
// a step's cache key holds of the build args.
func argsKey(sc *scope, names map[string]bool) []string {
	var out []string
	for _, a := range sc.args {
		if names == nil || names[a.Key] {
			out = append(out, a.Key+"="+a.Value)
		}
	}
	sort.Strings(out)
	return out
}
