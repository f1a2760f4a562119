package container

import (
	"reflect"
	"testing"
)

func TestCommitConfig(t *testing.T) {
	img := ImageConfig{
		Entrypoint: []string{"/entry"}, Cmd: []string{"serve"}, Env: []string{"PATH=/bin", "A=img"},
		WorkingDir: "/app", User: "app", Labels: map[string]string{"l": "img", "k": "img"}, StopSignal: "SIGTERM",
	}
	tests := []struct {
		name string
		cfg  Config
		want ImageConfig
	}{
		{"nothing given keeps the image's", Config{}, img},
		{"cmd replaces cmd", Config{Cmd: []string{"sh"}}, with(img, func(c *ImageConfig) { c.Cmd = []string{"sh"} })},
		{"entrypoint drops the image's cmd", Config{Entrypoint: []string{"/other"}},
			with(img, func(c *ImageConfig) { c.Entrypoint, c.Cmd = []string{"/other"}, nil })},
		{"empty entrypoint clears it", Config{Entrypoint: []string{}},
			with(img, func(c *ImageConfig) { c.Entrypoint = []string{} })},
		{"env, workdir, user, labels, stop signal", Config{
			Env: []string{"A=run", "B=2"}, WorkingDir: "/w", User: "1000", Labels: map[string]string{"l": "run"}, StopSignal: "SIGINT",
		}, with(img, func(c *ImageConfig) {
			c.Env = []string{"PATH=/bin", "A=run", "B=2"}
			c.WorkingDir, c.User, c.StopSignal = "/w", "1000", "SIGINT"
			c.Labels = map[string]string{"l": "run", "k": "img"}
		})},
	}
	for _, tt := range tests {
		got := CommitConfig(&tt.cfg, img)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
	if img.Env[1] != "A=img" || img.Labels["l"] != "img" {
		t.Errorf("CommitConfig changed the image's config: %+v", img)
	}
}

func with(c ImageConfig, f func(*ImageConfig)) ImageConfig {
	f(&c)
	return c
}
