package lifecycle

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/network"
	"github.com/pod-project/pod/storage"
	"github.com/pod-project/pod/userns"
	"github.com/pod-project/pod/volumes"
)

// Finding is one inconsistency `pod system check` found.
type Finding struct {
	// Kind is what it is about: container, record, layer, image, mount,
	// process, temporary, volume, network.
	Kind    string
	ID      string
	Problem string
	// Action is what --repair did, or what the user can do.
	Action string
	// Repaired: the inconsistency is gone.
	Repaired bool
}

// CheckOptions say whether Check fixes what it finds.
type CheckOptions struct {
	// Repair fixes what can be fixed without losing what the user did not
	// ask to remove: debris of interrupted operations, stale records,
	// leaked mounts and processes, unreadable states.
	Repair bool
}

// Check reads the whole store (containers and their records, layers,
// images, mounts in pod's mount namespace, the processes pod recorded,
// temporary files, volumes) and reports every inconsistency; with Repair
// it fixes them where it can.
func (h *Host) Check(ctx context.Context, o CheckOptions) ([]Finding, error) {
	var out []Finding
	for _, check := range []func(context.Context, CheckOptions) ([]Finding, error){
		h.checkContainers, h.checkRecordDirs, h.checkStorage, h.checkLayers, h.checkMounts, h.checkProcesses, h.checkTemp, h.checkVolumes,
		h.checkLeases,
	} {
		f, err := check(ctx, o)
		out = append(out, f...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// repairWith runs fix when repairing and records what it did.
func repairWith(f *Finding, o CheckOptions, done string, fix func() error) {
	if !o.Repair {
		return
	}
	if err := fix(); err != nil {
		f.Action = "repair failed: " + err.Error()
		return
	}
	f.Action, f.Repaired = done, true
}

func (h *Host) checkContainers(ctx context.Context, o CheckOptions) ([]Finding, error) {
	recs, err := container.List(h.Store)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, r := range recs {
		f := Finding{Kind: "container", ID: container.ShortID(r.Config.ID)}
		switch {
		case r.External && r.Underway:
			continue
		case r.External:
			f.Problem, f.Action = "a storage container with no pod record (an interrupted create or build)", "pod rm -f "+f.ID
			repairWith(&f, o, "removed", func() error {
				_, err := h.Remove(ctx, r.Config.ID, RemoveOptions{Force: true})
				return err
			})
		case r.Damage != nil:
			f.Problem, f.Action = "damaged record: "+r.Damage.Error(), "pod rm -f "+r.Config.Name
			if strings.HasSuffix(strings.SplitN(r.Damage.Error(), ":", 2)[0], "state.json") && !r.MonitorAlive() {
				repairWith(&f, o, "state written anew as exited", func() error {
					return r.UpdateState(func(s *container.State) {
						*s = container.State{Status: container.StatusExited, ExitCode: 255, Error: "its state was damaged"}
					})
				})
			}
		case r.Stale():
			f.Problem, f.Action = "recorded as running, but its monitor is gone", "any pod command marks it exited"
			repairWith(&f, o, "its processes killed, recorded as exited", func() error {
				container.RepairStale(ctx, h.Store, []*container.Record{r}, h.repairOptions(ctx))
				return nil
			})
		default:
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

// checkRecordDirs finds container directories that storage no longer
// knows (a removal interrupted between the two).
func (h *Host) checkRecordDirs(_ context.Context, o CheckOptions) ([]Finding, error) {
	base := filepath.Join(h.Store.GraphRoot(), h.Store.GraphDriverName()+"-containers")
	ents, err := os.ReadDir(base)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cs, err := h.Store.Containers()
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, c := range cs {
		known[c.ID] = true
	}
	var out []Finding
	for _, e := range ents {
		if !e.IsDir() || known[e.Name()] {
			continue
		}
		f := Finding{Kind: "record", ID: container.ShortID(e.Name()), Problem: "a container directory storage does not know", Action: "pod system check --repair"}
		repairWith(&f, o, "removed", func() error { return os.RemoveAll(filepath.Join(base, e.Name())) })
		out = append(out, f)
	}
	return out, nil
}

// checkStorage runs storage's own consistency check (layers, images,
// containers present and whole).
func (h *Host) checkStorage(ctx context.Context, o CheckOptions) ([]Finding, error) {
	report, err := h.Store.Check(&cstorage.CheckOptions{})
	if err != nil {
		return nil, fmt.Errorf("checking the store: %w", err)
	}
	var out []Finding
	add := func(kind string, damage map[string][]error) {
		for id, errs := range damage {
			out = append(out, Finding{Kind: kind, ID: container.ShortID(id), Problem: errors.Join(errs...).Error(), Action: "pod system check --repair removes it"})
		}
	}
	add("layer", report.Layers)
	add("layer", report.ROLayers)
	add("image", report.Images)
	add("image", report.ROImages)
	add("container", report.Containers)
	if o.Repair && len(out) > 0 {
		for id := range report.Containers {
			_, _ = h.Remove(ctx, id, RemoveOptions{Force: true})
		}
		errs := h.Store.Repair(report, &cstorage.RepairOptions{RemoveContainers: true})
		for i := range out {
			out[i].Action, out[i].Repaired = "removed", len(errs) == 0
		}
	}
	return out, nil
}

// checkLayers finds layers no image and no container references (what a
// killed pull or build left); they are only looked for while no layer
// writer runs.
func (h *Host) checkLayers(_ context.Context, o CheckOptions) ([]Finding, error) {
	release, err := storage.HoldReclaiming(h.Store.GraphRoot())
	if errors.Is(err, storage.ErrWritersBusy) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	layers, err := image.UnreferencedLayers(h.Store)
	release()
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, l := range layers {
		out = append(out, Finding{Kind: "layer", ID: container.ShortID(l.ID), Problem: "a layer of no image or container", Action: "pod image prune"})
	}
	if o.Repair && len(out) > 0 {
		pruned, err := image.PruneLayers(h.Store)
		if err != nil {
			return out, err
		}
		gone := map[string]bool{}
		for _, p := range pruned {
			gone[container.ShortID(p.ID)] = true
		}
		for i := range out {
			if gone[out[i].ID] {
				out[i].Action, out[i].Repaired = "removed", true
			}
		}
	}
	return out, nil
}

// checkMounts finds the layers mounted in pod's mount namespace that no
// running container (nor a command at work) uses.
func (h *Host) checkMounts(_ context.Context, o CheckOptions) ([]Finding, error) {
	mounted, err := layerMounts(h.Store)
	if err != nil {
		return nil, err
	}
	cs, err := h.Store.Containers()
	if err != nil {
		return nil, err
	}
	byLayer := map[string]*cstorage.Container{}
	for i := range cs {
		byLayer[cs[i].LayerID] = &cs[i]
	}
	var out []Finding
	for _, layer := range mounted {
		c := byLayer[layer]
		if c == nil {
			continue // an image layer a command at work mounted (squash)
		}
		r, err := container.Load(h.Store, c.ID)
		if r == nil || (err == nil && r.Active()) || r.MonitorAlive() || (r.External && r.Underway) || r.State.UserMounts > 0 {
			continue // pod mount's are the user's
		}
		f := Finding{Kind: "mount", ID: container.ShortID(c.ID), Problem: "its root filesystem is mounted, but it does not run", Action: "pod system check --repair"}
		repairWith(&f, o, "unmounted", func() error {
			_, err := h.Store.Unmount(c.ID, true)
			return err
		})
		out = append(out, f)
	}
	return out, nil
}

// layerMounts lists the layers mounted (overlay's LAYER/merged) under the
// graph root, from this process's mount table (pod's mount namespace).
func layerMounts(st storage.Store) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	prefix := filepath.Join(st.GraphRoot(), st.GraphDriverName()) + "/"
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		rest, ok := strings.CutPrefix(unescapeMount(fields[4]), prefix)
		if layer, ok2 := strings.CutSuffix(rest, "/merged"); ok && ok2 && !strings.Contains(layer, "/") {
			out = append(out, layer)
		}
	}
	return out, sc.Err()
}

// unescapeMount undoes the octal escapes of /proc/self/mountinfo.
func unescapeMount(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}

// checkProcesses finds processes pod recorded for containers that no
// longer exist (a monitor or a container process that outlived a removal).
func (h *Host) checkProcesses(_ context.Context, o CheckOptions) ([]Finding, error) {
	if h.RuntimeDir == "" {
		return nil, nil
	}
	dir := filepath.Join(h.RuntimeDir, "monitors")
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, e := range ents {
		id := strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".pid"), ".anchors")
		if _, err := h.Store.Container(id); err == nil {
			continue
		}
		path := filepath.Join(dir, e.Name())
		for _, p := range userns.ReadProcessFile(path) {
			if !p.Alive() {
				continue
			}
			f := Finding{Kind: "process", ID: fmt.Sprint(p.PID), Problem: "a process of container " + container.ShortID(id) + ", which no longer exists", Action: "pod system check --repair"}
			repairWith(&f, o, "killed", func() error { return p.Kill(killWaitProcess) })
			out = append(out, f)
		}
		if o.Repair {
			_ = os.Remove(path)
		}
	}
	return out, nil
}

// killWaitProcess bounds the wait for a killed process to go.
const killWaitProcess = 10 * time.Second

// checkTemp finds temporary directories whose writer is gone.
func (h *Host) checkTemp(_ context.Context, o CheckOptions) ([]Finding, error) {
	dead, err := storage.DeadTemp(h.Store.GraphRoot())
	var out []Finding
	for _, d := range dead {
		f := Finding{Kind: "temporary", ID: filepath.Base(d), Problem: "temporary files of a pod command that is gone", Action: "any pod command removes them"}
		repairWith(&f, o, "removed", func() error { return os.RemoveAll(d) })
		out = append(out, f)
	}
	return out, err
}

// checkVolumes finds volumes whose metadata cannot be read; repair
// writes it anew from what is known (the name; the data is kept).
func (h *Host) checkVolumes(_ context.Context, o CheckOptions) ([]Finding, error) {
	vs := volumes.New(h.Store.GraphRoot())
	damaged, err := vs.Damaged()
	var out []Finding
	for _, d := range damaged {
		f := Finding{Kind: "volume", ID: d.Name, Problem: "damaged metadata: " + d.Err.Error(), Action: "pod system check --repair, or pod volume rm -f " + d.Name}
		repairWith(&f, o, "metadata written anew, data kept", func() error { return vs.RepairMeta(d.Name) })
		out = append(out, f)
	}
	return out, err
}

// checkLeases finds addresses held on user-defined networks by
// containers that no longer exist (a pod killed between giving an
// address and recording the container's removal) or on networks that
// were removed; repair gives them back.
func (h *Host) checkLeases(_ context.Context, o CheckOptions) ([]Finding, error) {
	holders, err := h.IPAM().Holders()
	if err != nil {
		return []Finding{{Kind: "network", ID: "ipam.json", Problem: err.Error(), Action: "remove the file with no container on a user-defined network running"}}, nil
	}
	nets, err := h.Networks().List()
	if err != nil {
		return []Finding{{Kind: "network", Problem: err.Error(), Action: "remove or repair the record named"}}, nil
	}
	byID := map[string]network.Network{}
	for _, n := range nets {
		byID[n.ID] = n
	}
	var out []Finding
	for netID, ids := range holders {
		n, ok := byID[netID]
		if !ok {
			n = network.Network{ID: netID}
			f := Finding{Kind: "network", ID: container.ShortID(netID), Problem: "addresses held on a network that was removed", Action: "pod system check --repair gives them back"}
			repairWith(&f, o, "addresses given back", func() error { return h.IPAM().Forget(n) })
			out = append(out, f)
			continue
		}
		for _, id := range ids {
			if _, err := container.Load(h.Store, id); !errors.Is(err, container.ErrNoSuchContainer) {
				continue
			}
			f := Finding{Kind: "network", ID: n.Name, Problem: "an address held by container " + container.ShortID(id) + ", which no longer exists", Action: "pod system check --repair gives it back"}
			repairWith(&f, o, "address given back", func() error { return h.IPAM().Release(n, id) })
			out = append(out, f)
		}
	}
	return out, nil
}
