// Package volumes owns named and anonymous volumes on the host: their
// directories next to the storage graph root (<data home>/pod/volumes/<name>
// with _data and volume.json), their metadata, their lifetimes, the copy-up
// of image content into new volumes, :U ownership, and export/import.
//
// Import direction: volumes imports container (the Config and its Mounts,
// the records that use a volume); container never imports volumes. The
// caller that removes a container (rm -v, run --rm) removes its anonymous
// volumes through RemoveAnonymous, and the monitor turns a Config's mounts
// into spec mounts through Prepare.
package volumes
