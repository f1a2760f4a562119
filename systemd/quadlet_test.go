package systemd

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// quadletHome is where the golden tests pretend the Quadlet files are.
const quadletHome = "/home/user/.config/pod/systemd"

// loadTestdata parses testdata/quadlet/*.{container,volume,image} as if
// they were in quadletHome.
func loadTestdata(t *testing.T) []*Unit {
	t.Helper()
	var units []*Unit
	entries, err := os.ReadDir("testdata/quadlet")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := quadletExts[filepath.Ext(e.Name())]; !ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata/quadlet", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		u, err := ParseUnit(filepath.Join(quadletHome, e.Name()), b)
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, u)
	}
	return units
}

func TestQuadletGolden(t *testing.T) {
	units, errs := ConvertQuadlets(loadTestdata(t), QuadletOptions{Pod: testPod, User: true})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	var names []string
	for _, g := range units {
		names = append(names, g.Name)
		golden(t, filepath.Join("quadlet", g.Name), g.Unit.String())
	}
	want := []string{"base-image.service", "job.service", "web-data-volume.service", "web.service", "worker.service"}
	if !slices.Equal(names, want) {
		t.Errorf("units %v, want %v", names, want)
	}
}

// TestQuadletSystemUnit: a system unit waits for the network to be online
// (a user's manager has no network-online.target).
func TestQuadletSystemUnit(t *testing.T) {
	u := mustParse(t, "/etc/pod/systemd/a.container", "[Container]\nImage=x\n")
	units, errs := ConvertQuadlets([]*Unit{u}, QuadletOptions{Pod: testPod})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	text := units[0].Unit.String()
	if !strings.Contains(text, "[Unit]\nWants=network-online.target\nAfter=network-online.target\n") {
		t.Errorf("no network-online.target dependency:\n%s", text)
	}
}

func mustParse(t *testing.T, path, text string) *Unit {
	t.Helper()
	u, err := ParseUnit(path, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// convertOne converts a .container holding [Container] lines and returns
// its ExecStart, or the error.
func convertOne(t *testing.T, lines string, o QuadletOptions, others ...*Unit) (*Unit, error) {
	t.Helper()
	u := mustParse(t, quadletHome+"/t.container", "[Container]\n"+lines)
	o.Pod, o.User = testPod, true
	units, errs := ConvertQuadlets(append([]*Unit{u}, others...), o)
	for _, err := range errs {
		var se *SourceError
		if errors.As(err, &se) && se.Path == u.Path {
			return nil, err
		}
	}
	if len(errs) > 0 {
		t.Fatalf("other files failed: %v", errs)
	}
	for _, g := range units {
		if g.Source == u.Path {
			return g.Unit, nil
		}
	}
	t.Fatal("no unit")
	return nil, nil
}

// runFlags is what a key adds to pod run: ExecStart's words between the
// fixed ones and the image.
func runFlags(t *testing.T, svc *Unit) []string {
	t.Helper()
	e, ok := svc.Last("Service", "ExecStart")
	if !ok {
		t.Fatal("no ExecStart")
	}
	w, err := Words(e.Value)
	if err != nil {
		t.Fatal(err)
	}
	fixed := []string{testPod, "run", "--name", "systemd-%N", "--replace", "--rm", "--cgroups=split", "--sdnotify=conmon", "-d"}
	if !slices.Equal(w[:len(fixed)], fixed) {
		t.Fatalf("ExecStart starts %q, want %q", w, fixed)
	}
	if w[len(w)-1] != "img" {
		t.Fatalf("ExecStart %q does not end with the image", w)
	}
	return w[len(fixed) : len(w)-1]
}

// noFlags is a pod whose run lacks --tz, --annotation and --secret.
var noFlags = QuadletOptions{HasFlag: func(cmd, flag string) bool { return flag != "tz" && flag != "annotation" && flag != "secret" }}

// keyCase is [Container] lines and the flags of pod run they give
// (between the fixed ones and the image).
type keyCase struct {
	lines string
	want  []string
}

var containerKeyCases = []keyCase{
	{"HostName=web1", []string{"--hostname", "web1"}},
	{"User=1000", []string{"--user", "1000"}},
	{"User=1000\nGroup=100", []string{"--user", "1000:100"}},
	{"WorkingDir=/srv", []string{"--workdir", "/srv"}},
	{"WorkingDir=%h", []string{"--workdir", "%h"}},
	{"Entrypoint=/init", []string{"--entrypoint=/init"}},
	{`Entrypoint=["/init"]`, []string{"--entrypoint=/init"}},
	{"Entrypoint=", []string{"--entrypoint="}},
	{"Environment=A=1 \"B=two words\"\nEnvironment=A=3", []string{"--env", "A=3", "--env", "B=two words"}},
	{"Environment=PATH_ONLY", []string{"--env", "PATH_ONLY"}},
	{"EnvironmentFile=/etc/app.env\nEnvironmentFile=local.env", []string{"--env-file", "/etc/app.env", "--env-file", quadletHome + "/local.env"}},
	{"EnvironmentFile=%h/app.env", []string{"--env-file", "%h/app.env"}},
	{"EnvironmentHost=true", []string{"--env-host"}},
	{"Label=a=b c=d", []string{"--label", "a=b", "--label", "c=d"}},
	{"AutoUpdate=registry", []string{"--label", "io.containers.autoupdate=registry"}},
	{"AutoUpdate=local", []string{"--label", "io.containers.autoupdate=local"}},
	{"Annotation=k=v", []string{"--annotation", "k=v"}},
	{"PublishPort=8080:80\nPublishPort=127.0.0.1:53:53/udp", []string{"--publish", "8080:80", "--publish", "127.0.0.1:53:53/udp"}},
	{"ExposeHostPort=9000-9001", []string{"--expose", "9000-9001"}},
	{"Network=host", []string{"--network", "host"}},
	{"Network=pasta:-T,8080", []string{"--network", "pasta:-T,8080"}},
	{"Network=o.container", []string{"--network", "container:other"}},
	{"Network=lan.network", []string{"--network", "systemd-lan"}},
	{"Network=lan.network:ip=10.0.0.5", []string{"--network", "systemd-lan:ip=10.0.0.5"}},
	{"Network=lan.network\nNetwork=pod", []string{"--network", "systemd-lan", "--network", "pod"}},
	{"Network=appnet:alias=web", []string{"--network", "appnet:alias=web"}},
	{"DNS=192.0.2.1", []string{"--dns", "192.0.2.1"}},
	{"DNSSearch=example.com", []string{"--dns-search", "example.com"}},
	{"DNSOption=ndots:2", []string{"--dns-option", "ndots:2"}},
	{"AddHost=db:192.0.2.2", []string{"--add-host", "db:192.0.2.2"}},
	{"Volume=/srv/data:/data:ro", []string{"-v", "/srv/data:/data:ro"}},
	{"Volume=named:/data", []string{"-v", "named:/data"}},
	{"Volume=/scratch", []string{"-v", "/scratch"}},
	{"Volume=/scratch:U", []string{"-v", "/scratch:U"}},
	{"Volume=./rel:/rel", []string{"-v", quadletHome + "/rel:/rel"}},
	{"Volume=v.volume:/v", []string{"-v", "systemd-v:/v"}},
	{"Mount=type=bind,source=/srv,destination=/srv,ro", []string{"--mount", "type=bind,source=/srv,destination=/srv,ro"}},
	{"Mount=type=volume,src=v.volume,dst=/v", []string{"--mount", "type=volume,src=systemd-v,dst=/v"}},
	{"Tmpfs=/run:size=64m", []string{"--tmpfs", "/run:size=64m"}},
	{"ReadOnly=true", []string{"--read-only"}},
	{"ReadOnly=false", []string{"--read-only=false"}},
	{"NoNewPrivileges=yes", []string{"--security-opt", "no-new-privileges"}},
	{"NoNewPrivileges=no", nil},
	{"SecurityLabelDisable=true", []string{"--security-opt", "label=disable"}},
	{"SeccompProfile=unconfined", []string{"--security-opt", "seccomp=unconfined"}},
	{"DropCapability=ALL", []string{"--cap-drop", "all"}},
	{"AddCapability=CAP_NET_ADMIN NET_RAW", []string{"--cap-add", "cap_net_admin", "--cap-add", "net_raw"}},
	{"UserNS=keep-id", []string{"--userns", "keep-id"}},
	{"RunInit=true", []string{"--init"}},
	{"Timezone=local", []string{"--tz", "local"}},
	{"Secret=token,type=env", []string{"--secret", "token,type=env"}},
	{"HealthCmd=/bin/check --quick", []string{"--health-cmd", "/bin/check --quick"}},
	{"HealthInterval=1m30s", []string{"--health-interval", "1m30s"}},
	{"HealthTimeout=5s", []string{"--health-timeout", "5s"}},
	{"HealthStartPeriod=10s", []string{"--health-start-period", "10s"}},
	{"HealthRetries=5", []string{"--health-retries", "5"}},
	{"HealthOnFailure=restart", []string{"--health-on-failure", "restart"}},
	{"LogDriver=k8s-file", []string{"--log-driver", "k8s-file"}},
	{"LogDriver=journald", []string{"--log-driver", "journald"}},
	{"LogOpt=max-size=1m", []string{"--log-opt", "max-size=1m"}},
	{"StopSignal=SIGINT", []string{"--stop-signal", "SIGINT"}},
	{"StopTimeout=30", []string{"--stop-timeout", "30"}},
	{"Pull=newer", []string{"--pull", "newer"}},
	{"Retry=5\nRetryDelay=2s", []string{"--retry", "5", "--retry-delay", "2s"}},
	{"PodmanArgs=--privileged \"--label=x=a b\"", []string{"--privileged", "--label=x=a b"}},
	{"IP=10.88.0.5", []string{"--ip", "10.88.0.5"}},
	{"IP6=fd00::5", []string{"--ip6", "fd00::5"}},
	{"NetworkAlias=web", []string{"--network-alias", "web"}},
	{"ReadOnlyTmpfs=false", []string{"--read-only-tmpfs=false"}},
	{"SecurityLabelNested=true", []string{"--security-opt", "label=nested"}},
	{"SecurityLabelType=spc_t", []string{"--security-opt", "label=type:spc_t"}},
	{"SecurityLabelFileType=usr_t", []string{"--security-opt", "label=filetype:usr_t"}},
	{"SecurityLabelLevel=s0:c1,c2", []string{"--security-opt", "label=level:s0:c1,c2"}},
	{"AppArmor=unconfined", []string{"--security-opt", "apparmor=unconfined"}},
	{"AddDevice=/dev/fuse", []string{"--device", "/dev/fuse"}},
	{"GroupAdd=keep-groups", []string{"--group-add", "keep-groups"}},
	{"UIDMap=0:10000:10\nGIDMap=0:20000:10", []string{"--uidmap", "0:10000:10", "--gidmap", "0:20000:10"}},
	{"SubUIDMap=u\nSubGIDMap=g", []string{"--subuidname", "u", "--subgidname", "g"}},
	{"HealthStartupCmd=/ready\nHealthStartupInterval=1s\nHealthStartupRetries=3\nHealthStartupSuccess=1\nHealthStartupTimeout=2s",
		[]string{"--health-startup-cmd", "/ready", "--health-startup-interval", "1s", "--health-startup-retries", "3", "--health-startup-success", "1", "--health-startup-timeout", "2s"}},
	{"HealthLogDestination=local\nHealthMaxLogCount=5\nHealthMaxLogSize=500",
		[]string{"--health-log-destination", "local", "--health-max-log-count", "5", "--health-max-log-size", "500"}},
	{"Memory=1g\nPidsLimit=100\nShmSize=64m", []string{"--memory", "1g", "--pids-limit", "100", "--shm-size", "64m"}},
	{"Sysctl=net.ipv4.ip_forward=1 kernel.msgmax=1", []string{"--sysctl", "net.ipv4.ip_forward=1", "--sysctl", "kernel.msgmax=1"}},
	{"Ulimit=nofile=1000:2000", []string{"--ulimit", "nofile=1000:2000"}},
	{"HttpProxy=false", []string{"--http-proxy=false"}},
}

// serviceCase is [Container] lines that shape the service, with text the
// unit must hold.
type serviceCase struct {
	name, lines string
	want        []string
}

var serviceCases = []serviceCase{
	{"notify", "Notify=true", []string{"--sdnotify=container -d img"}},
	{"healthy", "Notify=healthy", []string{"--sdnotify=healthy -d img"}},
	{"name", "ContainerName=web", []string{"run --name web ", "ExecStop=" + testPod + " rm -v -f -i web\n"}},
	{"exec", `Exec=sh -c "echo a b"`, []string{`img sh -c "echo a b"` + "\n"}},
	{"image unit", "Image=i.image", []string{"Requires=i-image.service\nAfter=i-image.service\n", " registry.example.com/i:1\n"}},
	{"global", "GlobalArgs=--log-level debug", []string{"ExecStart=" + testPod + " --log-level debug run ", "ExecStop=" + testPod + " --log-level debug rm "}},
	{"reload cmd", "ReloadCmd=/bin/reload now", []string{"ExecReload=" + testPod + " exec systemd-%N /bin/reload now\n"}},
	{"reload signal", "ReloadSignal=SIGHUP", []string{"ExecReload=" + testPod + " kill --signal SIGHUP systemd-%N\n"}},
	{"service name", "ServiceName=frontend", nil},
	{"cgroups", "CgroupsMode=no-conmon", []string{"--rm --cgroups no-conmon --sdnotify"}},
	{"rootfs", "Rootfs=/srv/root", []string{" -d --rootfs /srv/root\n"}},
	{"group", "User=1\nGroup=2", []string{"--user 1:2"}},
}

// errorCase is [Container] lines that fail the unit, with the error.
type errorCase struct {
	lines string
	o     QuadletOptions
	want  string
}

var errorCases = []errorCase{
	{"Image=x\nBogus=1", QuadletOptions{}, "t.container:3: Bogus=: unknown key in [Container]"},
	{"Image=x\nPublishPort=99999:80", QuadletOptions{}, "t.container:3: PublishPort=: invalid port"},
	{"Image=x\nVolume=/a:relative", QuadletOptions{}, "t.container:3: Volume=:"},
	{"Image=x\nHealthInterval=often", QuadletOptions{}, "t.container:3: HealthInterval=: \"often\" is not a duration"},
	{"Image=x\nHealthOnFailure=explode", QuadletOptions{}, "t.container:3: HealthOnFailure=:"},
	{"Image=x\nReadOnly=maybe", QuadletOptions{}, "t.container:3: ReadOnly=: \"maybe\" is not a boolean"},
	{"Image=x\nNotify=sometimes", QuadletOptions{}, "t.container:3: Notify=:"},
	{"Image=x\nDNS=not-an-ip", QuadletOptions{}, "t.container:3: DNS=:"},
	{"Image=x\nAddCapability=CAP_BOGUS", QuadletOptions{}, "t.container:3: AddCapability=: unknown capability"},
	{"Image=x\nLogDriver=syslog", QuadletOptions{}, "t.container:3: LogDriver=:"},
	{"Image=x\nPull=sometimes", QuadletOptions{}, "t.container:3: Pull=:"},
	{"Image=x\nStopSignal=SIGBOGUS", QuadletOptions{}, "t.container:3: StopSignal=:"},
	{"Image=x\nMask=/proc/x", QuadletOptions{}, "t.container:3: Mask=:"},
	{"Image=x\nUnmask=ALL", QuadletOptions{}, "t.container:3: Unmask=:"},
	{"Image=x\nEnvironment=\"A=b", QuadletOptions{}, "t.container:3: Environment=: unbalanced \" quote"},
	{"Image=x\nGroup=100", QuadletOptions{}, "t.container:3: Group=: Group= needs User="},
	{"Image=x\nEntrypoint=[\"/a\", \"b\"]", QuadletOptions{}, "t.container:3: Entrypoint=: pod's --entrypoint takes one command"},
	{"Image=x\nNetwork=host\nNetwork=none", QuadletOptions{}, "t.container:3: Network=: several Network= must all name networks"},
	{"Image=x\nNetwork=appnet\nNetwork=pasta", QuadletOptions{}, "t.container:4: Network=: several Network= must all name networks"},
	{"Image=x\nNetwork=lan.network", QuadletOptions{}, "t.container:3: Network=: lan.network: no such Quadlet file"},
	{"Image=x\nNetwork=container:", QuadletOptions{}, "t.container:3: Network=: --network container: needs a container name"},
	{"Image=x\nVolume=missing.volume:/m", QuadletOptions{}, "t.container:3: Volume=: missing.volume: no such Quadlet file"},
	{"Image=x\nTimezone=local", noFlags, "t.container:3: Timezone=: pod run has no --tz yet"},
	{"Image=x\nAnnotation=a=b", noFlags, "t.container:3: Annotation=: pod run has no --annotation yet"},
	{"Image=x\nSecret=token", noFlags, "t.container:3: Secret=: pod run has no --secret yet"},
	{"Image=x\nAutoUpdate=sometimes", QuadletOptions{}, "t.container:3: AutoUpdate=: \"sometimes\": use registry or local"},
	{"Image=x\nPod=p.pod", QuadletOptions{}, "t.container:3: Pod=: pod has no pods yet"},
	{"Exec=true", QuadletOptions{}, "t.container: [Container] needs Image="},
}

func TestQuadletContainerKeys(t *testing.T) {
	vol := mustParse(t, quadletHome+"/v.volume", "[Volume]\n")
	other := mustParse(t, quadletHome+"/o.container", "[Container]\nImage=x\nContainerName=other\n")
	lan := mustParse(t, quadletHome+"/lan.network", "[Network]\n")
	for _, tc := range containerKeyCases {
		t.Run(tc.lines, func(t *testing.T) {
			svc, err := convertOne(t, "Image=img\n"+tc.lines+"\n", QuadletOptions{}, vol, other, lan)
			if err != nil {
				t.Fatal(err)
			}
			if got := runFlags(t, svc); !slices.Equal(got, tc.want) {
				t.Errorf("flags %q, want %q", got, tc.want)
			}
		})
	}
}

// TestQuadletContainerService: the keys that shape the service rather
// than pod run's flags.
func TestQuadletContainerService(t *testing.T) {
	img := mustParse(t, quadletHome+"/i.image", "[Image]\nImage=registry.example.com/i:1\n")
	for _, tc := range serviceCases {
		t.Run(tc.name, func(t *testing.T) {
			lines := tc.lines + "\n"
			if !strings.HasPrefix(lines, "Image=") && !strings.HasPrefix(lines, "Rootfs=") {
				lines = "Image=img\n" + lines
			}
			svc, err := convertOne(t, lines, QuadletOptions{}, img)
			if err != nil {
				t.Fatal(err)
			}
			text := svc.String()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("unit lacks %q:\n%s", w, text)
				}
			}
		})
	}
	units, _ := ConvertQuadlets([]*Unit{mustParse(t, quadletHome+"/a.container", "[Container]\nImage=x\nServiceName=frontend\n")}, QuadletOptions{Pod: testPod})
	if len(units) != 1 || units[0].Name != "frontend.service" {
		t.Errorf("ServiceName=frontend made %v", units)
	}
}

// TestQuadletErrors: a key pod does not know, a value pod run would
// refuse and a key pod cannot honour fail the unit with the file, line
// and key; the other files still make their units.
func TestQuadletErrors(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.want, func(t *testing.T) {
			_, err := convertOne(t, tc.lines+"\n", tc.o)
			if err == nil || !strings.Contains(err.Error(), quadletHome+"/"+tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// The service section's own checks.
	for _, tc := range []struct{ text, want string }{
		{"[Container]\nImage=x\n[Service]\nKillMode=process\n", "t.container:4: KillMode=:"},
		{"[Container]\nImage=x\n[Service]\nType=forking\n", "t.container:4: Type=:"},
		{"[Container]\nImage=x\n[Quadlet]\nDefaultDependencies=perhaps\n", "t.container:4: DefaultDependencies=:"},
		{"[Container]\nImage=x\n[Quadlet]\nOther=1\n", "t.container:4: Other=: unknown key in [Quadlet]"},
		{"[Unit]\nAfter=nothere.container\n[Container]\nImage=x\n", "t.container:2: After=: nothere.container: no such Quadlet file"},
	} {
		u := mustParse(t, quadletHome+"/t.container", tc.text)
		_, errs := ConvertQuadlets([]*Unit{u}, QuadletOptions{Pod: testPod})
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
			t.Errorf("%q: errors %v, want one containing %q", tc.text, errs, tc.want)
		}
	}
}

// TestQuadletKeysTested: every supported [Container] key is given by one
// of the cases.
func TestQuadletKeysTested(t *testing.T) {
	tested := map[string]bool{}
	for _, lines := range slices.Concat(
		collect(containerKeyCases, func(c keyCase) string { return c.lines }),
		collect(serviceCases, func(c serviceCase) string { return c.lines }),
		collect(errorCases, func(c errorCase) string { return c.lines })) {
		for _, l := range strings.Split(lines, "\n") {
			k, _, _ := strings.Cut(l, "=")
			tested[k] = true
		}
	}
	for _, k := range containerKeys {
		if !tested[k.key] {
			t.Errorf("no test gives %s=", k.key)
		}
	}
}

// TestQuadletOtherFiles: one bad file, .network files and kinds pod does
// not handle make errors; the rest still make units.
func TestQuadletOtherFiles(t *testing.T) {
	units := []*Unit{
		mustParse(t, quadletHome+"/good.container", "[Container]\nImage=x\n"),
		mustParse(t, quadletHome+"/bad.container", "[Container]\nImage=x\nNope=1\n"),
		mustParse(t, quadletHome+"/lan.network", "[Network]\nDriver=macvlan\n"),
		mustParse(t, quadletHome+"/wan.network", "[Network]\nSubnet=10.0.0.0/33\n"),
		mustParse(t, quadletHome+"/app.kube", "[Kube]\nYaml=app.yaml\n"),
		mustParse(t, quadletHome+"/v.volume", "[Volume]\nCopy=false\n"),
		mustParse(t, quadletHome+"/d.volume", "[Volume]\nDriver=image\n"),
		mustParse(t, quadletHome+"/i.image", "[Image]\nArch=arm64\n"),
	}
	got, errs := ConvertQuadlets(units, QuadletOptions{Pod: testPod})
	if len(got) != 1 || got[0].Name != "good.service" {
		t.Errorf("units %v, want good.service alone", got)
	}
	want := []string{
		"app.kube: .kube files are not supported yet",
		"bad.container:3: Nope=: unknown key in [Container]",
		"d.volume:2: Driver=: pod has only the local volume driver",
		"i.image: [Image] needs Image=",
		"lan.network:2: Driver=: pod networks have only the bridge driver",
		"v.volume:2: Copy=: pod volumes have no nocopy option",
		"wan.network:2: Subnet=: \"10.0.0.0/33\" is not a subnet",
	}
	if len(errs) != len(want) {
		t.Fatalf("errors %v, want %d", errs, len(want))
	}
	for i, w := range want {
		if !strings.Contains(errs[i].Error(), quadletHome+"/"+w) {
			t.Errorf("error %d: %v, want %q", i, errs[i], w)
		}
	}
}

// TestLoadQuadlets: the first directory hides the same file name in the
// later ones; drop-ins are merged in name order; other files are skipped.
func TestLoadQuadlets(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	write := func(dir, name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(a, "web.container", "[Container]\nImage=first\n")
	write(b, "web.container", "[Container]\nImage=second\n")
	write(b, "db.container", "[Container]\nImage=db\n")
	write(a, "notes.txt", "not a unit")
	write(b, "web.container.d/20-port.conf", "[Container]\nPublishPort=80\n")
	write(a, "container.d/10-env.conf", "[Container]\nEnvironment=A=1\n")
	write(a, "container.d/20-port.conf", "[Container]\nPublishPort=81\n")
	units, errs := LoadQuadlets([]string{a, b, filepath.Join(a, "missing")})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := map[string]*Unit{}
	for _, u := range units {
		got[u.Name()] = u
	}
	if len(got) != 2 || got["web.container"] == nil || got["db.container"] == nil {
		t.Fatalf("loaded %v", got)
	}
	web := got["web.container"]
	if v := lastValue(web, "Container", "Image"); v != "first" {
		t.Errorf("Image=%s, want the first directory's", v)
	}
	if v := lastValue(web, "Container", "PublishPort"); v != "80" {
		t.Errorf("PublishPort=%s, want web.container.d's 20-port.conf over container.d's", v)
	}
	if v := lastValue(web, "Container", "Environment"); v != "A=1" {
		t.Errorf("Environment=%s, want container.d's", v)
	}
}

func TestQuadletDirs(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	dirs, err := QuadletDirs(true, env(map[string]string{"HOME": "/home/u"}))
	if err != nil {
		t.Fatal(err)
	}
	uid := strings.TrimPrefix(dirs[1], "/etc/pod/systemd/users/")
	want := []string{"/home/u/.config/pod/systemd", "/etc/pod/systemd/users/" + uid, "/etc/pod/systemd/users"}
	if !slices.Equal(dirs, want) || uid == "" {
		t.Errorf("user dirs %q, want %q", dirs, want)
	}
	dirs, _ = QuadletDirs(true, env(map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": "/cfg"}))
	if dirs[0] != "/cfg/pod/systemd" {
		t.Errorf("with XDG_CONFIG_HOME: %q", dirs)
	}
	dirs, _ = QuadletDirs(false, env(nil))
	if !slices.Equal(dirs, []string{"/etc/pod/systemd"}) {
		t.Errorf("system dirs %q", dirs)
	}
	dirs, _ = QuadletDirs(true, env(map[string]string{QuadletDirsEnv: "/a::/home/u/.config/containers/systemd"}))
	if !slices.Equal(dirs, []string{"/a", "/home/u/.config/containers/systemd"}) {
		t.Errorf("%s dirs %q", QuadletDirsEnv, dirs)
	}
}

// TestWriteUnits: units are written with the links [Install] asks for,
// as systemctl enable makes them.
func TestWriteUnits(t *testing.T) {
	units, errs := ConvertQuadlets([]*Unit{
		mustParse(t, quadletHome+"/web.container", "[Container]\nImage=x\n[Install]\nWantedBy=default.target multi-user.target\nRequiredBy=app.target\nAlias=www.service\n"),
		mustParse(t, quadletHome+"/tpl@.container", "[Container]\nImage=x\n[Install]\nWantedBy=default.target\nDefaultInstance=one\n"),
	}, QuadletOptions{Pod: testPod})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	dir := t.TempDir()
	if _, err := WriteUnits(dir, units); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"default.target.wants/web.service":     "../web.service",
		"multi-user.target.wants/web.service":  "../web.service",
		"app.target.requires/web.service":      "../web.service",
		"www.service":                          "web.service",
		"default.target.wants/tpl@one.service": "../tpl@.service",
	} {
		got, err := os.Readlink(filepath.Join(dir, link))
		if err != nil || got != target {
			t.Errorf("link %s -> %q (%v), want %s", link, got, err, target)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "tpl@.service")); err != nil {
		t.Error(err)
	}
}

func collect[T any](cases []T, f func(T) string) []string {
	var out []string
	for _, c := range cases {
		out = append(out, f(c))
	}
	return out
}

// TestQuadletNetwork: a .network file is a one-time pod network create
// that leaves an existing network alone, named systemd-BASE unless
// NetworkName= says; a container's Network= requires its service.
func TestQuadletNetwork(t *testing.T) {
	lan := mustParse(t, quadletHome+"/lan.network", "[Network]\nSubnet=10.90.0.0/24\nGateway=10.90.0.254\nIPRange=10.90.0.128/25\n"+
		"Internal=true\nDisableDNS=false\nIPv6=true\nLabel=team=web\nOptions=mtu=1400\nNetworkDeleteOnStop=true\n")
	named := mustParse(t, quadletHome+"/back.network", "[Network]\nNetworkName=backend\n")
	web := mustParse(t, quadletHome+"/web.container", "[Container]\nImage=x\nNetwork=lan.network\nNetwork=back.network:alias=api\n")
	units, errs := ConvertQuadlets([]*Unit{lan, named, web}, QuadletOptions{Pod: testPod, User: true})
	if len(errs) > 0 || len(units) != 3 {
		t.Fatalf("units %v, errors %v", units, errs)
	}
	text := map[string]string{}
	for _, u := range units {
		text[u.Name] = u.Unit.String()
	}
	for name, want := range map[string][]string{
		"lan-network.service": {
			"ExecStart=" + testPod + " network create --ignore --subnet 10.90.0.0/24 --gateway 10.90.0.254 --ip-range 10.90.0.128/25 --ipv6 --internal --label team=web --opt mtu=1400 systemd-lan\n",
			"ExecStopPost=" + testPod + " network rm --force systemd-lan\n",
			"Type=oneshot\n", "RemainAfterExit=yes\n",
		},
		"back-network.service": {"ExecStart=" + testPod + " network create --ignore backend\n"},
		"web.service": {
			"Requires=lan-network.service\nAfter=lan-network.service\n", "Requires=back-network.service\nAfter=back-network.service\n",
			" --network systemd-lan --network backend:alias=api ",
		},
	} {
		for _, w := range want {
			if !strings.Contains(text[name], w) {
				t.Errorf("%s lacks %q:\n%s", name, w, text[name])
			}
		}
	}
	if strings.Contains(text["lan-network.service"], "--disable-dns") {
		t.Errorf("DisableDNS=false gave --disable-dns:\n%s", text["lan-network.service"])
	}
}
