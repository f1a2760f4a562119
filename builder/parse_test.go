package builder

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/pod-project/pod/container"
)

func TestParseDockerfileErrors(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"FROM a\nFORM b\n", "Containerfile:2: unknown instruction: FORM"},
		{"FROM a\nENV A\n", "Containerfile:2:"},
		{"RUN true\n", "only ARG may come before FROM"},
		{"ARG A=1\n", "no FROM"},
	} {
		_, err := parseDockerfile("/ctx/Containerfile", strings.NewReader(tt.src))
		if !errors.Is(err, ErrParse) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parse %q: %v, want ErrParse mentioning %q", tt.src, err, tt.want)
		}
	}
}

func TestParseDockerfileDirectives(t *testing.T) {
	df, err := parseDockerfile("Dockerfile", strings.NewReader("# syntax=docker/dockerfile:1\n# escape=`\nARG X=1\nfrom a AS b\nrun echo `\n  hi\n"))
	if err != nil {
		t.Fatal(err)
	}
	if df.Syntax != "docker/dockerfile:1" || df.Escape != '`' || len(df.MetaArgs) != 1 || len(df.Stages) != 1 || df.Stages[0].Name != "b" {
		t.Fatalf("parsed %+v", df)
	}
	run, ok := df.Stages[0].Commands[0].(*instructions.RunCommand)
	if !ok || strings.Join(run.CmdLine, " ") != "echo   hi" {
		t.Fatalf("RUN = %#v", df.Stages[0].Commands[0])
	}
}

func parseOne(t *testing.T, src string) instructions.Command {
	t.Helper()
	df, err := parseDockerfile("Dockerfile", strings.NewReader("FROM a\n"+src))
	if err != nil {
		t.Fatal(err)
	}
	return df.Stages[0].Commands[0]
}

func TestRunArgs(t *testing.T) {
	sh := []string{"/bin/sh", "-c"}
	for _, tt := range []struct {
		src  string
		want []string
	}{
		{"RUN echo hi", []string{"/bin/sh", "-c", "echo hi"}},
		{`RUN ["echo", "hi"]`, []string{"echo", "hi"}},
		{"RUN <<EOF\necho a\necho b\nEOF\n", []string{"/bin/sh", "-c", "echo a\necho b\n"}},
		{"RUN cat <<EOF\nx\nEOF\n", []string{"/bin/sh", "-c", "cat <<EOF\nx\nEOF"}},
	} {
		got := runArgs(parseOne(t, tt.src).(*instructions.RunCommand), sh)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%q: runArgs = %q, want %q", tt.src, got, tt.want)
		}
	}
	cmd := parseOne(t, "CMD echo hi").(*instructions.CmdCommand)
	if got := commandLine(cmd.ShellDependantCmdLine, []string{"/bin/bash", "-c"}); strings.Join(got, "|") != "/bin/bash|-c|echo hi" {
		t.Errorf("CMD shell form = %q", got)
	}
}

func TestExposedPorts(t *testing.T) {
	got, err := exposedPorts([]string{"80", "53/udp", "8000-8002/TCP"})
	if err != nil || strings.Join(got, ",") != "80/tcp,53/udp,8000/tcp,8001/tcp,8002/tcp" {
		t.Fatalf("exposedPorts = %v, %v", got, err)
	}
	for _, bad := range []string{"x", "0", "80/icmp", "90-80"} {
		if _, err := exposedPorts([]string{bad}); err == nil {
			t.Errorf("EXPOSE %s accepted", bad)
		}
	}
}

// The HEALTHCHECK a build stores is the one pod run reads back.
func TestHealthcheckInConfig(t *testing.T) {
	hc := parseOne(t, "HEALTHCHECK --interval=5s --retries=2 CMD test -e /x").(*instructions.HealthCheckCommand)
	s := scratchState()
	s.Image.Config.Healthcheck = healthConfig(hc)
	for _, format := range []string{FormatDocker, FormatOCI} {
		config, _, _, err := s.blobs(format)
		if err != nil {
			t.Fatal(err)
		}
		h, err := container.HealthFromDockerConfig(config)
		if err != nil || h == nil || strings.Join(h.Test, " ") != "CMD-SHELL test -e /x" || h.Interval.Seconds() != 5 || h.Retries != 2 {
			t.Errorf("%s: health read back = %+v, %v", format, h, err)
		}
	}
	_, man, mt, _ := s.blobs(FormatDocker)
	var m struct{ MediaType string }
	if json.Unmarshal(man, &m) != nil || m.MediaType != mt || !strings.Contains(mt, "docker") {
		t.Errorf("docker manifest media type %q / %q", m.MediaType, mt)
	}
}

func TestArgsKeyAndEnv(t *testing.T) {
	sc := &scope{args: []kv{{"B", "2"}, {"A", "1"}}}
	if got := argsKey(sc, nil); strings.Join(got, ",") != "A=1,B=2" {
		t.Errorf("argsKey(all) = %v", got)
	}
	if got := argsKey(sc, map[string]bool{"B": true}); strings.Join(got, ",") != "B=2" {
		t.Errorf("argsKey(B) = %v", got)
	}
	b := &builder{o: Options{BuildArgs: map[string]string{"http_proxy": "p"}}, usedArgs: map[string]bool{}}
	env := b.runEnv(sc, []string{"A=env"})
	if strings.Join(env, ",") != "A=env,B=2,http_proxy=p" {
		t.Errorf("runEnv = %v (ENV wins over ARG; proxy args pass)", env)
	}
	if got := mergeEnv([]string{"A=1", "B=2"}, []string{"B=3", "C=4"}); strings.Join(got, ",") != "A=1,B=3,C=4" {
		t.Errorf("mergeEnv = %v", got)
	}
}

func TestParseDockerfileRefusesBadInstructions(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"FROM a\nSTOPSIGNAL BOGUS\n", `Dockerfile:2: STOPSIGNAL: invalid signal "BOGUS"`},
		{"FROM a\nSTOPSIGNAL 0\n", "Dockerfile:2: STOPSIGNAL: invalid signal"},
		{"FROM a\nRUN\n", "Dockerfile:2: RUN requires at least one argument"},
		{"FROM a\nRUN []\n", "Dockerfile:2: RUN requires at least one argument"},
		{"FROM a\nRUN --network=none\n", "Dockerfile:2: RUN requires at least one argument"},
	} {
		_, err := parseDockerfile("Dockerfile", strings.NewReader(tt.src))
		if !errors.Is(err, ErrParse) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parse %q: %v, want ErrParse mentioning %q", tt.src, err, tt.want)
		}
	}
	for _, ok := range []string{"STOPSIGNAL SIGKILL", "STOPSIGNAL term", "STOPSIGNAL 9", "STOPSIGNAL SIGRTMIN+3", "STOPSIGNAL $SIG", "RUN true", "RUN [\"true\"]", "RUN <<EOF\ntrue\nEOF"} {
		if _, err := parseDockerfile("Dockerfile", strings.NewReader("FROM a\nARG SIG=TERM\n"+ok+"\n")); err != nil {
			t.Errorf("parse %q: %v", ok, err)
		}
	}
}

// A "# check=" comment before an instruction (not a parser directive, so
// buildkit hands it to the linter) used to panic the parser.
func TestParseDockerfileCheckComment(t *testing.T) {
	for _, src := range []string{
		"FROM a\n# check=skip=all\nRUN true\n",
		"# check=error=true\nFROM a\n",
		"\n#CheCk=error=0\nFROM a\n",
	} {
		if _, err := parseDockerfile("Dockerfile", strings.NewReader(src)); err != nil {
			t.Errorf("parse %q: %v", src, err)
		}
	}
	if _, err := parseTrigger("# check=skip=all\nRUN true"); err != nil {
		t.Errorf("parseTrigger with a check comment: %v", err)
	}
}
