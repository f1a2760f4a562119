package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
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
	root.AddCommand(gen)
	return root
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
