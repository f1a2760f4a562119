// Package compose runs compose files (the compose specification, loaded
// with compose-go) on pod: each service's containers, the project's
// networks and volumes become calls of pod's own command line (pod
// network create, pod create, pod start...). It is built into its own
// executable, pod-compose, which pod compose runs: compose-go's package
// initialisation (a JSON schema, reference regexps) costs more than pod's
// whole start-up budget, which every pod call would otherwise pay.
package compose

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// Docker Compose's labels, which tools read to recognise a project's
// containers, networks and volumes.
const (
	LabelProject     = "com.docker.compose.project"
	LabelService     = "com.docker.compose.service"
	LabelNumber      = "com.docker.compose.container-number"
	LabelOneOff      = "com.docker.compose.oneoff"
	LabelConfigHash  = "com.docker.compose.config-hash"
	LabelWorkingDir  = "com.docker.compose.project.working_dir"
	LabelConfigFiles = "com.docker.compose.project.config_files"
	LabelNetwork     = "com.docker.compose.network"
	LabelVolume      = "com.docker.compose.volume"
)

// LoadOptions say which project to load: -f's files (none: compose.yaml
// and the other default names in WorkDir), -p's name, --env-file's files,
// --profile's profiles.
type LoadOptions struct {
	Files       []string
	ProjectName string
	WorkDir     string
	EnvFiles    []string
	Profiles    []string
}

// Load loads, interpolates (the environment and .env) and normalises the
// project, as the compose specification says.
func Load(ctx context.Context, o LoadOptions) (*types.Project, error) {
	opts := []cli.ProjectOptionsFn{cli.WithOsEnv, cli.WithEnvFiles(o.EnvFiles...), cli.WithDotEnv,
		cli.WithProfiles(o.Profiles), cli.WithResolvedPaths(true)}
	if o.WorkDir != "" {
		opts = append(opts, cli.WithWorkingDirectory(o.WorkDir))
	}
	if o.ProjectName != "" {
		opts = append(opts, cli.WithName(o.ProjectName))
	}
	if len(o.Files) == 0 {
		opts = append(opts, cli.WithDefaultConfigPath)
	}
	po, err := cli.NewProjectOptions(o.Files, opts...)
	if err != nil {
		return nil, err
	}
	p, err := cli.ProjectFromOptions(ctx, po)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ConfigHash is the hash of a service's configuration that its containers
// carry (LabelConfigHash): up recreates a container whose service changed.
func ConfigHash(s types.ServiceConfig) (string, error) {
	s.Scale, s.Deploy = nil, nil // replicas change the number, not the containers
	b, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// ContainerName is replica n's name: container_name, or
// PROJECT-SERVICE-N as Docker Compose names them.
func ContainerName(p *types.Project, s types.ServiceConfig, n int) string {
	if s.ContainerName != "" {
		return s.ContainerName
	}
	return fmt.Sprintf("%s-%s-%d", p.Name, s.Name, n)
}

// NetworkName is the pod network of the project's network key: its name:
// (or, external, the key), else PROJECT_KEY.
func NetworkName(p *types.Project, key string) string {
	if n, ok := p.Networks[key]; ok && n.Name != "" {
		return n.Name
	}
	return p.Name + "_" + key
}

// VolumeName is the pod volume of the project's volume key, likewise.
func VolumeName(p *types.Project, key string) string {
	if v, ok := p.Volumes[key]; ok && v.Name != "" {
		return v.Name
	}
	return p.Name + "_" + key
}
