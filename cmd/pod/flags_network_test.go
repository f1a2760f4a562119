package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
)

// TestNetworkFlags: which network --network and its companions ask for.
// No --network is left for lifecycle to choose (the default network where
// a stack works); --ip and the others alone, or bridge with options, name
// the default network.
func TestNetworkFlags(t *testing.T) {
	def := container.DefaultNetwork
	for _, tc := range []struct {
		args     []string
		mode     string
		networks []container.NetworkAttachment
		err      string
	}{
		{args: nil, mode: ""},
		{args: []string{"--network", "bridge"}, mode: "bridge"},
		{args: []string{"--network", "pasta:-T,8080"}, mode: "pasta"},
		{args: []string{"--network", "host"}, mode: "host"},
		{args: []string{"--network", def}, mode: def, networks: []container.NetworkAttachment{{Name: def}}},
		{args: []string{"--ip", "10.88.0.9"}, mode: def, networks: []container.NetworkAttachment{{Name: def, IPs: []string{"10.88.0.9"}}}},
		{args: []string{"--network", "bridge", "--network-alias", "web"}, mode: def, networks: []container.NetworkAttachment{{Name: def, Aliases: []string{"web"}}}},
		{args: []string{"--network", "bridge:ip=10.88.0.7"}, mode: def, networks: []container.NetworkAttachment{{Name: def, IPs: []string{"10.88.0.7"}}}},
		{args: []string{"--network", "appnet", "--network", "bridge"}, mode: "appnet", networks: []container.NetworkAttachment{{Name: "appnet"}, {Name: def}}},
		{args: []string{"--network", "host", "--ip", "10.88.0.9"}, err: "need a bridge network"},
		{args: []string{"--network", "bridge:ip=nope"}, err: "not an IP address"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var f networkFlags
			fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
			f.register(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			cfg := &container.Config{}
			err := f.apply(cfg)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.NetworkMode != tc.mode || !reflect.DeepEqual(cfg.Networks, tc.networks) {
				t.Fatalf("mode %q networks %+v, want %q %+v", cfg.NetworkMode, cfg.Networks, tc.mode, tc.networks)
			}
		})
	}
}
