package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/compose"
	"github.com/pod-project/pod/kube"
)

// newKube is pod kube's commands that pod-compose serves (kube generate).
func newKube() *cobra.Command {
	root := &cobra.Command{Use: "kube", SilenceUsage: true, SilenceErrors: true}
	root.CompletionOptions.DisableDefaultCmd = true
	var o kube.Options
	var file string
	gen := &cobra.Command{
		Use:   "generate [flags] CONTAINER|POD...",
		Short: "Kubernetes YAML (a Pod or Deployment, claims, a Service) of containers or a pod",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Type != "pod" && o.Type != "deployment" {
				return fmt.Errorf("--type %q: pod or deployment", o.Type)
			}
			pd, err := pod()
			if err != nil {
				return err
			}
			cs, name, err := kubeContainers(cmd, pd, args)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				o.Name = name
			}
			b, err := kube.Generate(cs, o)
			if err != nil {
				return err
			}
			if file != "" {
				return os.WriteFile(file, b, 0o644)
			}
			_, err = os.Stdout.Write(b)
			return err
		},
	}
	fl := gen.Flags()
	fl.StringVarP(&file, "filename", "f", "", "write the YAML to this file")
	fl.BoolVarP(&o.Service, "service", "s", false, "add a Service of the published ports")
	fl.StringVarP(&o.Type, "type", "t", "pod", "what to generate: pod or deployment")
	fl.Int32VarP(&o.Replicas, "replicas", "r", 1, "the Deployment's replicas")
	root.AddCommand(gen, newKubePlay())
	return root
}

func newKubePlay() *cobra.Command {
	var down, replace, build bool
	var network string
	var publish, configmaps []string
	cmd := &cobra.Command{
		Use:   "play [flags] FILE|URL|-",
		Short: "Run the pods, deployments, claims, config maps and secrets of Kubernetes YAML (--down removes them)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			pd, err := pod()
			if err != nil {
				return err
			}
			b, err := readSource(ctx, args[0])
			if err != nil {
				return err
			}
			objs, err := kube.Parse(b)
			if err != nil {
				return err
			}
			for _, f := range configmaps {
				cb, err := os.ReadFile(f)
				if err != nil {
					return fmt.Errorf("--configmap: %w", err)
				}
				more, err := kube.Parse(cb)
				if err != nil {
					return fmt.Errorf("--configmap %s: %w", f, err)
				}
				maps.Copy(objs.ConfigMaps, more.ConfigMaps)
			}
			var unsupported []string
			for _, p := range objs.Pods {
				unsupported = append(unsupported, kube.Unsupported(p)...)
			}
			if len(unsupported) > 0 {
				return fmt.Errorf("kube play does not support: %s", strings.Join(unsupported, "; "))
			}
			if down || replace {
				for _, p := range objs.Pods {
					if _, err := pd.Output(ctx, "pods", "rm", "-f", "--ignore", p.Name); err != nil {
						return err
					}
					// The volumes of its configMap and secret files go too.
					files, _ := kube.VolumeFiles(p, objs)
					for vol := range files {
						_, _ = pd.Output(ctx, "volume", "rm", "-f", vol)
					}
					if down {
						fmt.Printf("Pod %s removed\n", p.Name)
					}
				}
				if down {
					return nil
				}
			}
			for _, c := range objs.Claims {
				if _, err := pd.Output(ctx, "volume", "exists", c.Name); err == nil {
					continue
				}
				if _, err := pd.Output(ctx, "volume", "create", c.Name); err != nil {
					return fmt.Errorf("PersistentVolumeClaim %s: %w", c.Name, err)
				}
			}
			for _, p := range objs.Pods {
				for _, c := range append(slices.Clone(p.Spec.InitContainers), p.Spec.Containers...) {
					if err := buildImage(ctx, pd, c.Image, build); err != nil {
						return err
					}
				}
				files, err := kube.VolumeFiles(p, objs)
				if err != nil {
					return err
				}
				for vol, fs := range files {
					if err := fillVolume(ctx, pd, vol, fs); err != nil {
						return fmt.Errorf("Pod %s: %w", p.Name, err)
					}
				}
				id, err := pd.Output(ctx, append([]string{"pods", "create"}, kube.PodCreateArgs(p, network, publish)...)...)
				if err != nil {
					return fmt.Errorf("Pod %s: %w", p.Name, err)
				}
				fmt.Printf("Pod:\n%s", id)
				fmt.Println("Containers:")
				for i, c := range append(slices.Clone(p.Spec.InitContainers), p.Spec.Containers...) {
					a, err := kube.ContainerCreateArgs(p, c, objs, i < len(p.Spec.InitContainers))
					if err != nil {
						return fmt.Errorf("Pod %s: %w", p.Name, err)
					}
					cid, err := pd.Output(ctx, append([]string{"create"}, a...)...)
					if err != nil {
						return fmt.Errorf("Pod %s: container %s: %w", p.Name, c.Name, err)
					}
					fmt.Print(cid)
				}
				if _, err := pd.Output(ctx, "pods", "start", p.Name); err != nil {
					return fmt.Errorf("Pod %s: %w", p.Name, err)
				}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&down, "down", false, "remove the pods the file describes (claims' volumes stay)")
	fl.BoolVar(&replace, "replace", false, "remove the pods of the same names first")
	fl.BoolVar(&build, "build", false, "build an image from the directory of its name (with a Containerfile or Dockerfile) even when it exists")
	fl.StringVar(&network, "network", "", "the network of the pods")
	fl.StringArrayVar(&publish, "publish", nil, "publish another port of the pods: [IP:]HOSTPORT:PORT")
	fl.StringArrayVar(&configmaps, "configmap", nil, "a YAML file of ConfigMaps the pods' environment names")
	return cmd
}

// readSource reads kube play's file, - for standard input, or an http(s)
// URL.
func readSource(ctx context.Context, src string) ([]byte, error) {
	switch {
	case src == "-":
		return io.ReadAll(os.Stdin)
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: %s", src, resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	}
	return os.ReadFile(src)
}

// buildImage builds image from the directory of its name (its last path
// element, without tag) when that directory has a Containerfile or
// Dockerfile and the image is missing, or always with force, as
// Podman's kube play does.
func buildImage(ctx context.Context, pd compose.Pod, image string, force bool) error {
	dir := path.Base(strings.SplitN(image, "@", 2)[0])
	dir, _, _ = strings.Cut(dir, ":")
	found := false
	for _, f := range []string{"Containerfile", "Dockerfile"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			found = true
		}
	}
	if !found {
		return nil
	}
	if !force {
		if _, err := pd.Output(ctx, "image", "exists", image); err == nil {
			return nil
		}
	}
	return pd.Run(ctx, "build", "-t", image, dir)
}

// kubeContainers are the containers the arguments name (a pod's: all but
// its infra), read with pod inspect, and the name the YAML takes.
func kubeContainers(cmd *cobra.Command, pd compose.Pod, args []string) ([]kube.Container, string, error) {
	ctx := cmd.Context()
	var ids []string
	name, infra := "", ""
	for _, a := range args {
		out, err := pd.Output(ctx, "pods", "inspect", a)
		var ee *compose.ExitError
		if err == nil {
			var p struct {
				Name       string
				Containers []struct{ Id string }
				Infra      string `json:"InfraContainerID"`
			}
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				return nil, "", err
			}
			for _, c := range p.Containers {
				if c.Id != p.Infra {
					ids = append(ids, c.Id)
				}
			}
			name, infra = p.Name, p.Infra
			continue
		}
		if !errors.As(err, &ee) {
			return nil, "", err
		}
		ids = append(ids, a)
	}
	if len(ids) == 0 {
		return nil, "", fmt.Errorf("%s: no container to generate YAML of", strings.Join(args, ", "))
	}
	out, err := pd.Output(ctx, append([]string{"inspect", "--type", "container"}, ids...)...)
	if err != nil {
		return nil, "", err
	}
	var cs []kube.Container
	if err := json.Unmarshal([]byte(out), &cs); err != nil {
		return nil, "", err
	}
	// A pod's ports are published on its infra container: the YAML puts
	// them on its first container, as Podman's.
	if infra != "" {
		out, err := pd.Output(ctx, "inspect", "--type", "container", infra)
		if err != nil {
			return nil, "", err
		}
		var ic []kube.Container
		if err := json.Unmarshal([]byte(out), &ic); err != nil {
			return nil, "", err
		}
		if len(ic) == 1 && len(cs) > 0 {
			if cs[0].HostConfig.PortBindings == nil {
				cs[0].HostConfig.PortBindings = ic[0].HostConfig.PortBindings
			} else {
				for k, v := range ic[0].HostConfig.PortBindings {
					cs[0].HostConfig.PortBindings[k] = v
				}
			}
		}
	}
	for i := range cs {
		envJSON, err := pd.Output(ctx, "image", "inspect", "--format", "{{json .Config.Env}}", cs[i].Config.Image)
		if err == nil {
			_ = json.Unmarshal([]byte(envJSON), &cs[i].ImageEnv)
		}
	}
	return cs, name, nil
}

// fillVolume makes the volume vol hold exactly files (a configMap's or a
// secret's), streamed to pod volume import as a tar: no file is written
// outside the store.
func fillVolume(ctx context.Context, pd compose.Pod, vol string, files map[string]string) error {
	_, _ = pd.Output(ctx, "volume", "rm", "-f", vol)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write([]byte(files[name])); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	in := pd
	in.Stdin, in.Stdout = &buf, io.Discard
	return in.Run(ctx, "volume", "import", vol, "-")
}
