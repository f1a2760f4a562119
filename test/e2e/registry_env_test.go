package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// registry is a real distribution registry (Debian's docker-registry) on
// 127.0.0.1 with a random port, its storage in a temporary directory.
type registry struct {
	t    *testing.T
	addr string // 127.0.0.1:PORT
	dir  string
	// certDir holds ca.crt, for --cert-dir (TLS registries only).
	certDir        string
	user, password string
	cmd            *exec.Cmd
	config         string
}

type registryOpts struct {
	tls, auth bool
	// accessLog writes one line per request to registry.log in dir.
	accessLog bool
}

// startRegistry starts a registry and stops it when the test ends.
func startRegistry(t *testing.T, o registryOpts) *registry {
	t.Helper()
	if _, err := exec.LookPath("docker-registry"); err != nil {
		t.Fatal("docker-registry not found: install the docker-registry package (hack/deps.sh)")
	}
	dir, err := os.MkdirTemp(suite.base, "registry-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &registry{t: t, dir: dir, addr: freeAddr(t)}
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: %t\n"+
		"storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"+
		"http:\n  addr: %s\n", !o.accessLog, filepath.Join(dir, "data"), r.addr)
	if o.tls {
		r.certDir = filepath.Join(dir, "certs")
		cert, key := makeCerts(t, r.certDir)
		cfg += fmt.Sprintf("  tls:\n    certificate: %s\n    key: %s\n", cert, key)
	}
	if o.auth {
		r.user, r.password = "tester", "s3cret-pass"
		hash, err := bcrypt.GenerateFromPassword([]byte(r.password), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		htp := filepath.Join(dir, "htpasswd")
		writeFileT(t, htp, r.user+":"+string(hash)+"\n")
		cfg += fmt.Sprintf("auth:\n  htpasswd:\n    realm: pod-e2e\n    path: %s\n", htp)
	}
	r.config = filepath.Join(dir, "config.yml")
	writeFileT(t, r.config, cfg)
	r.start()
	t.Cleanup(func() {
		r.stop()
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "registry.log")); err == nil && len(b) > 0 {
				t.Logf("registry log:\n%s", b)
			}
		}
		_ = os.RemoveAll(dir)
	})
	return r
}

// start runs the registry and waits until it answers.
func (r *registry) start() {
	r.t.Helper()
	r.cmd = exec.Command("docker-registry", "serve", r.config)
	logf, err := os.OpenFile(filepath.Join(r.dir, "registry.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		r.t.Fatal(err)
	}
	defer logf.Close()
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("starting docker-registry: %v", err)
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // readiness probe only
	}}
	scheme := "http"
	if r.certDir != "" {
		scheme = "https"
	}
	if !eventually(10*time.Second, func() bool {
		resp, err := client.Get(scheme + "://" + r.addr + "/v2/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	}) {
		r.stop()
		r.t.Fatalf("docker-registry on %s did not answer within 10s", r.addr)
	}
}

// stop kills the registry (the storage stays, so start can resume it).
func (r *registry) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	_ = r.cmd.Wait()
	r.cmd = nil
}

// freeAddr returns 127.0.0.1:PORT with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func writeFileT(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// makeCerts writes a CA (dir/ca.crt) and a server certificate for
// 127.0.0.1 and localhost signed by it; it returns the server's files.
func makeCerts(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pod e2e CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	pemFile := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		writeFileT(t, p, string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})))
		return p
	}
	pemFile("ca.crt", "CERTIFICATE", caDER)
	// The server's files live outside the cert dir: a *.cert/*.key pair
	// there would be taken as a client certificate.
	srvDir := filepath.Join(filepath.Dir(dir), "server")
	if err := os.MkdirAll(srvDir, 0o755); err != nil {
		t.Fatal(err)
	}
	cert = filepath.Join(srvDir, "server.pem")
	key = filepath.Join(srvDir, "server-key.pem")
	writeFileT(t, cert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER})))
	writeFileT(t, key, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))
	return cert, key
}

// ref is a name in this registry.
func (r *registry) ref(name string) string { return r.addr + "/" + name }

// skopeo runs Debian's skopeo (as the test's own user) and returns its
// stdout, failing the test on error.
func skopeo(t *testing.T, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("skopeo"); err != nil {
		t.Fatal("skopeo not found: install the skopeo package (hack/deps.sh)")
	}
	cmd := exec.Command("skopeo", args...)
	cmd.Env = append(os.Environ(), "HOME="+suite.base)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("skopeo %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}
