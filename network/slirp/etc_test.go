package slirp

import (
	"strings"
	"testing"
)

func TestHosts(t *testing.T) {
	got := Hosts(HostsOptions{Hostname: "h1", Name: "web", Domainname: "example.org", Address: "10.0.2.100",
		ExtraHosts: []string{"db:10.0.2.9", "v6=::1"}, HostGateway: "10.0.2.2"})
	want := "10.0.2.9\tdb\n::1\tv6\n" +
		"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"10.0.2.2\thost.containers.internal host.docker.internal\n" +
		"10.0.2.100\th1.example.org h1 web\n"
	if got != want {
		t.Errorf("Hosts:\n%s\nwant:\n%s", got, want)
	}
	got = Hosts(HostsOptions{Hostname: "abc", Name: "abc"})
	want = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tabc\n"
	if got != want {
		t.Errorf("Hosts without network:\n%s\nwant:\n%s", got, want)
	}
}

func TestExtraHosts(t *testing.T) {
	if err := ParseExtraHosts([]string{"db:10.0.2.9", "gw:host-gateway", "v6:fe80::1"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"db", ":1.2.3.4", "db:notanip"} {
		if err := ParseExtraHosts([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	got := ResolveExtraHosts([]string{"gw:host-gateway", "db:10.0.2.9"}, "10.0.2.2")
	if len(got) != 2 || got[0] != "gw:10.0.2.2" || got[1] != "db:10.0.2.9" {
		t.Errorf("ResolveExtraHosts: %v", got)
	}
}

func TestResolvConf(t *testing.T) {
	host := []byte("# generated\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nnameserver ::1\nsearch corp.example\noptions edns0\n")
	tests := []struct {
		name string
		o    ResolvOptions
		want string
	}{
		{"loopback replaced by the forwarder once", ResolvOptions{Forwarder: "10.0.2.3"},
			"search corp.example\nnameserver 10.0.2.3\nnameserver 192.0.2.53\noptions edns0\n"},
		{"loopback dropped without a forwarder", ResolvOptions{},
			"search corp.example\nnameserver 192.0.2.53\noptions edns0\n"},
		{"flags win", ResolvOptions{Forwarder: "10.0.2.3", DNS: []string{"1.1.1.1"}, Search: []string{"a.example", "b.example"}, Options: []string{"ndots:2"}},
			"search a.example b.example\nnameserver 1.1.1.1\noptions ndots:2\n"},
		{"search cleared", ResolvOptions{Search: []string{"."}},
			"nameserver 192.0.2.53\noptions edns0\n"},
	}
	for _, tt := range tests {
		if got := string(ResolvConf(host, tt.o)); got != tt.want {
			t.Errorf("%s:\n%s\nwant:\n%s", tt.name, got, tt.want)
		}
	}
	if got := string(ResolvConf([]byte("nameserver 127.0.0.1\n"), ResolvOptions{Forwarder: "10.0.2.3"})); got != "nameserver 10.0.2.3\n" {
		t.Errorf("only loopback: %q", got)
	}
}

func TestExtraHostsRefusesWhatBreaksALine(t *testing.T) {
	for _, bad := range []string{"evil\n1.2.3.4 x:10.0.0.1", "a b:10.0.0.1", "db:10.0.0.1\n", "db:10.0.0.1 other", "#x:10.0.0.1", "db:[::1"} {
		err := ParseExtraHosts([]string{bad})
		if err == nil || !strings.Contains(err.Error(), "--add-host") || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseExtraHosts(%q) = %v, want one line naming --add-host", bad, err)
		}
	}
	if err := ParseExtraHosts([]string{"db=10.0.0.1", "v6:[::1]", "my-db.example.org:fe80::1"}); err != nil {
		t.Fatal(err)
	}
}

func TestParseDNS(t *testing.T) {
	got, err := ParseDNS([]string{"1.1.1.1", "2001:DB8::1"})
	if err != nil || strings.Join(got, ",") != "1.1.1.1,2001:db8::1" {
		t.Fatalf("ParseDNS = %v, %v", got, err)
	}
	for _, bad := range []string{"evil\nnameserver 1.2.3.4", "1.2.3.4\n", "dns.example", "", " 1.2.3.4"} {
		if _, err := ParseDNS([]string{bad}); err == nil || !strings.Contains(err.Error(), "invalid --dns") || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseDNS(%q) = %v, want refused in one line", bad, err)
		}
	}
	if got, err := ParseDNS(nil); got != nil || err != nil {
		t.Errorf("ParseDNS(nil) = %v, %v", got, err)
	}
}

func TestParseDNSSearch(t *testing.T) {
	good := []string{".", "example.org", "example.org.", "a-b.c1", "x"}
	if got, err := ParseDNSSearch(good); err != nil || strings.Join(got, ",") != strings.Join(good, ",") {
		t.Fatalf("ParseDNSSearch = %v, %v", got, err)
	}
	for _, bad := range []string{"evil\nnameserver 1.2.3.4", "a b", "-x.org", "x-.org", "a..b", "123", "", strings.Repeat("a", 255), "ex_ample.org"} {
		if _, err := ParseDNSSearch([]string{bad}); err == nil || !strings.Contains(err.Error(), "invalid --dns-search") {
			t.Errorf("ParseDNSSearch(%.20q) = %v, want refused", bad, err)
		}
	}
}

func TestParseDNSOptions(t *testing.T) {
	if _, err := ParseDNSOptions([]string{"ndots:2", "rotate", "edns0"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "ndots:2 rotate", "x\nnameserver 1.2.3.4", "a\tb"} {
		if _, err := ParseDNSOptions([]string{bad}); err == nil || !strings.Contains(err.Error(), "invalid --dns-option") {
			t.Errorf("ParseDNSOptions(%q) = %v, want refused", bad, err)
		}
	}
}

func TestWritersLeaveOutWhatIsNotOneWord(t *testing.T) {
	got := string(ResolvConf(nil, ResolvOptions{DNS: []string{"1.1.1.1", "x\nnameserver 6.6.6.6"}, Search: []string{"a b"}, Options: []string{"ndots:1\nnameserver 6.6.6.6"}}))
	if got != "nameserver 1.1.1.1\n" {
		t.Errorf("ResolvConf = %q", got)
	}
	hosts := Hosts(HostsOptions{Hostname: "h\n6.6.6.6 evil", Name: "web", ExtraHosts: []string{"x y:1.2.3.4", "ok:1.2.3.5"}})
	want := "1.2.3.5\tok\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tweb\n"
	if hosts != want {
		t.Errorf("Hosts = %q, want %q", hosts, want)
	}
}
