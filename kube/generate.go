// Package kube turns pod's containers and pods into Kubernetes YAML
// (kube generate), built with k8s.io/api's types and sigs.k8s.io/yaml so
// that every document decodes strictly into them. Like compose it lives
// in pod-compose, out of pod's own executable: k8s.io/api's package
// initialisation alone would take pod over its start-up budget.
package kube

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// Container is what kube generate reads of `pod inspect` (its JSON keys).
type Container struct {
	ID     string `json:"Id"`
	Name   string `json:"Name"`
	Pod    string `json:"Pod"`
	Config struct {
		User        string            `json:"User"`
		Env         []string          `json:"Env"`
		Cmd         []string          `json:"Cmd"`
		Entrypoint  []string          `json:"Entrypoint"`
		Image       string            `json:"Image"`
		WorkingDir  string            `json:"WorkingDir"`
		Labels      map[string]string `json:"Labels"`
		Annotations map[string]string `json:"Annotations"`
		Tty         bool              `json:"Tty"`
		OpenStdin   bool              `json:"OpenStdin"`
		Secrets     []struct {
			Name   string `json:"Name"`
			Type   string `json:"Type"`
			Target string `json:"Target"`
		} `json:"Secrets"`
		Healthcheck *struct {
			Test        []string      `json:"Test"`
			Interval    time.Duration `json:"Interval"`
			Timeout     time.Duration `json:"Timeout"`
			StartPeriod time.Duration `json:"StartPeriod"`
			Retries     int           `json:"Retries"`
		} `json:"Healthcheck"`
	} `json:"Config"`
	HostConfig struct {
		PortBindings map[string][]struct {
			HostIP   string `json:"HostIp"`
			HostPort string `json:"HostPort"`
		} `json:"PortBindings"`
		CapAdd         []string `json:"CapAdd"`
		CapDrop        []string `json:"CapDrop"`
		Privileged     bool     `json:"Privileged"`
		ReadonlyRootfs bool     `json:"ReadonlyRootfs"`
		Memory         int64    `json:"Memory"`
		NanoCpus       int64    `json:"NanoCpus"`
		CPUQuota       int64    `json:"CpuQuota"`
		CPUPeriod      int64    `json:"CpuPeriod"`
		RestartPolicy  struct {
			Name string `json:"Name"`
		} `json:"RestartPolicy"`
	} `json:"HostConfig"`
	Mounts []struct {
		Type        string `json:"Type"`
		Name        string `json:"Name"`
		Source      string `json:"Source"`
		Destination string `json:"Destination"`
		RW          bool   `json:"RW"`
	} `json:"Mounts"`
	// ImageEnv is the image's environment, left out of the YAML (the
	// image gives it again).
	ImageEnv []string `json:"-"`
}

// Options are kube generate's flags.
type Options struct {
	// Name names the Pod (or Deployment): the pod's, else the first
	// container's.
	Name string
	// Type is "pod" or "deployment".
	Type string
	// Service adds a Service of the published ports (-s).
	Service  bool
	Replicas int32
}

var invalidName = regexp.MustCompile(`[^a-z0-9-]+`)

// dnsName is a name Kubernetes takes (RFC 1123 label): lower case,
// letters, digits and dashes.
func dnsName(s string) string {
	n := strings.Trim(invalidName.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if n == "" {
		n = "pod"
	}
	return n
}

// defaultEnv is what pod puts in every container's environment, left out.
func defaultEnv(kv string) bool {
	k, _, _ := strings.Cut(kv, "=")
	return k == "HOSTNAME" || k == "container" || k == "HOME" || k == "TERM" || kv == "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

// Generate is the YAML documents (joined by "---") of the containers as
// one Pod (or Deployment), with a PersistentVolumeClaim for each named
// volume and, with Service, a Service of the published ports.
func Generate(cs []Container, o Options) ([]byte, error) {
	if len(cs) == 0 {
		return nil, fmt.Errorf("no container to generate YAML of")
	}
	name := o.Name
	if name == "" {
		name = cs[0].Name
	}
	name = dnsName(name)
	labels := map[string]string{"app": name}
	spec := corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever}
	claims := map[string]bool{}
	secrets := map[string]string{} // Secret name → pod secret name
	var svcPorts []corev1.ServicePort
	for _, c := range cs {
		cname := c.Name
		if svc := c.Config.Labels["com.docker.compose.service"]; svc != "" {
			cname = svc // compose's services find each other by these names
		}
		kc := corev1.Container{Name: dnsName(cname), Image: c.Config.Image, Command: c.Config.Entrypoint, Args: c.Config.Cmd,
			WorkingDir: c.Config.WorkingDir, TTY: c.Config.Tty, Stdin: c.Config.OpenStdin}
		for _, kv := range c.Config.Env {
			if defaultEnv(kv) || slices.Contains(c.ImageEnv, kv) {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			kc.Env = append(kc.Env, corev1.EnvVar{Name: k, Value: v})
		}
		for _, p := range slices.Sorted(maps.Keys(c.HostConfig.PortBindings)) {
			num, proto, _ := strings.Cut(p, "/")
			n, err := strconv.ParseInt(num, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("container %s: port %q: %w", c.Name, p, err)
			}
			for _, b := range c.HostConfig.PortBindings[p] {
				cp := corev1.ContainerPort{ContainerPort: int32(n), Protocol: corev1.Protocol(strings.ToUpper(proto))}
				if h, err := strconv.ParseInt(b.HostPort, 10, 32); err == nil && h > 0 {
					cp.HostPort = int32(h)
				}
				cp.HostIP = b.HostIP
				kc.Ports = append(kc.Ports, cp)
				svcPorts = append(svcPorts, corev1.ServicePort{Name: fmt.Sprintf("%d-%s", n, strings.ToLower(string(cp.Protocol))),
					Port: int32(n), TargetPort: intstr.FromInt32(int32(n)), Protocol: cp.Protocol})
			}
		}
		sc := &corev1.SecurityContext{}
		if uid, err := strconv.ParseInt(strings.Split(c.Config.User, ":")[0], 10, 64); err == nil {
			sc.RunAsUser = &uid
		}
		if c.HostConfig.Privileged {
			sc.Privileged = &c.HostConfig.Privileged
		}
		if c.HostConfig.ReadonlyRootfs {
			sc.ReadOnlyRootFilesystem = &c.HostConfig.ReadonlyRootfs
		}
		if len(c.HostConfig.CapAdd)+len(c.HostConfig.CapDrop) > 0 {
			sc.Capabilities = &corev1.Capabilities{}
			for _, cp := range c.HostConfig.CapAdd {
				sc.Capabilities.Add = append(sc.Capabilities.Add, corev1.Capability(strings.TrimPrefix(cp, "CAP_")))
			}
			for _, cp := range c.HostConfig.CapDrop {
				sc.Capabilities.Drop = append(sc.Capabilities.Drop, corev1.Capability(strings.TrimPrefix(cp, "CAP_")))
			}
		}
		if *sc != (corev1.SecurityContext{}) {
			kc.SecurityContext = sc
		}
		limits := corev1.ResourceList{}
		if m := c.HostConfig.Memory; m > 0 {
			limits[corev1.ResourceMemory] = *resource.NewQuantity(m, resource.BinarySI)
		}
		if n := c.HostConfig.NanoCpus; n > 0 {
			limits[corev1.ResourceCPU] = *resource.NewMilliQuantity(n/1_000_000, resource.DecimalSI)
		} else if q, p := c.HostConfig.CPUQuota, c.HostConfig.CPUPeriod; q > 0 && p > 0 {
			limits[corev1.ResourceCPU] = *resource.NewMilliQuantity(q*1000/p, resource.DecimalSI)
		}
		if len(limits) > 0 {
			kc.Resources.Limits = limits
		}
		if h := c.Config.Healthcheck; h != nil && len(h.Test) > 1 && h.Test[0] != "NONE" {
			cmd := h.Test[1:]
			if h.Test[0] == "CMD-SHELL" {
				cmd = []string{"/bin/sh", "-c", strings.Join(h.Test[1:], " ")}
			}
			p := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: cmd}}}
			if h.Interval > 0 {
				p.PeriodSeconds = int32(h.Interval / time.Second)
			}
			if h.Timeout > 0 {
				p.TimeoutSeconds = int32(h.Timeout / time.Second)
			}
			if h.StartPeriod > 0 {
				p.InitialDelaySeconds = int32(h.StartPeriod / time.Second)
			}
			if h.Retries > 0 {
				p.FailureThreshold = int32(h.Retries)
			}
			kc.LivenessProbe = p
		}
		// pod's secrets: env ones from a Secret's key, mount ones a
		// Secret volume's file; the Secret itself is written without its
		// data, which pod never shows.
		for _, sec := range c.Config.Secrets {
			sn := dnsName(sec.Name)
			secrets[sn] = sec.Name
			if sec.Type == "env" {
				envName := sec.Target
				if envName == "" {
					envName = sec.Name
				}
				kc.Env = append(kc.Env, corev1.EnvVar{Name: envName, ValueFrom: &corev1.EnvVarSource{
					SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: sn}, Key: sec.Name}}})
				continue
			}
			target := sec.Target
			if target == "" {
				target = "/run/secrets/" + sec.Name
			} else if !path.IsAbs(target) {
				target = "/run/secrets/" + target
			}
			vol := corev1.Volume{Name: sn + "-secret", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: sn,
				Items: []corev1.KeyToPath{{Key: sec.Name, Path: path.Base(target)}}}}}
			kc.VolumeMounts = append(kc.VolumeMounts, corev1.VolumeMount{Name: vol.Name, MountPath: target, SubPath: path.Base(target), ReadOnly: true})
			if !slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == vol.Name }) {
				spec.Volumes = append(spec.Volumes, vol)
			}
		}
		for _, m := range c.Mounts {
			var vol corev1.Volume
			switch m.Type {
			case "volume":
				claim := dnsName(m.Name)
				vol = corev1.Volume{Name: claim, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}}
				claims[claim] = true
			case "bind":
				vol = corev1.Volume{Name: dnsName(path.Base(m.Source)) + "-host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: m.Source}}}
			default:
				continue // tmpfs and pod's own mounts
			}
			kc.VolumeMounts = append(kc.VolumeMounts, corev1.VolumeMount{Name: vol.Name, MountPath: m.Destination, ReadOnly: !m.RW})
			if !slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == vol.Name }) {
				spec.Volumes = append(spec.Volumes, vol)
			}
		}
		switch c.HostConfig.RestartPolicy.Name {
		case "always", "unless-stopped":
			spec.RestartPolicy = corev1.RestartPolicyAlways
		case "on-failure":
			if spec.RestartPolicy != corev1.RestartPolicyAlways {
				spec.RestartPolicy = corev1.RestartPolicyOnFailure
			}
		}
		spec.Containers = append(spec.Containers, kc)
	}
	// The containers' labels (but compose's own) and annotations go on
	// the Pod.
	annotations := map[string]string{}
	for _, c := range cs {
		for k, v := range c.Config.Labels {
			if !strings.HasPrefix(k, "com.docker.compose.") && !strings.HasPrefix(k, "io.pod.") {
				labels[k] = v
			}
		}
		maps.Copy(annotations, c.Config.Annotations)
	}
	meta := metav1.ObjectMeta{Name: name, Labels: labels}
	if len(annotations) > 0 {
		meta.Annotations = annotations
	}
	var docs []any
	if o.Type == "deployment" {
		replicas := max(o.Replicas, 1)
		spec.RestartPolicy = corev1.RestartPolicyAlways // the only one a Deployment takes
		docs = append(docs, appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: name + "-deployment", Labels: labels},
			Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: meta, Spec: spec}},
		})
	} else {
		docs = append(docs, corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: meta, Spec: spec})
	}
	for _, claim := range slices.Sorted(maps.Keys(claims)) {
		docs = append(docs, corev1.PersistentVolumeClaim{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
			ObjectMeta: metav1.ObjectMeta{Name: claim},
			Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
		})
	}
	for _, sn := range slices.Sorted(maps.Keys(secrets)) {
		docs = append(docs, corev1.Secret{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: metav1.ObjectMeta{Name: sn, Annotations: map[string]string{
				"io.pod.secret": "pod never exports a secret's data: give the key " + secrets[sn] + " its value (data or stringData) before using this"}},
			Type: corev1.SecretTypeOpaque,
		})
	}
	if o.Service && len(svcPorts) > 0 {
		docs = append(docs, corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Spec:       corev1.ServiceSpec{Selector: labels, Ports: svcPorts, Type: corev1.ServiceTypeNodePort},
		})
	}
	var out []byte
	for i, d := range docs {
		b, err := yaml.Marshal(d)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, "---\n"...)
		}
		out = append(out, b...)
	}
	return out, nil
}
