package container

import (
	"reflect"
	"testing"
)

func TestPortViews(t *testing.T) {
	ports := []PortMapping{
		{HostIP: "127.0.0.1", HostPort: 8081, ContainerPort: 81, Protocol: "tcp"},
		{HostPort: 5353, ContainerPort: 53, Protocol: "udp"},
		{HostIP: "::1", HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
	}
	if got, want := FormatPorts(ports), "127.0.0.1:8081->81/tcp, 0.0.0.0:5353->53/udp, ::1:8080->80/tcp"; got != want {
		t.Errorf("FormatPorts: %q, want %q", got, want)
	}
	got, err := PortLines("web", ports, "")
	want := []string{"53/udp -> 0.0.0.0:5353", "80/tcp -> [::1]:8080", "81/tcp -> 127.0.0.1:8081"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("PortLines: %q %v, want %q", got, err, want)
	}
	for filter, want := range map[string][]string{"81": {"127.0.0.1:8081"}, "53/udp": {"0.0.0.0:5353"}, "80/tcp": {"[::1]:8080"}} {
		if got, err := PortLines("web", ports, filter); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("PortLines %s: %q %v, want %q", filter, got, err, want)
		}
	}
	// "53" means 53/tcp, which is not published.
	if _, err := PortLines("web", ports, "53"); err == nil {
		t.Error("PortLines 53: no error")
	}
	pm := PortMap(ports)
	if b := pm["81/tcp"]; len(b) != 1 || b[0] != (InspectPortBinding{HostIP: "127.0.0.1", HostPort: "8081"}) {
		t.Errorf("PortMap: %+v", pm)
	}
}
