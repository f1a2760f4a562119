package e2e

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// TestKubeGenerate: pod kube generate of a pod (its containers, the
// ports its infra publishes, a named volume, a health check) gives a Pod,
// a PersistentVolumeClaim and with -s a Service that decode strictly
// into k8s.io/api's types; Podman's spelling generate kube and -f work.
func TestKubeGenerate(t *testing.T) {
	e := withImage(t)
	e.ok("pods", "create", "--name", "shop", "-p", "127.0.0.1:18123:80")
	e.ok("create", "--pod", "shop", "--name", "web", "-e", "GREETING=hi", "-v", "shopdata:/data", "--health-cmd", "true",
		"--cap-add", "NET_ADMIN", "-w", "/srv", testImage, "httpd", "-f", "-p", "80")
	e.ok("create", "--pod", "shop", "--name", "side", testImage, "sleep", "1000")
	out := e.ok("kube", "generate", "-s", "shop")
	docs := map[string][]byte{}
	for _, d := range bytes.Split([]byte(out), []byte("---\n")) {
		var tm struct{ Kind string }
		if err := yaml.Unmarshal(d, &tm); err != nil {
			t.Fatal(err)
		}
		docs[tm.Kind] = d
	}
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict(docs["Pod"], &pod); err != nil {
		t.Fatalf("the Pod does not decode strictly: %v\n%s", err, out)
	}
	if pod.Name != "shop" || len(pod.Spec.Containers) != 2 {
		t.Fatalf("the Pod:\n%s", out)
	}
	web := pod.Spec.Containers[0]
	if web.Name != "web" || web.Image != testImage || strings.Join(web.Args, " ") != "httpd -f -p 80" || web.WorkingDir != "/srv" ||
		len(web.Env) != 1 || web.Env[0].Value != "hi" || len(web.Ports) != 1 || web.Ports[0].ContainerPort != 80 || web.Ports[0].HostPort != 18123 ||
		web.LivenessProbe == nil || web.SecurityContext.Capabilities.Add[0] != "NET_ADMIN" || web.VolumeMounts[0].MountPath != "/data" {
		t.Fatalf("the web container:\n%s", out)
	}
	var pvc corev1.PersistentVolumeClaim
	if err := yaml.UnmarshalStrict(docs["PersistentVolumeClaim"], &pvc); err != nil || pvc.Name != "shopdata" {
		t.Fatalf("the claim: %v\n%s", err, out)
	}
	var svc corev1.Service
	if err := yaml.UnmarshalStrict(docs["Service"], &svc); err != nil || svc.Spec.Ports[0].Port != 80 {
		t.Fatalf("the Service: %v\n%s", err, out)
	}
	file := filepath.Join(e.dir, "web.yaml")
	e.ok("generate", "kube", "-f", file, "web")
	b, err := os.ReadFile(file)
	if err != nil || !bytes.Contains(b, []byte("name: web")) {
		t.Fatalf("generate kube -f: %v\n%s", err, b)
	}
	expectError(t, e.pod("kube", "generate", "--type", "job", "web"), 125, "--type")
	expectError(t, e.pod("kube", "generate", "nosuch"), 125, "nosuch")
	e.ok("pods", "rm", "-f", "shop")
}

// TestKubeRoundTrip: the compose app's containers → kube generate →
// strict decode → compose down → kube play --replace of the YAML → the
// same app answering on its published port (its containers finding each
// other by their compose service names on the pod's localhost) → kube
// play --down.
func TestKubeRoundTrip(t *testing.T) {
	e := withImage(t)
	dir := filepath.Join(e.dir, "shop")
	port := strconv.Itoa(freePort(t, "tcp"))
	e.writeComposeApp(dir, port)
	file := filepath.Join(dir, "compose.yaml")
	e.ok("compose", "-f", file, "up", "-d")
	if got := httpGet(t, "http://127.0.0.1:"+port+"/index.html"); got != "item-42\n" {
		t.Fatalf("the compose app: %q", got)
	}
	out := e.ok("kube", "generate", "-s", "shop-store-1", "shop-api-1", "shop-web-1")
	for _, d := range bytes.Split([]byte(out), []byte("---\n")) {
		var tm struct{ Kind string }
		if err := yaml.Unmarshal(d, &tm); err != nil {
			t.Fatal(err)
		}
		var err error
		switch tm.Kind {
		case "Pod":
			err = yaml.UnmarshalStrict(d, &corev1.Pod{})
		case "Service":
			err = yaml.UnmarshalStrict(d, &corev1.Service{})
		case "PersistentVolumeClaim":
			err = yaml.UnmarshalStrict(d, &corev1.PersistentVolumeClaim{})
		default:
			t.Fatalf("kind %q in:\n%s", tm.Kind, out)
		}
		if err != nil {
			t.Fatalf("%s does not decode strictly: %v\n%s", tm.Kind, err, out)
		}
	}
	yamlFile := filepath.Join(e.dir, "shop.yaml")
	e.writeUserFile(yamlFile, out)
	e.ok("compose", "-f", file, "down")
	e.ok("kube", "play", "--replace", yamlFile)
	if got := httpGet(t, "http://127.0.0.1:"+port+"/index.html"); got != "item-42\n" {
		t.Fatalf("the app played from its YAML: %q", got)
	}
	expect(t, e.pod("pods", "ps", "--format", "{{.Name}} {{.NumberOfContainers}}"), 0, "shop-store-1 4\n")
	e.ok("kube", "play", "--replace", yamlFile) // again: the same pod made anew
	if got := httpGet(t, "http://127.0.0.1:"+port+"/index.html"); got != "item-42\n" {
		t.Fatalf("after play --replace: %q", got)
	}
	e.ok("kube", "play", "--down", yamlFile)
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	expect(t, e.pod("pods", "ps", "-q"), 0, "")
	for _, v := range lines(e.ok("volume", "ls", "-q")) {
		e.ok("volume", "rm", v)
	}
	e.expectClean()
}

// TestKubePlayExamples: the Kubernetes documentation's examples
// (testdata/kube, the image named IMAGE there) are played, or refused
// naming the kind or field kube play does not take.
func TestKubePlayExamples(t *testing.T) {
	e := withImage(t)
	// The examples' nginx: an image whose command waits.
	ctx := e.ctxTree("nginx", map[string]string{"Dockerfile": "FROM " + testImage + "\nCMD [\"sleep\", \"1000\"]\n"})
	const image = "localhost/e2e/nginx:1"
	e.ok("build", "-q", "-t", image, ctx)
	example := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "kube", name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(e.dir, name)
		e.writeUserFile(p, strings.ReplaceAll(string(b), "IMAGE", image))
		return p
	}
	e.ok("kube", "play", example("simple-pod.yaml"))
	expect(t, e.pod("pods", "ps", "--format", "{{.Name}} {{.Status}}"), 0, "nginx Running\n")
	e.ok("kube", "play", example("deployment.yaml"))
	expect(t, e.pod("pods", "ps", "--filter", "name=nginx-deployment", "--format", "{{.Name}}", "--sort", "name"), 0,
		"nginx-deployment-pod-0\nnginx-deployment-pod-1\nnginx-deployment-pod-2\n")
	e.ok("kube", "play", example("configmap-env.yaml"))
	if !eventually(cmdTimeout/3, func() bool { return e.ok("logs", "dapi-test-pod-test-container") == "very charm\n" }) {
		t.Fatalf("the ConfigMap's values: %q", e.ok("logs", "dapi-test-pod-test-container"))
	}
	e.ok("kube", "play", example("configmap-volume.yaml"))
	if !eventually(cmdTimeout/3, func() bool {
		return e.ok("logs", "dapi-test-pod2-test-container") == "SPECIAL_LEVEL\nSPECIAL_TYPE\nvery\nadmin\n"
	}) {
		t.Fatalf("the ConfigMap's and Secret's files: %q", e.ok("logs", "dapi-test-pod2-test-container"))
	}
	expectError(t, e.pod("kube", "play", example("liveness-http.yaml")), 125, "livenessProbe without exec")
	expectError(t, e.pod("kube", "play", example("affinity.yaml")), 125, "spec.affinity")
	expectError(t, e.pod("kube", "play", example("daemonset.yaml")), 125, "kind DaemonSet is not supported")
	for _, f := range []string{"simple-pod.yaml", "deployment.yaml", "configmap-env.yaml", "configmap-volume.yaml"} {
		e.ok("kube", "play", "--down", filepath.Join(e.dir, f))
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	expect(t, e.pod("volume", "ls", "-q"), 0, "") // the files' volumes went with --down
	e.expectClean()
}

// TestKubePlayFlags: kube play of a URL (a server on loopback), an init
// container run first, --publish, --network, --configmap from another
// file, --build of the image from the directory of its name.
func TestKubePlayFlags(t *testing.T) {
	e := withImage(t)
	e.writeUserFile(filepath.Join(e.dir, "kbuilt", "Containerfile"), "FROM "+testImage+"\nRUN echo built-for-play > /built\n")
	e.writeUserFile(filepath.Join(e.dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {COLOR: blue}\n")
	port := strconv.Itoa(freePort(t, "tcp"))
	doc := `apiVersion: v1
kind: Pod
metadata: {name: flags}
spec:
  initContainers:
  - name: setup
    image: ` + testImage + `
    command: ["sh", "-c", "echo init-ran > /shared/init"]
    volumeMounts: [{name: shared, mountPath: /shared}]
  containers:
  - name: main
    image: localhost/kbuilt
    command: ["sh", "-c", "cat /built /shared/init; echo $COLOR; echo served > /index.html; httpd -f -p 8080 -h /"]
    env: [{name: COLOR, valueFrom: {configMapKeyRef: {name: extra, key: COLOR}}}]
    volumeMounts: [{name: shared, mountPath: /shared}]
  volumes:
  - {name: shared, persistentVolumeClaim: {claimName: flags-shared}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: flags-shared}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, doc) })}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	e.ok("network", "create", "playnet")
	e.ok("kube", "play", "--build", "--network", "playnet", "--publish", "127.0.0.1:"+port+":8080",
		"--configmap", filepath.Join(e.dir, "cm.yaml"), "http://"+l.Addr().String()+"/flags.yaml")
	if !eventually(cmdTimeout/3, func() bool { return e.ok("logs", "flags-main") == "built-for-play\ninit-ran\nblue\n" }) {
		t.Fatalf("the main container's log: %q", e.ok("logs", "flags-main"))
	}
	if got := httpGet(t, "http://127.0.0.1:"+port+"/index.html"); got != "served\n" {
		t.Fatalf("--publish: %q", got)
	}
	if nets := e.ok("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", strings.TrimSpace(e.ok("pods", "inspect", "--format", "{{.InfraContainerID}}", "flags"))); !strings.Contains(nets, "playnet") {
		t.Fatalf("--network: the infra is on %q", nets)
	}
	expect(t, e.pod("container", "exists", "flags-setup"), 1, "") // once: removed after it ran
	e.ok("pods", "rm", "-f", "flags")
	e.ok("volume", "rm", "flags-shared")
	e.ok("network", "rm", "playnet")
	e.expectClean()
}
