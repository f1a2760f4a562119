package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// Objects are the documents of a Kubernetes YAML file that kube play
// runs, decoded strictly into k8s.io/api's types.
type Objects struct {
	Pods       []corev1.Pod
	Claims     []corev1.PersistentVolumeClaim
	ConfigMaps map[string]corev1.ConfigMap
	Secrets    map[string]corev1.Secret
	// Ignored are documents of kinds that need nothing here (Service:
	// pod publishes hostPorts itself).
	Ignored []string
}

// Parse decodes the documents of b: Pod, Deployment (its template as
// replicas pods NAME-pod-N), PersistentVolumeClaim, ConfigMap, Secret,
// Service; any other kind, or a field of no type's (strict decoding), is
// an error naming it.
func Parse(b []byte) (*Objects, error) {
	o := &Objects{ConfigMaps: map[string]corev1.ConfigMap{}, Secrets: map[string]corev1.Secret{}}
	for i, d := range splitYAML(b) {
		var tm struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(d, &tm); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		strict := func(v any) error {
			if err := yaml.UnmarshalStrict(d, v); err != nil {
				return fmt.Errorf("%s %s: %w", tm.Kind, tm.Metadata.Name, err)
			}
			return nil
		}
		switch tm.Kind {
		case "":
			continue
		case "Pod":
			var p corev1.Pod
			if err := strict(&p); err != nil {
				return nil, err
			}
			o.Pods = append(o.Pods, p)
		case "Deployment":
			var dep appsv1.Deployment
			if err := strict(&dep); err != nil {
				return nil, err
			}
			n := int32(1)
			if dep.Spec.Replicas != nil {
				n = *dep.Spec.Replicas
			}
			for r := range n {
				p := corev1.Pod{ObjectMeta: dep.Spec.Template.ObjectMeta, Spec: dep.Spec.Template.Spec}
				p.Name = fmt.Sprintf("%s-pod-%d", dep.Name, r)
				o.Pods = append(o.Pods, p)
			}
		case "PersistentVolumeClaim":
			var c corev1.PersistentVolumeClaim
			if err := strict(&c); err != nil {
				return nil, err
			}
			o.Claims = append(o.Claims, c)
		case "ConfigMap":
			var c corev1.ConfigMap
			if err := strict(&c); err != nil {
				return nil, err
			}
			o.ConfigMaps[c.Name] = c
		case "Secret":
			var s corev1.Secret
			if err := strict(&s); err != nil {
				return nil, err
			}
			o.Secrets[s.Name] = s
		case "Service":
			var s corev1.Service
			if err := strict(&s); err != nil {
				return nil, err
			}
			o.Ignored = append(o.Ignored, "Service "+s.Name)
		default:
			return nil, fmt.Errorf("document %d: kind %s is not supported (Pod, Deployment, PersistentVolumeClaim, ConfigMap, Secret, Service)", i+1, tm.Kind)
		}
	}
	return o, nil
}

func splitYAML(b []byte) [][]byte {
	var out [][]byte
	for _, d := range bytes.Split(append([]byte("\n"), b...), []byte("\n---")) {
		if len(bytes.TrimSpace(d)) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// Unsupported names the fields of p that kube play does not take.
func Unsupported(p corev1.Pod) []string {
	var out []string
	s := p.Spec
	name := "Pod " + p.Name + ": "
	for field, set := range map[string]bool{
		"affinity": s.Affinity != nil, "nodeSelector": len(s.NodeSelector) > 0, "tolerations": len(s.Tolerations) > 0,
		"nodeName": s.NodeName != "", "runtimeClassName": s.RuntimeClassName != nil, "ephemeralContainers": len(s.EphemeralContainers) > 0,
		"topologySpreadConstraints": len(s.TopologySpreadConstraints) > 0, "resourceClaims": len(s.ResourceClaims) > 0,
	} {
		if set {
			out = append(out, name+"spec."+field)
		}
	}
	for _, v := range s.Volumes {
		if v.PersistentVolumeClaim == nil && v.HostPath == nil && v.EmptyDir == nil && v.ConfigMap == nil && v.Secret == nil {
			out = append(out, name+"volume "+v.Name+" (only persistentVolumeClaim, hostPath, emptyDir, configMap and secret)")
		}
	}
	for _, c := range append(slices.Clone(s.InitContainers), s.Containers...) {
		cn := name + "container " + c.Name + ": "
		if c.ReadinessProbe != nil || c.StartupProbe != nil {
			out = append(out, cn+"readinessProbe/startupProbe (livenessProbe is the health check)")
		}
		if pr := c.LivenessProbe; pr != nil && pr.Exec == nil {
			out = append(out, cn+"livenessProbe without exec (httpGet, tcpSocket, grpc)")
		}
		if c.Lifecycle != nil {
			out = append(out, cn+"lifecycle")
		}
		for _, e := range c.Env {
			if f := e.ValueFrom; f != nil && f.ConfigMapKeyRef == nil && f.SecretKeyRef == nil {
				out = append(out, cn+"env "+e.Name+" valueFrom (only configMapKeyRef, secretKeyRef)")
			}
		}
	}
	slices.Sort(out)
	return out
}

// PodCreateArgs are `pod pods create` arguments for p: its name, labels,
// the hostPorts of its containers published, and every container's name
// as a host name on localhost (the pod's containers share its network,
// as in Kubernetes, and find each other by name as with compose).
func PodCreateArgs(p corev1.Pod, network string, publish []string) []string {
	a := []string{"--name", p.Name}
	for _, k := range slices.Sorted(maps.Keys(p.Labels)) {
		a = append(a, "--label", k+"="+p.Labels[k])
	}
	if p.Spec.Hostname != "" {
		a = append(a, "--hostname", p.Spec.Hostname)
	}
	if network != "" {
		a = append(a, "--network", network)
	}
	for _, c := range p.Spec.Containers {
		a = append(a, "--add-host", c.Name+":127.0.0.1")
		for _, port := range c.Ports {
			if port.HostPort == 0 {
				continue
			}
			v := fmt.Sprintf("%d:%d", port.HostPort, port.ContainerPort)
			if port.HostIP != "" {
				v = port.HostIP + ":" + v
			}
			if port.Protocol != "" && port.Protocol != corev1.ProtocolTCP {
				v += "/" + strings.ToLower(string(port.Protocol))
			}
			a = append(a, "--publish", v)
		}
	}
	for _, pub := range publish {
		a = append(a, "--publish", pub)
	}
	return a
}

// ContainerCreateArgs are `pod create` arguments (after "create") of
// container c of pod p: in the pod, its settings as pod's flags, then its
// image and args; init marks an init container (run once, first).
func ContainerCreateArgs(p corev1.Pod, c corev1.Container, o *Objects, init bool) ([]string, error) {
	a := []string{"--pod", p.Name, "--name", p.Name + "-" + c.Name}
	if init {
		a = append(a, "--init-ctr", "once")
	}
	env := map[string]string{}
	for _, ef := range c.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			cm, ok := o.ConfigMaps[ef.ConfigMapRef.Name]
			if !ok {
				return nil, fmt.Errorf("container %s: envFrom configMap %s: no such ConfigMap in the file or --configmap", c.Name, ef.ConfigMapRef.Name)
			}
			for k, v := range cm.Data {
				env[ef.Prefix+k] = v
			}
		case ef.SecretRef != nil:
			s, ok := o.Secrets[ef.SecretRef.Name]
			if !ok {
				return nil, fmt.Errorf("container %s: envFrom secret %s: no such Secret in the file", c.Name, ef.SecretRef.Name)
			}
			for k, v := range secretData(s) {
				env[ef.Prefix+k] = v
			}
		}
	}
	for _, e := range c.Env {
		switch f := e.ValueFrom; {
		case f == nil:
			env[e.Name] = e.Value
		case f.ConfigMapKeyRef != nil:
			cm, ok := o.ConfigMaps[f.ConfigMapKeyRef.Name]
			if !ok {
				return nil, fmt.Errorf("container %s: env %s: no ConfigMap %s", c.Name, e.Name, f.ConfigMapKeyRef.Name)
			}
			env[e.Name] = cm.Data[f.ConfigMapKeyRef.Key]
		case f.SecretKeyRef != nil:
			s, ok := o.Secrets[f.SecretKeyRef.Name]
			if !ok {
				return nil, fmt.Errorf("container %s: env %s: no Secret %s", c.Name, e.Name, f.SecretKeyRef.Name)
			}
			env[e.Name] = secretData(s)[f.SecretKeyRef.Key]
		}
	}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		a = append(a, "--env", k+"="+env[k])
	}
	if c.WorkingDir != "" {
		a = append(a, "--workdir", c.WorkingDir)
	}
	if c.TTY {
		a = append(a, "--tty")
	}
	if c.Stdin {
		a = append(a, "--interactive")
	}
	sc := c.SecurityContext
	if sc == nil && p.Spec.SecurityContext != nil && p.Spec.SecurityContext.RunAsUser != nil {
		sc = &corev1.SecurityContext{RunAsUser: p.Spec.SecurityContext.RunAsUser, RunAsGroup: p.Spec.SecurityContext.RunAsGroup}
	}
	if sc != nil {
		if sc.RunAsUser != nil {
			u := strconv.FormatInt(*sc.RunAsUser, 10)
			if sc.RunAsGroup != nil {
				u += ":" + strconv.FormatInt(*sc.RunAsGroup, 10)
			}
			a = append(a, "--user", u)
		}
		if sc.Privileged != nil && *sc.Privileged {
			a = append(a, "--privileged")
		}
		if sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem {
			a = append(a, "--read-only")
		}
		if caps := sc.Capabilities; caps != nil {
			for _, c := range caps.Add {
				a = append(a, "--cap-add", string(c))
			}
			for _, c := range caps.Drop {
				a = append(a, "--cap-drop", string(c))
			}
		}
	}
	if l := c.Resources.Limits; l != nil {
		if m, ok := l[corev1.ResourceMemory]; ok {
			a = append(a, "--memory", strconv.FormatInt(m.Value(), 10))
		}
		if cpu, ok := l[corev1.ResourceCPU]; ok {
			a = append(a, "--cpus", strconv.FormatFloat(float64(cpu.MilliValue())/1000, 'f', -1, 64))
		}
	}
	if pr := c.LivenessProbe; pr != nil && pr.Exec != nil {
		b, err := json.Marshal(append([]string{"CMD"}, pr.Exec.Command...))
		if err != nil {
			return nil, err
		}
		a = append(a, "--health-cmd", string(b))
		if pr.PeriodSeconds > 0 {
			a = append(a, "--health-interval", strconv.Itoa(int(pr.PeriodSeconds))+"s")
		}
		if pr.TimeoutSeconds > 0 {
			a = append(a, "--health-timeout", strconv.Itoa(int(pr.TimeoutSeconds))+"s")
		}
		if pr.InitialDelaySeconds > 0 {
			a = append(a, "--health-start-period", strconv.Itoa(int(pr.InitialDelaySeconds))+"s")
		}
		if pr.FailureThreshold > 0 {
			a = append(a, "--health-retries", strconv.Itoa(int(pr.FailureThreshold)))
		}
	}
	switch p.Spec.RestartPolicy {
	case corev1.RestartPolicyAlways, "":
		if !init {
			a = append(a, "--restart", "always")
		}
	case corev1.RestartPolicyOnFailure:
		a = append(a, "--restart", "on-failure")
	}
	for _, m := range c.VolumeMounts {
		i := slices.IndexFunc(p.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name })
		if i < 0 {
			return nil, fmt.Errorf("container %s: volumeMount %s: the pod has no such volume", c.Name, m.Name)
		}
		v := p.Spec.Volumes[i]
		var spec string
		switch {
		case v.PersistentVolumeClaim != nil:
			spec = v.PersistentVolumeClaim.ClaimName + ":" + m.MountPath
		case v.HostPath != nil:
			spec = v.HostPath.Path + ":" + m.MountPath
		case v.EmptyDir != nil:
			a = append(a, "--tmpfs", m.MountPath)
			continue
		case v.ConfigMap != nil || v.Secret != nil:
			spec, m.ReadOnly = FilesVolume(p, v.Name)+":"+m.MountPath, true
		default:
			return nil, fmt.Errorf("container %s: volume %s: only persistentVolumeClaim, hostPath, emptyDir, configMap and secret", c.Name, v.Name)
		}
		if m.ReadOnly {
			spec += ":ro"
		}
		a = append(a, "--volume", spec)
	}
	// Kubernetes expands $(NAME) in command and args from the
	// container's environment ($$ is a $).
	c.Command, c.Args = expand(c.Command, env), expand(c.Args, env)
	if len(c.Command) > 0 {
		b, err := json.Marshal(c.Command)
		if err != nil {
			return nil, err
		}
		a = append(a, "--entrypoint", string(b))
	}
	a = append(a, c.Image)
	return append(a, c.Args...), nil
}

func secretData(s corev1.Secret) map[string]string {
	out := map[string]string{}
	for k, v := range s.Data {
		out[k] = string(v)
	}
	maps.Copy(out, s.StringData)
	return out
}

var varRef = regexp.MustCompile(`\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`)

// expand replaces $(NAME) with NAME's value where env has it, and $$ with $.
func expand(words []string, env map[string]string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = varRef.ReplaceAllStringFunc(w, func(m string) string {
			if m == "$$" {
				return "$"
			}
			if v, ok := env[m[2:len(m)-1]]; ok {
				return v
			}
			return m
		})
	}
	return out
}

// FilesVolume is the pod volume that holds a configMap or secret volume's
// files: POD-VOLUME.
func FilesVolume(p corev1.Pod, volume string) string { return p.Name + "-" + volume }

// VolumeFiles are the files of p's configMap and secret volumes, by pod
// volume (FilesVolume): each key (or items' paths) with its value.
func VolumeFiles(p corev1.Pod, o *Objects) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, v := range p.Spec.Volumes {
		var data map[string]string
		var items []corev1.KeyToPath
		switch {
		case v.ConfigMap != nil:
			cm, ok := o.ConfigMaps[v.ConfigMap.Name]
			if !ok {
				return nil, fmt.Errorf("Pod %s: volume %s: no ConfigMap %s in the file or --configmap", p.Name, v.Name, v.ConfigMap.Name)
			}
			data, items = maps.Clone(cm.Data), v.ConfigMap.Items
			for k, b := range cm.BinaryData {
				data[k] = string(b)
			}
		case v.Secret != nil:
			s, ok := o.Secrets[v.Secret.SecretName]
			if !ok {
				return nil, fmt.Errorf("Pod %s: volume %s: no Secret %s in the file", p.Name, v.Name, v.Secret.SecretName)
			}
			data, items = secretData(s), v.Secret.Items
		default:
			continue
		}
		files := map[string]string{}
		if len(items) == 0 {
			maps.Copy(files, data)
		}
		for _, it := range items {
			val, ok := data[it.Key]
			if !ok {
				return nil, fmt.Errorf("Pod %s: volume %s: no key %s", p.Name, v.Name, it.Key)
			}
			files[it.Path] = val
		}
		out[FilesVolume(p, v.Name)] = files
	}
	return out, nil
}
