package monitor

import (
	"fmt"
	"os"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pod-project/pod/monitor/protocol"
	"github.com/pod-project/pod/network"
	"github.com/pod-project/pod/network/slirp"
)

// earlyNetwork is a network being started while the monitor waits for
// its start message.
type earlyNetwork struct {
	done  chan struct{}
	net   *slirp.Network
	links *network.Links
	// keep stops the links' holder watch.
	keep           chan struct{}
	err            error
	bundle, nsPath string
}

// startNetworkEarly starts the network the CLI planned, if any: the
// namespace now (the runtime joins it), the stack in the background.
func startNetworkEarly() *earlyNetwork {
	bundle := os.Getenv(protocol.EnvNetBundle)
	if bundle == "" {
		return nil
	}
	_ = os.Unsetenv(protocol.EnvNetBundle)
	e := &earlyNetwork{done: make(chan struct{}), bundle: bundle}
	plan, err := slirp.LoadPlan(bundle)
	if err == nil && plan == nil {
		err = fmt.Errorf("no network plan in %s", bundle)
	}
	if err == nil {
		e.nsPath = plan.NSPath
		err = plan.MakeNamespace()
	}
	if err != nil {
		e.err = err
		slirp.MarkReady(bundle, err)
		close(e.done)
		return e
	}
	go func() {
		defer close(e.done)
		began := time.Now()
		if plan.Driver == network.DriverBridge {
			e.err = e.linkUp(plan.NSPath)
		} else {
			e.net, e.err = slirp.Up(plan, bundle, slirp.InUserNS())
		}
		// The container's createRuntime hook waits for this.
		slirp.MarkReady(bundle, e.err)
		logrus.Debugf("network %s up in %v (%v)", plan.Driver, time.Since(began), e.err)
	}()
	return e
}

// stop stops the network (once it has come up, or failed to) and removes
// its namespace.
func (e *earlyNetwork) stop() {
	if e == nil {
		return
	}
	<-e.done
	e.net.Down()
	if e.links != nil {
		e.links.Down()
	}
	if e.keep != nil {
		close(e.keep)
		e.keep = nil
	}
	if e.nsPath != "" {
		// The container's links (veth pairs) go with its namespace.
		slirp.RemoveNetNS(e.nsPath)
	}
	if e.links != nil {
		if err := e.links.Release(); err != nil {
			logrus.Warnf("releasing the container's addresses: %v", err)
		}
	}
	slirp.ClearReady(e.bundle)
}

// linkUp links the container's namespace to its user-defined networks.
func (e *earlyNetwork) linkUp(nsPath string) error {
	l, err := network.LoadLinks(e.bundle)
	if err == nil && l == nil {
		err = fmt.Errorf("no network links in %s", e.bundle)
	}
	if err != nil {
		return err
	}
	e.links = l
	if err := l.Up(nsPath); err != nil {
		return err
	}
	e.keep = make(chan struct{})
	go l.KeepHolder(e.keep)
	return nil
}
