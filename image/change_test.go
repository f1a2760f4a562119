package image

import (
	"errors"
	"reflect"
	"testing"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestApplyChanges(t *testing.T) {
	tests := []struct {
		name    string
		changes []string
		want    v1.ImageConfig
	}{
		{"cmd exec form", []string{`CMD ["/bin/echo", "hi there"]`}, v1.ImageConfig{Cmd: []string{"/bin/echo", "hi there"}}},
		{"cmd shell form", []string{`CMD echo "hi" && ls`}, v1.ImageConfig{Cmd: []string{"/bin/sh", "-c", `echo "hi" && ls`}}},
		{"cmd empty exec form", []string{`CMD []`}, v1.ImageConfig{Cmd: []string{}}},
		{"bad json is shell form", []string{`CMD [oops`}, v1.ImageConfig{Cmd: []string{"/bin/sh", "-c", "[oops"}}},
		{"lower-case keyword and = separator", []string{`entrypoint=["/init"]`}, v1.ImageConfig{Entrypoint: []string{"/init"}}},
		{"env pairs with quotes", []string{`ENV A=1 B="two words" C='x y'`}, v1.ImageConfig{Env: []string{"A=1", "B=two words", "C=x y"}}},
		{"env legacy form", []string{`ENV GREETING hello world`}, v1.ImageConfig{Env: []string{"GREETING=hello world"}}},
		{"env replaces", []string{`ENV A=1`, `ENV B=2`, `ENV A=3`}, v1.ImageConfig{Env: []string{"A=3", "B=2"}}},
		{"env empty value", []string{`ENV A=`}, v1.ImageConfig{Env: []string{"A="}}},
		{"workdir relative", []string{`WORKDIR /a`, `WORKDIR b/../c`}, v1.ImageConfig{WorkingDir: "/a/c"}},
		{"workdir quoted", []string{`WORKDIR "/my dir"`}, v1.ImageConfig{WorkingDir: "/my dir"}},
		{"user", []string{`USER 1000:1000`}, v1.ImageConfig{User: "1000:1000"}},
		{"labels", []string{`LABEL a=b "c d"=e`, `LABEL version 1.0`}, v1.ImageConfig{Labels: map[string]string{"a": "b", "c d": "e", "version": "1.0"}}},
		{"expose", []string{`EXPOSE 80 53/udp 8000-8001/TCP`}, v1.ImageConfig{ExposedPorts: map[string]struct{}{
			"80/tcp": {}, "53/udp": {}, "8000/tcp": {}, "8001/tcp": {}}}},
		{"volume json", []string{`VOLUME ["/data", "/logs"]`}, v1.ImageConfig{Volumes: map[string]struct{}{"/data": {}, "/logs": {}}}},
		{"volume words", []string{`VOLUME /a /b`}, v1.ImageConfig{Volumes: map[string]struct{}{"/a": {}, "/b": {}}}},
		{"stopsignal", []string{`STOPSIGNAL SIGINT`}, v1.ImageConfig{StopSignal: "SIGINT"}},
		{"stopsignal number", []string{`STOPSIGNAL 9`}, v1.ImageConfig{StopSignal: "9"}},
		{"leading space", []string{`  CMD   ["x"]  `}, v1.ImageConfig{Cmd: []string{"x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg v1.ImageConfig
			if err := ApplyChanges(&cfg, tt.changes); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg, tt.want) {
				t.Fatalf("got %+v\nwant %+v", cfg, tt.want)
			}
		})
	}
}

func TestApplyChangesErrors(t *testing.T) {
	for _, c := range []string{
		"", "CMD", "FROM busybox", "ONBUILD RUN x", "RUN echo", "ENV =x", "ENV A",
		`ENV A="unterminated`, "EXPOSE 0", "EXPOSE 70000", "EXPOSE 90-80", "EXPOSE 80/icmp", "EXPOSE http",
		"STOPSIGNAL not-a-signal", "STOPSIGNAL 99", "USER a b", `VOLUME []`, `LABEL x`,
	} {
		var cfg v1.ImageConfig
		err := ApplyChanges(&cfg, []string{c})
		if !errors.Is(err, ErrBadChange) {
			t.Errorf("ApplyChanges(%q) = %v, want ErrBadChange", c, err)
		}
	}
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`a b  c`, []string{"a", "b", "c"}},
		{`"a b" 'c d'`, []string{"a b", "c d"}},
		{`a\ b`, []string{"a b"}},
		{`"x\"y" 'it\s'`, []string{`x"y`, `it\s`}},
		{`k="v w"x`, []string{"k=v wx"}},
		{`""`, []string{""}},
		{``, nil},
	}
	for _, tt := range tests {
		got, err := splitWords(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`"open`, `'open`} {
		if _, err := splitWords(bad); err == nil {
			t.Errorf("splitWords(%q) succeeded", bad)
		}
	}
}
