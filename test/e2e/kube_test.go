package e2e

import (
	"bytes"
	"os"
	"path/filepath"
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
