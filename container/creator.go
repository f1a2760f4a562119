package container

import (
	"encoding/json"

	"github.com/pod-project/pod/procid"
)

// storageMeta is the metadata pod gives every storage container it makes:
// the process that made it. A storage container without a record is a
// create or build step under way while that process lives, and debris of
// a killed one once it is gone.
type storageMeta struct {
	Version int       `json:"version"`
	Creator procid.ID `json:"creator"`
}

// StorageMetadata names the calling process as the creator of a storage
// container (the metadata argument of the store's CreateContainer).
func StorageMetadata() string {
	b, _ := json.Marshal(storageMeta{Version: 1, Creator: procid.Self()})
	return string(b)
}

// CreatorAlive reports whether the process that made a storage container
// (from its metadata) still runs. Containers of earlier pods or other
// tools name no creator: false.
func CreatorAlive(metadata string) bool {
	var m storageMeta
	if json.Unmarshal([]byte(metadata), &m) != nil {
		return false
	}
	return m.Creator.Alive()
}
