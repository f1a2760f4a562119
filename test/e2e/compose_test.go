package e2e

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeComposeApp writes a three-service app built from local
// Dockerfiles: web (published) reads the api by its service name, the api
// reads the store; web starts once the api's health check says healthy.
func (e *env) writeComposeApp(dir, port string) {
	e.t.Helper()
	e.writeUserFile(filepath.Join(dir, "compose.yaml"), `services:
  store:
    build: ./store
    volumes:
      - data:/data
  api:
    build:
      context: ./api
      args:
        GREETING: hello-from-args
    depends_on:
      store:
        condition: service_started
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8000/ok"]
      interval: 1s
      retries: 60
  web:
    build: ./web
    ports:
      - "127.0.0.1:`+port+`:8080"
    depends_on:
      api:
        condition: service_healthy
    environment:
      API: http://api:8000
volumes:
  data:
`)
	e.writeUserFile(filepath.Join(dir, "store", "Dockerfile"), "FROM "+testImage+"\nRUN mkdir -p /srv && echo item-42 > /srv/item\n"+
		`CMD ["sh", "-c", "cp /srv/item /data/item; httpd -f -p 7000 -h /data"]`+"\n")
	e.writeUserFile(filepath.Join(dir, "api", "Dockerfile"), "FROM "+testImage+"\nARG GREETING\nRUN mkdir -p /www && echo ok > /www/ok && echo \"$GREETING\" > /www/greeting\n"+
		`CMD ["sh", "-c", "while :; do wget -qO /www/item.new http://store:7000/item && mv /www/item.new /www/item; sleep 0.5; done & httpd -f -p 8000 -h /www"]`+"\n")
	e.writeUserFile(filepath.Join(dir, "web", "Dockerfile"), "FROM "+testImage+"\n"+
		`CMD ["sh", "-c", "mkdir -p /www; while :; do wget -qO /www/new $API/item && mv /www/new /www/index.html; sleep 0.5; done & httpd -f -p 8080 -h /www"]`+"\n")
}

// TestComposeApp: pod compose up of the three-service app: images built
// (with the build args), the project's network and volume made, the api
// waited for until healthy, web answering on its published port with the
// store's data through the api, each found by service name; ps, logs,
// exec, config; a second up keeps unchanged containers and --force-recreate
// makes them again; down -v leaves nothing.
func TestComposeApp(t *testing.T) {
	e := withImage(t)
	dir := filepath.Join(e.dir, "shop")
	port := strconv.Itoa(freePort(t, "tcp"))
	e.writeComposeApp(dir, port)
	compose := func(args ...string) string {
		t.Helper()
		return e.ok(append([]string{"compose", "-f", filepath.Join(dir, "compose.yaml")}, args...)...)
	}
	expect(t, e.pod("compose", "-f", filepath.Join(dir, "compose.yaml"), "config", "--services"), 0, "api\nstore\nweb\n")
	compose("up", "-d")
	if got := httpGet(t, "http://127.0.0.1:"+port+"/index.html"); got != "item-42\n" {
		t.Fatalf("web through api and store: %q", got)
	}
	if h := e.ok("inspect", "--format", "{{.State.Health.Status}}", "shop-api-1"); h != "healthy\n" {
		t.Fatalf("the api's health: %q", h)
	}
	ps := compose("ps")
	for _, s := range []string{"shop-api-1", "shop-store-1", "shop-web-1", "127.0.0.1:" + port + "->8080/tcp"} {
		if !strings.Contains(ps, s) {
			t.Fatalf("compose ps lacks %s:\n%s", s, ps)
		}
	}
	expect(t, e.pod("inspect", "--format", `{{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "com.docker.compose.service"}}`, "shop-web-1"), 0, "shop web\n")
	expect(t, e.pod("compose", "-f", filepath.Join(dir, "compose.yaml"), "exec", "-T", "api", "cat", "/www/greeting"), 0, "hello-from-args\n")
	expect(t, e.pod("volume", "exists", "shop_data"), 0, "")
	expect(t, e.pod("network", "exists", "shop_default"), 0, "")
	e.ok("compose", "-f", filepath.Join(dir, "compose.yaml"), "logs", "web")
	expect(t, e.pod("compose", "-f", filepath.Join(dir, "compose.yaml"), "port", "web", "8080"), 0, "127.0.0.1:"+port+"\n")
	// Unchanged: the same containers; --force-recreate: new ones.
	id := e.ok("inspect", "--format", "{{.Id}}", "shop-store-1")
	compose("up", "-d")
	expect(t, e.pod("inspect", "--format", "{{.Id}}", "shop-store-1"), 0, id)
	compose("up", "-d", "--force-recreate", "store")
	if e.ok("inspect", "--format", "{{.Id}}", "shop-store-1") == id {
		t.Fatal("up --force-recreate kept the store's container")
	}
	compose("down", "-v")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	expect(t, e.pod("volume", "ls", "-q"), 0, "")
	expect(t, e.pod("network", "exists", "shop_default"), 1, "")
	e.expectClean()
}

// TestComposeRefuses: keys pod compose does not take are named, never
// passed over.
func TestComposeRefuses(t *testing.T) {
	e := withImage(t)
	dir := filepath.Join(e.dir, "odd")
	e.writeUserFile(filepath.Join(dir, "compose.yaml"), "services:\n  a:\n    image: "+testImage+"\n    gpus: all\n    runtime: kata\n")
	expectError(t, e.pod("compose", "-f", filepath.Join(dir, "compose.yaml"), "up", "-d"), 125, "services.a.gpus", "services.a.runtime")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
}

// TestComposeKeys: .env interpolation and env_file, profiles, replicas
// (deploy.replicas and scale down again), a file secret, a one-off
// service that must complete successfully before another starts, run,
// and down --rmi local removing the images the project built.
func TestComposeKeys(t *testing.T) {
	e := withImage(t)
	dir := filepath.Join(e.dir, "keys")
	e.writeUserFile(filepath.Join(dir, ".env"), "TAG_WORD=from-dotenv\n")
	e.writeUserFile(filepath.Join(dir, "app.env"), "FROM_FILE=yes\n")
	e.writeUserFile(filepath.Join(dir, "token.txt"), "s3cret\n")
	e.writeUserFile(filepath.Join(dir, "init", "Dockerfile"), "FROM "+testImage+"\nRUN echo built > /built\n")
	file := filepath.Join(dir, "compose.yaml")
	e.writeUserFile(file, `services:
  init:
    build: ./init
    command: ["sh", "-c", "cat /built; exit 0"]
  worker:
    image: `+testImage+`
    command: ["sh", "-c", "echo $$WORD $$FROM_FILE; cat /run/secrets/token; sleep 1000"]
    environment:
      WORD: ${TAG_WORD}
    env_file: app.env
    secrets: [token]
    deploy:
      replicas: 2
    depends_on:
      init:
        condition: service_completed_successfully
  debug:
    image: `+testImage+`
    profiles: [debug]
    command: ["sleep", "1000"]
secrets:
  token:
    file: ./token.txt
`)
	c := func(args ...string) result { return e.pod(append([]string{"compose", "-f", file}, args...)...) }
	if r := c("up", "-d"); r.code != 0 {
		t.Fatalf("compose up:\n%s", r)
	}
	expect(t, e.pod("logs", "keys-init-1"), 0, "built\n")
	for _, w := range []string{"keys-worker-1", "keys-worker-2"} {
		if !eventually(cmdTimeout/3, func() bool { return e.ok("logs", w) == "from-dotenv yes\ns3cret\n" }) {
			t.Fatalf("%s's log: %q", w, e.ok("logs", w))
		}
	}
	if r := e.pod("container", "exists", "keys-debug-1"); r.code != 1 {
		t.Fatalf("a service of a profile not enabled was made:\n%s", r)
	}
	if r := c("--profile", "debug", "up", "-d", "debug"); r.code != 0 {
		t.Fatalf("compose --profile debug up debug:\n%s", r)
	}
	expect(t, e.pod("container", "exists", "keys-debug-1"), 0, "")
	expect(t, c("run", "--rm", "-T", "worker", "sh", "-c", "echo one-off $WORD"), 0, "one-off from-dotenv\n")
	// Scale down: the second replica goes.
	e.writeUserFile(file, strings.Replace(readFile(t, file), "replicas: 2", "replicas: 1", 1))
	if r := c("up", "-d", "worker"); r.code != 0 {
		t.Fatalf("compose up after scaling down:\n%s", r)
	}
	expect(t, e.pod("container", "exists", "keys-worker-2"), 1, "")
	// --no-deps: only the service named; --remove-orphans: a service
	// the file no longer has goes.
	e.ok("rm", "-f", "keys-worker-1")
	e.ok("rm", "keys-init-1")
	if r := c("up", "-d", "--no-deps", "worker"); r.code != 0 {
		t.Fatalf("compose up --no-deps worker:\n%s", r)
	}
	expect(t, e.pod("container", "exists", "keys-init-1"), 1, "") // the dependency was left alone
	e.writeUserFile(file, strings.Replace(readFile(t, file), "  debug:\n", "  debug-gone:\n", 1))
	if r := c("up", "-d", "--remove-orphans", "worker"); r.code != 0 {
		t.Fatalf("compose up --remove-orphans:\n%s", r)
	}
	expect(t, e.pod("container", "exists", "keys-debug-1"), 1, "")
	if r := c("--profile", "debug", "down", "--rmi", "local"); r.code != 0 {
		t.Fatalf("compose down --rmi local:\n%s", r)
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	expect(t, e.pod("image", "exists", "keys-init"), 1, "")
	expect(t, e.pod("image", "exists", testImage), 0, "")
	e.expectClean()
}

// TestComposeVerbs: push (a built service's image to a registry on
// loopback), pull (a service's image from it), stop, start, restart, top,
// images, kill and rm of the project's containers.
func TestComposeVerbs(t *testing.T) {
	reg := startRegistry(t, registryOpts{})
	e := withImage(t)
	dir := filepath.Join(e.dir, "verbs")
	e.writeUserFile(filepath.Join(dir, "app", "Dockerfile"), "FROM "+testImage+"\nCMD [\"sleep\", \"1000\"]\n")
	file := filepath.Join(dir, "compose.yaml")
	e.writeUserFile(file, "services:\n  app:\n    build: ./app\n    image: "+reg.ref("e2e/verbs-app:1")+"\n")
	c := func(args ...string) string {
		t.Helper()
		return e.ok(append([]string{"compose", "-f", file}, args...)...)
	}
	c("build")
	c("push")
	e.ok("rmi", reg.ref("e2e/verbs-app:1"))
	e.writeUserFile(file, "services:\n  app:\n    image: "+reg.ref("e2e/verbs-app:1")+"\n")
	c("pull")
	expect(t, e.pod("image", "exists", reg.ref("e2e/verbs-app:1")), 0, "")
	c("up", "-d")
	state := func() string {
		t.Helper()
		return strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Status}}", "verbs-app-1"))
	}
	c("stop", "-t", "0")
	if s := state(); s != "exited" {
		t.Fatalf("after compose stop: %s", s)
	}
	c("start")
	c("restart", "-t", "0")
	if s := state(); s != "running" {
		t.Fatalf("after compose start and restart: %s", s)
	}
	if top := c("top"); !strings.Contains(top, "sleep 1000") {
		t.Fatalf("compose top:\n%s", top)
	}
	if imgs := c("images"); !strings.Contains(imgs, "verbs-app-1") || !strings.Contains(imgs, "e2e/verbs-app:1") {
		t.Fatalf("compose images:\n%s", imgs)
	}
	c("kill")
	if s := state(); s == "running" {
		t.Fatalf("after compose kill: %s", s)
	}
	c("rm", "-f")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	c("down")
	e.expectClean()
}
