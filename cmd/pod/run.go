package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newRunCommand(g *globalOptions) *cobra.Command {
	var f containerFlags
	var rf runFlags
	var rmi bool
	cmd := &cobra.Command{
		Use:   "run [flags] IMAGE [COMMAND [ARG...]]",
		Short: "Run a command in a new container",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if rmi && rf.detach {
				return usageErrorf("--rmi removes the image once the container has ended, which a detached run does not wait for: run attached, or pod rm and pod rmi later")
			}
			f.rm = f.rm || rmi
			set, err := applyConf(cmd, g.conf, g.mode.Rootless)
			if err != nil {
				return err
			}
			co, err := f.options(cmd, args)
			if err != nil {
				return fromConf(err, set)
			}
			if err := confDefaults(co.Config, g.conf); err != nil {
				return err
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			ro, done, err := rf.options(co)
			if err != nil {
				return err
			}
			socketActivation(&ro)
			defer done()
			rec, code, err := h.Run(cmd.Context(), ro)
			if err == nil && rf.detach {
				fmt.Fprintln(cmd.OutOrStdout(), rec.Config.ID)
			}
			if errors.Is(err, lifecycle.ErrDetached) {
				// The container runs on; --rmi has nothing to remove yet.
				return nil
			}
			if err != nil {
				return err
			}
			if rmi {
				// By the name run was given (an image of other names
				// loses that one), unless another container uses it, as
				// Podman's --rmi.
				for _, r := range h.RemoveImages(cmd.Context(), []string{args[0]}, false) {
					if r.Err != nil {
						logrus.Debugf("--rmi: %v", r.Err)
					}
				}
			}
			return container.ExitStatus(code)
		},
	}
	f.register(cmd)
	rf.register(cmd)
	cmd.Flags().BoolVar(&rmi, "rmi", false, "remove the image once the container has ended, unless another container uses it (implies --rm)")
	return cmd
}

// socketActivation passes systemd's sockets on when pod run is a unit's
// process started by socket activation ($LISTEN_PID is pod, $LISTEN_FDS
// counts the sockets from 3): the container gets them as its 3 onwards,
// with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID=1, as Podman passes them.
func socketActivation(ro *lifecycle.RunOptions) {
	if os.Getenv("LISTEN_PID") != strconv.Itoa(os.Getpid()) {
		return
	}
	n, err := strconv.ParseUint(os.Getenv("LISTEN_FDS"), 10, 16)
	if err != nil || n == 0 {
		return
	}
	if uint(n) > ro.PreserveFDs {
		ro.PreserveFDs = uint(n)
	}
	cfg := ro.Create.Config
	cfg.Env = append(cfg.Env, "LISTEN_PID=1", "LISTEN_FDS="+strconv.FormatUint(n, 10))
	if names := os.Getenv("LISTEN_FDNAMES"); names != "" {
		cfg.Env = append(cfg.Env, "LISTEN_FDNAMES="+names)
	}
}
