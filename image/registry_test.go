package image

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/types"
)

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "localhost:5000": true, "127.0.0.1:5000": true, "127.1.2.3": true,
		"[::1]:5000": true, "::1": true, "example.com": false, "10.0.0.1:5000": false,
		"docker.io": false, "": false, "localhost.example.com:5000": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestPlainHTTPLoopback(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	secure := httptest.NewUnstartedServer(http.NotFoundHandler())
	secure.Config.ErrorLog = log.New(io.Discard, "", 0)
	secure.StartTLS()
	defer secure.Close()
	ctx := context.Background()
	if !plainHTTPLoopback(ctx, strings.TrimPrefix(plain.URL, "http://")) {
		t.Error("a plain HTTP loopback server was not detected")
	}
	if plainHTTPLoopback(ctx, strings.TrimPrefix(secure.URL, "https://")) {
		t.Error("a TLS loopback server was taken for plain HTTP")
	}
	if plainHTTPLoopback(ctx, "example.invalid:80") {
		t.Error("a non-loopback host was probed")
	}
}

func TestSystemContextTLS(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	host := strings.TrimPrefix(plain.URL, "http://")
	f, tr := false, true
	for _, c := range []struct {
		name string
		o    RegistryOptions
		host string
		want types.OptionalBool
	}{
		{"plain loopback", RegistryOptions{}, host, types.OptionalBoolTrue},
		{"remote", RegistryOptions{}, "example.com", types.OptionalBoolUndefined},
		{"verify forced", RegistryOptions{TLSVerify: &tr}, host, types.OptionalBoolFalse},
		{"verify off", RegistryOptions{TLSVerify: &f}, "example.com", types.OptionalBoolTrue},
	} {
		sys, err := c.o.systemContext(context.Background(), nil, c.host)
		if err != nil {
			t.Fatal(err)
		}
		if sys.DockerInsecureSkipTLSVerify != c.want {
			t.Errorf("%s: DockerInsecureSkipTLSVerify = %v, want %v", c.name, sys.DockerInsecureSkipTLSVerify, c.want)
		}
	}
}

func TestSystemContextCredsPlatform(t *testing.T) {
	sys, err := RegistryOptions{Creds: "u:p:q", Platform: "linux/arm64/v8"}.systemContext(context.Background(), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if sys.DockerAuthConfig.Username != "u" || sys.DockerAuthConfig.Password != "p:q" {
		t.Errorf("creds: %+v", sys.DockerAuthConfig)
	}
	if sys.OSChoice != "linux" || sys.ArchitectureChoice != "arm64" || sys.VariantChoice != "v8" {
		t.Errorf("platform: %s/%s/%s", sys.OSChoice, sys.ArchitectureChoice, sys.VariantChoice)
	}
	for _, o := range []RegistryOptions{{Creds: ":p"}, {Platform: "linux"}, {Platform: "a/b/c/d"}, {Platform: "/amd64"}} {
		if _, err := o.systemContext(context.Background(), nil, ""); err == nil {
			t.Errorf("%+v: want an error", o)
		}
	}
}

func writeConf(t *testing.T, content string) *types.SystemContext {
	t.Helper()
	p := filepath.Join(t.TempDir(), "registries.conf")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return &types.SystemContext{SystemRegistriesConfPath: p, SystemRegistriesConfDirPath: filepath.Join(t.TempDir(), "none")}
}

func TestPullCandidates(t *testing.T) {
	none := writeConf(t, "")
	usr := writeConf(t, "unqualified-search-registries = [\"quay.io\", \"localhost:5000\"]\n[aliases]\n\"app\" = \"example.com/team/app\"\n")
	for _, c := range []struct {
		sys  *types.SystemContext
		in   string
		want string
	}{
		{none, "alpine", "docker.io/library/alpine:latest"},
		{none, "alpine:3", "docker.io/library/alpine:3"},
		{none, "team/app", "docker.io/team/app:latest"},
		{none, "localhost:5000/app", "localhost:5000/app:latest"},
		{usr, "localhost:5000/app@sha256:" + strings.Repeat("a", 64), "localhost:5000/app@sha256:" + strings.Repeat("a", 64)},
		{usr, "alpine", "quay.io/alpine:latest,localhost:5000/alpine:latest"},
		{usr, "app:2", "example.com/team/app:2"},
		{usr, "docker.io/library/alpine", "docker.io/library/alpine:latest"},
	} {
		got, err := pullCandidates(c.sys, c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		var s []string
		for _, n := range got {
			s = append(s, n.String())
		}
		if strings.Join(s, ",") != c.want {
			t.Errorf("%s: %v, want %s", c.in, s, c.want)
		}
	}
	for _, bad := range []string{"UPPER", "a::b", "docker://x/y", ""} {
		if _, err := pullCandidates(none, bad); !errors.Is(err, ErrBadReference) {
			t.Errorf("%q: %v, want ErrBadReference", bad, err)
		}
	}
}

func TestSplitShort(t *testing.T) {
	for in, want := range map[string]string{
		"alpine": "alpine|", "alpine:3": "alpine|:3", "a/b@sha256:x": "a/b|@sha256:x", "a/b:1@sha256:x": "a/b|:1@sha256:x",
	} {
		r, s := splitShort(in)
		if r+"|"+s != want {
			t.Errorf("splitShort(%q) = %q, %q", in, r, s)
		}
	}
}

func TestParsePullPolicy(t *testing.T) {
	for in, want := range map[string]PullPolicy{
		"": PullMissing, "missing": PullMissing, "always": PullAlways, "never": PullNever,
		"newer": PullNewer, "true": PullAlways, "false": PullNever,
	} {
		if got, err := ParsePullPolicy(in); err != nil || got != want {
			t.Errorf("%q: %v, %v", in, got, err)
		}
	}
	if _, err := ParsePullPolicy("sometimes"); err == nil {
		t.Error("sometimes: want an error")
	}
}

func TestTransient(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("x: %w", syscall.ECONNRESET), true},
		{fmt.Errorf("x: %w", io.ErrUnexpectedEOF), true},
		{docker.ErrTooManyRequests, true},
		{docker.ErrUnauthorizedForCredentials{Err: errors.New("no")}, false},
		{context.Canceled, false},
		{errors.New("manifest unknown"), false},
	} {
		if got := transient(c.err); got != c.want {
			t.Errorf("transient(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestRetry(t *testing.T) {
	n := 0
	err := retry(context.Background(), 2, time.Millisecond, func() error {
		n++
		return syscall.ECONNRESET
	})
	if err == nil || n != 3 {
		t.Errorf("transient: %d tries, %v; want 3 and an error", n, err)
	}
	n = 0
	_ = retry(context.Background(), 2, time.Millisecond, func() error { n++; return errors.New("permanent") })
	if n != 1 {
		t.Errorf("permanent: %d tries, want 1", n)
	}
}

func TestRegistryKey(t *testing.T) {
	for in, want := range map[string]string{
		"": "docker.io", "docker.io": "docker.io", "index.docker.io": "docker.io", "https://index.docker.io/v1/": "docker.io",
		"localhost:5000": "localhost:5000", "https://quay.io/": "quay.io", "quay.io/team": "quay.io/team",
	} {
		if got, err := RegistryKey(in); err != nil || got != want {
			t.Errorf("RegistryKey(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := RegistryKey("a b"); err == nil {
		t.Error("want an error for a space")
	}
}

func TestParseDestination(t *testing.T) {
	for in, want := range map[string]string{
		"demo:1":                        "docker|docker.io",
		"docker://localhost:5000/x:2":   "docker|localhost:5000",
		"localhost:5000/team/x":         "docker|localhost:5000",
		"oci-archive:/tmp/x.tar":        "oci-archive|",
		"docker-archive:/tmp/x.tar:a:1": "docker-archive|",
		"oci:/tmp/layout:tag":           "oci|",
		"dir:/tmp/d":                    "dir|",
	} {
		ref, host, err := ParseDestination(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := ref.Transport().Name() + "|" + host; got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"ftp://x/y", "nosuch:/x", "UPPER:1", "docker://"} {
		if _, _, err := ParseDestination(bad); !errors.Is(err, ErrBadReference) {
			t.Errorf("%q: %v, want ErrBadReference", bad, err)
		}
	}
}

func TestManifestType(t *testing.T) {
	for in, want := range map[string]string{"": "", "oci": "application/vnd.oci.image.manifest.v1+json",
		"v2s2": "application/vnd.docker.distribution.manifest.v2+json"} {
		if got, err := manifestType(in); err != nil || got != want {
			t.Errorf("%q: %q, %v", in, got, err)
		}
	}
	if _, err := manifestType("v1"); err == nil {
		t.Error("v1: want an error")
	}
}

func TestPruneFilters(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f, err := parsePruneFilters([]string{"until=24h", "label=a=b", "label!=c"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !f.until.Equal(now.Add(-24*time.Hour)) || len(f.labels) != 1 || len(f.nolabels) != 1 {
		t.Errorf("%+v", f)
	}
	for _, bad := range []string{"until=soon", "colour=red", "label"} {
		if _, err := parsePruneFilters([]string{bad}, now); !errors.Is(err, ErrBadFilter) {
			t.Errorf("%q: %v, want ErrBadFilter", bad, err)
		}
	}
}

func TestProgressPlain(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, ch: make(chan types.ProgressProperties), done: make(chan struct{})}
	go p.run()
	blob := types.BlobInfo{Digest: digest.Digest("sha256:" + strings.Repeat("ab", 32)), Size: 2048, MediaType: "application/vnd.oci.image.layer.v1.tar+gzip"}
	cfg := types.BlobInfo{Digest: digest.Digest("sha256:" + strings.Repeat("cd", 32)), MediaType: "application/vnd.oci.image.config.v1+json"}
	dockerCfg := types.BlobInfo{Digest: digest.Digest("sha256:" + strings.Repeat("ef", 32)), MediaType: "application/vnd.docker.container.image.v1+json"}
	p.ch <- types.ProgressProperties{Event: types.ProgressEventNewArtifact, Artifact: blob}
	p.ch <- types.ProgressProperties{Event: types.ProgressEventRead, Artifact: blob, Offset: 1024, OffsetUpdate: 1024}
	p.ch <- types.ProgressProperties{Event: types.ProgressEventDone, Artifact: blob, Offset: 2048}
	p.ch <- types.ProgressProperties{Event: types.ProgressEventSkipped, Artifact: cfg}
	p.copied(dockerCfg, 900)
	p.finish(true)
	want := "Copying blob abababababab done (2.05kB)\nCopying config cdcdcdcdcdcd skipped: already exists\n" +
		"Copying config efefefefefef done (900B)\nWriting manifest to image destination\n"
	if buf.String() != want {
		t.Errorf("plain progress:\n%q\nwant\n%q", buf.String(), want)
	}
}

func TestArchiveKind(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, files map[string]string) string {
		p := filepath.Join(dir, name)
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for n, c := range files {
			_ = tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg})
			_, _ = tw.Write([]byte(c))
		}
		_ = tw.Close()
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	docker := mk("d.tar", map[string]string{"manifest.json": "[]"})
	oci := mk("o.tar", map[string]string{"oci-layout": "{}", "index.json": `{"schemaVersion":2,"manifests":[]}`})
	rootfs := mk("r.tar", map[string]string{"etc/passwd": "root"})
	if k, _, err := archiveKind(docker); err != nil || k != FormatDockerArchive {
		t.Errorf("docker: %q, %v", k, err)
	}
	if k, idx, err := archiveKind(oci); err != nil || k != FormatOCIArchive || idx == nil {
		t.Errorf("oci: %q, %v", k, err)
	}
	if _, _, err := archiveKind(rootfs); !errors.Is(err, ErrBadArchive) {
		t.Errorf("rootfs tar: %v, want ErrBadArchive", err)
	}
	text := filepath.Join(dir, "t")
	_ = os.WriteFile(text, []byte("not a tar at all, just some text that is long enough"), 0o644)
	if _, _, err := archiveKind(text); !errors.Is(err, ErrBadArchive) {
		t.Errorf("text: %v, want ErrBadArchive", err)
	}
}
