package fs

import (
	"context"
	"maps"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
)

// AIS v1.5.0's rename onto an existing object keeps the replaced object's custom metadata
// (mode, owner, times, user.* keys), not the renamed one's. A rename that replaces a file
// therefore reads the source's metadata first and puts it back on the destination, so the
// renamed file keeps its mode and owner, as rename(2) does. One HEAD and one PATCH, only when a
// file is replaced.

// sourceCustom returns the custom metadata of the object from, or nil when nothing is replaced.
func (d *dirNode) sourceCustom(ctx context.Context, replacing bool, from string) (map[string]string, error) {
	if !replacing {
		return nil, nil
	}
	a, err := d.fsys.store.HeadObject(ctx, d.bck, from)
	if err != nil {
		return nil, err
	}
	custom := maps.Clone(a.Custom)
	if custom == nil {
		custom = map[string]string{}
	}
	custom[metaCtime] = formatUnixTime(d.fsys.now()) // rename moves the renamed file's ctime
	return custom, nil
}

// restoreCustom replaces the destination's custom metadata with the source's.
func (d *dirNode) restoreCustom(ctx context.Context, to string, custom map[string]string) error {
	if custom == nil {
		return nil
	}
	return d.fsys.store.PatchCustom(ctx, d.bck, to, custom, true)
}

// childOps is the node of a live child, or nil.
func (d *dirNode) childOps(name string) fusefs.InodeEmbedder {
	if ch := d.GetChild(name); ch != nil {
		return ch.Operations()
	}
	return nil
}
