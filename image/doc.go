// Package image owns pod's images: import, list, tag, remove, inspect and
// history of local images, on go.podman.io/storage; pull, push, login,
// save, load and prune through go.podman.io/image/v5 (registry.go says how
// registries are reached, shortname.go how short names resolve).
//
// Names. Images are stored under fully normalized names, the way the
// containers-storage transport writes them: "demo:1" is kept as
// "docker.io/library/demo:1" and "demo" as "docker.io/library/demo:latest".
// Users see Docker's familiar form: `pod images` shows REPOSITORY "demo" and
// TAG "1", `rmi` prints "Untagged: demo:1", inspect's RepoTags hold "demo:1".
// Names from other registries keep their domain ("quay.io/x/y:2",
// "localhost/app:latest").
//
// Lookup (the one way a user's string becomes a local image) accepts a full
// or short image ID (at least 3 hex digits, a unique prefix, optionally with
// "sha256:"), a name (normalized as above; an unqualified name also finds
// "localhost/NAME:TAG", the name Podman-style builds give), or
// name@sha256:digest (a manifest digest recorded for that repository). A
// full 64-hex ID is tried as an ID first; any other string is tried as a name
// first and then, when it is hex, as a short ID, as Docker does.
//
// Digests. The manifest digest of every stored image is kept, so RepoDigests
// list NAME@DIGEST for each repository of an image (as Podman does), also
// for images that were imported and never pushed.
//
// Writing and reading. Every image pod makes itself (build steps, commit,
// squash, import, and pulls whose layers are already local) is stored by
// WriteLayer and WriteImage (writer.go) with the layer and image IDs, keys
// and records go.podman.io/image's storage destination would give it, so
// copy.Image and pod agree on what is the same image; every stored
// manifest and config is read through ReadStored (manifest.go).
//
// Removal. `rmi NAME` of an image with other tags only untags NAME. `rmi ID`
// of an image whose tags span several repositories is refused unless forced,
// as Docker does. An image that containers use is refused, naming the
// containers; with Force the containers are deleted from storage first
// (unlike Docker, which only untags): their records and layers go with them,
// so only force-remove images of containers you no longer need.
package image
