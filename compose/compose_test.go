package compose

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func loadTestdata(t *testing.T) (string, *types.Project) {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(context.Background(), LoadOptions{Files: []string{filepath.Join(dir, "compose.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	return dir, p
}

// TestCreateArgs: a service's keys become pod's flags, with the project's
// names for networks, volumes and secrets and Docker Compose's labels.
func TestCreateArgs(t *testing.T) {
	dir, p := loadTestdata(t)
	web, err := p.GetService("web")
	if err != nil {
		t.Fatal(err)
	}
	args, err := CreateArgs(p, web, 2, "h4sh")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(args, " ")
	for _, want := range []string{
		"--name shop-web-2", "--label com.docker.compose.project=shop", "--label com.docker.compose.service=web",
		"--label com.docker.compose.container-number=2", "--label com.docker.compose.config-hash=h4sh", "--label tier=front",
		"--env A=1", "--publish 127.0.0.1:8080:80", "--publish 53/udp",
		"--mount type=volume,src=shop_data,dst=/data,ro", "--volume " + dir + "/site:/site", "--mount type=tmpfs,dst=/tmp",
		"--network shop_front:alias=web,alias=www", "--restart unless-stopped", "--memory 67108864",
		`--health-cmd ["CMD-SHELL","wget -q localhost"]`, "--health-interval 2s", "--health-retries 3",
		"--mount type=bind,src=" + dir + "/token.txt,dst=/run/secrets/token,ro",
		`--entrypoint ["/bin/sh","-c"] localhost/web:1 httpd -f`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("CreateArgs lacks %q:\n%s", want, got)
		}
	}
	db, _ := p.GetService("db")
	if args, err := CreateArgs(p, db, 1, ""); err != nil || !strings.Contains(strings.Join(args, " "), "--network container:shop-api-1") {
		t.Errorf("network_mode service:api: %v %v", args, err)
	}
	if ImageName(p, p.Services["api"]) != "shop-api" || ImageName(p, web) != "localhost/web:1" {
		t.Error("ImageName")
	}
}

// TestOrderAndUnsupported: dependencies come first; keys pod compose does
// not take are named.
func TestOrderAndUnsupported(t *testing.T) {
	_, p := loadTestdata(t)
	list, err := inOrder(p, []string{"web"}, false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"api", "web"}) {
		t.Fatalf("order: %v", names)
	}
	if u := ProjectUnsupported(p); len(u) != 0 {
		t.Fatalf("the test project is refused: %v", u)
	}
	s := p.Services["web"]
	s.Runtime, s.Isolation = "kata", "hyperv"
	if u := Unsupported(s); !slices.Equal(u, []string{"services.web.isolation", "services.web.runtime"}) {
		t.Fatalf("Unsupported: %v", u)
	}
	h1, _ := ConfigHash(p.Services["web"])
	s = p.Services["web"]
	s.Environment["A"] = nil
	h2, _ := ConfigHash(s)
	if h1 == h2 {
		t.Fatal("the config hash did not change with the environment")
	}
}
