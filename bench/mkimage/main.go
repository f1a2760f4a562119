// Command mkimage writes an OCI image layout holding one image of random
// data layers, for the registry benchmark (bench/registry.sh).
package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

func main() {
	dir := flag.String("dir", "", "layout directory to write")
	layers := flag.Int("layers", 4, "number of layers")
	size := flag.Int64("size", 50<<20, "bytes of random data per layer")
	tag := flag.String("tag", "latest", "ref.name of the image in the layout")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "mkimage: -dir is required")
		os.Exit(2)
	}
	if err := write(*dir, *layers, *size, *tag); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func write(dir string, n int, size int64, tag string) error {
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return err
	}
	var descs []descriptor
	var diffIDs []string
	for i := range n {
		d, diffID, err := layer(blobs, i, size)
		if err != nil {
			return err
		}
		descs = append(descs, d)
		diffIDs = append(diffIDs, diffID)
	}
	cfg, _ := json.Marshal(map[string]any{
		"architecture": runtime.GOARCH, "os": "linux", "created": time.Now().UTC(),
		"config": map[string]any{"Cmd": []string{"/bin/sh"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs},
	})
	cfgDesc, err := putBytes(blobs, "application/vnd.oci.image.config.v1+json", cfg)
	if err != nil {
		return err
	}
	man, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": cfgDesc, "layers": descs})
	manDesc, err := putBytes(blobs, "application/vnd.oci.image.manifest.v1+json", man)
	if err != nil {
		return err
	}
	manDesc.Annotations = map[string]string{"org.opencontainers.image.ref.name": tag}
	idx, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []descriptor{manDesc}})
	if err := os.WriteFile(filepath.Join(dir, "index.json"), idx, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644)
}

// layer writes a gzip tar holding one file of random data.
func layer(blobs string, i int, size int64) (descriptor, string, error) {
	tmp, err := os.CreateTemp(blobs, "layer-")
	if err != nil {
		return descriptor{}, "", err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		return descriptor{}, "", err
	}
	compressed := sha256.New()
	zw, _ := gzip.NewWriterLevel(io.MultiWriter(tmp, compressed), gzip.BestSpeed)
	uncompressed := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(zw, uncompressed))
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: fmt.Sprintf("data/layer%d.bin", i), Mode: 0o644, Size: size, ModTime: time.Unix(1700000000, 0)}
	if err := tw.WriteHeader(hdr); err != nil {
		return descriptor{}, "", err
	}
	rng := rand.NewChaCha8([32]byte{byte(i), 'p', 'o', 'd'})
	if _, err := io.CopyN(tw, rng, size); err != nil {
		return descriptor{}, "", err
	}
	if err := tw.Close(); err != nil {
		return descriptor{}, "", err
	}
	if err := zw.Close(); err != nil {
		return descriptor{}, "", err
	}
	fi, err := tmp.Stat()
	if err != nil {
		return descriptor{}, "", err
	}
	if err := tmp.Close(); err != nil {
		return descriptor{}, "", err
	}
	sum := hexSum(compressed)
	if err := os.Rename(tmp.Name(), filepath.Join(blobs, sum)); err != nil {
		return descriptor{}, "", err
	}
	return descriptor{MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Digest: "sha256:" + sum, Size: fi.Size()},
		"sha256:" + hexSum(uncompressed), nil
}

func putBytes(blobs, mediaType string, b []byte) (descriptor, error) {
	h := sha256.New()
	h.Write(b)
	sum := hexSum(h)
	return descriptor{MediaType: mediaType, Digest: "sha256:" + sum, Size: int64(len(b))},
		os.WriteFile(filepath.Join(blobs, sum), b, 0o644)
}

func hexSum(h hash.Hash) string { return fmt.Sprintf("%x", h.Sum(nil)) }
