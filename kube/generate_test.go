package kube

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

const inspected = `{"Id":"abc","Name":"web_1","Config":{"User":"1000","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","HOSTNAME=x","container=pod","HOME=/","A=1","FROM_IMAGE=y"],
"Cmd":["httpd","-f"],"Entrypoint":["/bin/sh","-c"],"Image":"localhost/web:1","WorkingDir":"/srv","Secrets":[{"Name":"tok","Type":"env","Target":"TOKEN"}],"Healthcheck":{"Test":["CMD-SHELL","wget -q localhost"],"Interval":2000000000,"Retries":3}},
"HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]},"CapAdd":["NET_ADMIN"],"ReadonlyRootfs":true,"Memory":67108864,"NanoCpus":500000000,"RestartPolicy":{"Name":"always"}},
"Mounts":[{"Type":"volume","Name":"data","Source":"/x","Destination":"/data","RW":true},{"Type":"bind","Source":"/srv/site","Destination":"/site","RW":false}]}`

// splitDocs decodes each document strictly (an unknown field fails) into
// its kind's type.
func splitDocs(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, d := range bytes.Split(b, []byte("---\n")) {
		var tm struct{ Kind string }
		if err := yaml.Unmarshal(d, &tm); err != nil {
			t.Fatal(err)
		}
		out[tm.Kind] = d
	}
	return out
}

// TestGenerate: a container's settings land in the Pod's fields, every
// document decodes strictly into k8s.io/api's types, the environment pod
// and the image give is left out.
func TestGenerate(t *testing.T) {
	var c Container
	if err := json.Unmarshal([]byte(inspected), &c); err != nil {
		t.Fatal(err)
	}
	c.ImageEnv = []string{"FROM_IMAGE=y"}
	b, err := Generate([]Container{c}, Options{Service: true})
	if err != nil {
		t.Fatal(err)
	}
	docs := splitDocs(t, b)
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict(docs["Pod"], &pod); err != nil {
		t.Fatalf("the Pod does not decode strictly: %v\n%s", err, b)
	}
	k := pod.Spec.Containers[0]
	if pod.Name != "web-1" || k.Image != "localhost/web:1" || strings.Join(k.Command, " ") != "/bin/sh -c" || strings.Join(k.Args, " ") != "httpd -f" ||
		len(k.Env) != 2 || k.Env[0].Name != "A" || k.Env[1].ValueFrom.SecretKeyRef.Name != "tok" || k.Ports[0].ContainerPort != 80 || k.Ports[0].HostPort != 8080 ||
		*k.SecurityContext.RunAsUser != 1000 || !*k.SecurityContext.ReadOnlyRootFilesystem || k.SecurityContext.Capabilities.Add[0] != "NET_ADMIN" ||
		k.Resources.Limits.Memory().Value() != 64<<20 || k.Resources.Limits.Cpu().MilliValue() != 500 ||
		k.LivenessProbe.Exec.Command[2] != "wget -q localhost" || k.LivenessProbe.PeriodSeconds != 2 || k.LivenessProbe.FailureThreshold != 3 ||
		pod.Spec.RestartPolicy != corev1.RestartPolicyAlways || len(k.VolumeMounts) != 2 || pod.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "data" ||
		pod.Spec.Volumes[1].HostPath.Path != "/srv/site" {
		t.Fatalf("the Pod:\n%s", b)
	}
	var pvc corev1.PersistentVolumeClaim
	if err := yaml.UnmarshalStrict(docs["PersistentVolumeClaim"], &pvc); err != nil || pvc.Name != "data" {
		t.Fatalf("the claim: %v\n%s", err, b)
	}
	var sec corev1.Secret
	if err := yaml.UnmarshalStrict(docs["Secret"], &sec); err != nil || sec.Name != "tok" || len(sec.Data) != 0 {
		t.Fatalf("the Secret (no data): %v\n%s", err, b)
	}
	var svc corev1.Service
	if err := yaml.UnmarshalStrict(docs["Service"], &svc); err != nil || svc.Spec.Ports[0].Port != 80 || svc.Spec.Selector["app"] != "web-1" {
		t.Fatalf("the Service: %v\n%s", err, b)
	}
	b, err = Generate([]Container{c}, Options{Type: "deployment", Name: "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	var d appsv1.Deployment
	if err := yaml.UnmarshalStrict(splitDocs(t, b)["Deployment"], &d); err != nil || *d.Spec.Replicas != 1 || d.Spec.Template.Labels["app"] != "shop" {
		t.Fatalf("the Deployment: %v\n%s", err, b)
	}
}

// TestPlayArgs: kube play's documents become pod pods create and pod
// create arguments: hostPorts published on the pod, containers named on
// localhost, env from ConfigMaps and Secrets, $(NAME) expanded, probes as
// health checks; kinds and fields it does not take are named.
func TestPlayArgs(t *testing.T) {
	o, err := Parse([]byte(`apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {LEVEL: high}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
stringData: {TOKEN: t0k}
---
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: web
    image: img
    command: ["sh", "-c", "echo $(LEVEL) $$HOME"]
    env:
    - {name: LEVEL, valueFrom: {configMapKeyRef: {name: cfg, key: LEVEL}}}
    - {name: TOKEN, valueFrom: {secretKeyRef: {name: sec, key: TOKEN}}}
    ports: [{containerPort: 80, hostPort: 8080}]
    livenessProbe: {exec: {command: ["true"]}, periodSeconds: 5}
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: data}}
`))
	if err != nil || len(o.Pods) != 1 {
		t.Fatalf("Parse: %v %v", o, err)
	}
	p := o.Pods[0]
	if got := strings.Join(PodCreateArgs(p, "", nil), " "); got != "--name app --add-host web:127.0.0.1 --publish 8080:80" {
		t.Errorf("PodCreateArgs: %s", got)
	}
	args, err := ContainerCreateArgs(p, p.Spec.Containers[0], o, false)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(args, " ")
	for _, want := range []string{"--pod app --name app-web", "--env LEVEL=high", "--env TOKEN=t0k", `--health-cmd ["CMD","true"]`,
		"--health-interval 5s", "--volume data:/data", `--entrypoint ["sh","-c","echo high $HOME"] img`} {
		if !strings.Contains(got, want) {
			t.Errorf("ContainerCreateArgs lacks %q: %s", want, got)
		}
	}
	for _, bad := range []string{"kind: DaemonSet\nmetadata: {name: d}\n", "kind: Pod\nmetadata: {name: p}\nspec: {bogus: 1}\n"} {
		if _, err := Parse([]byte("apiVersion: v1\n" + bad)); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
}
