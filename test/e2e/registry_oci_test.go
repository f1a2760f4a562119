package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"testing"
	"time"
)

// ociDescriptor is an OCI content descriptor.
type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int               `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// makeOCILayout writes an OCI image layout in dir holding one image named
// tag: the busybox rootfs as its first layer, then one layer per extra
// file (path -> content). Made by hand, not by pod, so that pod reads
// what another tool wrote.
func makeOCILayout(t *testing.T, dir, tag string, extra map[string]string) {
	t.Helper()
	rootfs, err := busyboxTar()
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(rootfs)
	if err != nil {
		t.Fatal(err)
	}
	layers := [][]byte{base}
	for name, content := range extra {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(content)), ModTime: time.Unix(1700000000, 0)})
		_, _ = tw.Write([]byte(content))
		_ = tw.Close()
		layers = append(layers, buf.Bytes())
	}
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(mediaType string, b []byte) ociDescriptor {
		sum := fmt.Sprintf("%x", sha256.Sum256(b))
		writeFileT(t, filepath.Join(blobs, sum), string(b))
		return ociDescriptor{MediaType: mediaType, Digest: "sha256:" + sum, Size: len(b)}
	}
	var diffIDs []string
	var layerDescs []ociDescriptor
	for _, l := range layers {
		diffIDs = append(diffIDs, fmt.Sprintf("sha256:%x", sha256.Sum256(l)))
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		_, _ = zw.Write(l)
		_ = zw.Close()
		layerDescs = append(layerDescs, put("application/vnd.oci.image.layer.v1.tar+gzip", gz.Bytes()))
	}
	cfg, _ := json.Marshal(map[string]any{
		"architecture": goruntime.GOARCH, "os": "linux",
		"config": map[string]any{"Cmd": []string{"/bin/sh"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs},
	})
	cfgDesc := put("application/vnd.oci.image.config.v1+json", cfg)
	man, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": cfgDesc, "layers": layerDescs,
	})
	manDesc := put("application/vnd.oci.image.manifest.v1+json", man)
	manDesc.Annotations = map[string]string{"org.opencontainers.image.ref.name": tag}
	idx, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []ociDescriptor{manDesc}})
	writeFileT(t, filepath.Join(dir, "index.json"), string(idx))
	writeFileT(t, filepath.Join(dir, "oci-layout"), `{"imageLayoutVersion":"1.0.0"}`)
}

// An image another client (skopeo) pushed from an OCI layout, with
// several layers, is pulled and run by pod.
func TestRegistrySkopeoPushedImage(t *testing.T) {
	r := startRegistry(t, registryOpts{})
	layout := filepath.Join(r.dir, "layout")
	makeOCILayout(t, layout, "1", map[string]string{"etc/layer2": "second layer\n", "etc/layer3": "third layer\n"})
	ref := r.ref("third/party:1")
	skopeo(t, "copy", "--dest-tls-verify=false", "oci:"+layout+":1", "docker://"+ref)

	e := newEnv(t)
	res := e.pod("pull", ref)
	if res.code != 0 || !hexID.MatchString(lines(res.stdout)[0]) {
		t.Fatalf("pull of a skopeo-pushed image:\n%s", res)
	}
	expect(t, e.pod("run", "--rm", ref, "cat", "/etc/layer2", "/etc/layer3"), 0, "second layer\nthird layer\n")
	if n := inspectField(e, ref, "{{len .RootFS.Layers}}"); n != "3" {
		t.Fatalf("pulled image has %s layers, want 3", n)
	}
}
