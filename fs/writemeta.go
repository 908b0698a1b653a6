package fs

import (
	"context"

	"github.com/aisfs/aisfs/writeback"
)

// Metadata of written files: how mode, owner and modification time reach AIS and are never lost.
//
// The node's posixMeta is the truth; AIS is brought to it. Uploads and PATCHes race (rsync closes
// a temp file, sets its times and mode and renames it while the kernel's release, which may
// upload, is still on the way), so:
//
//   - A write, or an open with O_TRUNC, sets the node's mtime to the time of the change, as Linux
//     does; a utimens afterwards replaces it and a later write sets it again. When the upload
//     happens never matters.
//   - Every PUT of a writer carries the node's metadata as it is when the PUT starts (currentMeta,
//     called by writeback, also for the uploads of Manager.Shutdown). AIS merges a PUT's custom
//     keys into the object's, so keys it does not carry (user xattrs) stay. fs uploads a writer
//     only through (*fileNode).upload, which does what follows.
//   - A setattr changes the node's metadata, bumps metaGen and PATCHes AIS at once (storeMeta),
//     unless the object is not in AIS yet: then its first upload carries the change.
//   - An upload that ends with metaGen moved since it started (a setattr ran meanwhile, and the
//     upload may have landed on top of its PATCH) PATCHes the metadata again; so does every
//     append-flush, which carries no custom metadata. (Manager.Shutdown's uploads bypass fs: a
//     file still open at SIGTERM that goes up with append and flush gets no PATCH.)
//   - A node's metadata PATCHes go one at a time under metaMu, each with values read while holding
//     it, so a PATCH never lands after one that carries newer values.
//
// Lock order: metaMu, then n.mu (go-fuse's tree lock and the parent's overlay lock come after
// metaMu, never under n.mu). writeback calls currentMeta with the File's gate held and none of its
// other locks; fs never holds n.mu while calling into a writeback.File.

// metaKeys is the custom metadata that says m: every key that is set.
func metaKeys(m posixMeta) map[string]string { return m.keys() }

// touch records a change of the content now: its modification time.
func (n *fileNode) touch() {
	now := n.fsys.now()
	n.mu.Lock()
	n.attr.meta.mtime, n.attr.meta.ctime = now, now
	n.mu.Unlock()
}

// currentMeta is the custom metadata that says the node's metadata now.
func (n *fileNode) currentMeta() map[string]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return metaKeys(n.attr.meta)
}

// upload makes f's content durable in AIS (Close when closing, else Sync) and records the result.
// It is the one way fs uploads a writer.
func (n *fileNode) upload(ctx context.Context, f *writeback.File, closing bool) error {
	n.mu.Lock()
	gen := n.ws.metaGen // before the PUT reads the metadata
	n.mu.Unlock()
	dirty := f.Dirty()
	var err error
	if closing {
		err = f.Close(ctx)
	} else {
		err = f.Sync(ctx)
	}
	if err != nil || !dirty {
		return err
	}
	return n.uploaded(ctx, f.LastSync(), gen)
}

// storeMeta makes AIS hold a setattr's change, already made to the node's metadata: keys name the
// changed custom keys (their values are read again here, under metaMu).
func (n *fileNode) storeMeta(ctx context.Context, keys map[string]string) error {
	mm := &n.use().metaMu
	mm.Lock()
	defer mm.Unlock()
	n.mu.Lock()
	n.ws.metaGen++
	notInAIS := n.ws.pending // its first upload carries the change
	cur := metaKeys(n.attr.meta)
	n.mu.Unlock()
	n.publish()
	if notInAIS || n.detached() { // a detached file has no object left to carry it
		return nil
	}
	md := make(map[string]string, len(keys))
	for k, v := range keys {
		if c, ok := cur[k]; ok {
			v = c
		}
		md[k] = v
	}
	return n.fsys.store.PatchCustom(ctx, n.bck(), n.objName(), md, false)
}

// pushMeta PATCHes all of the node's metadata, after an upload that may not have carried it.
func (n *fileNode) pushMeta(ctx context.Context) error {
	mm := &n.use().metaMu
	mm.Lock()
	defer mm.Unlock()
	md := n.currentMeta()
	if len(md) == 0 || n.detached() {
		return nil
	}
	return n.fsys.store.PatchCustom(ctx, n.bck(), n.objName(), md, false)
}

// publish puts the node's attributes into its directory's view, so that a listing older than a
// change made here does not show the file as it was.
func (n *fileNode) publish() {
	n.mu.Lock()
	a, pending, unlinked := n.attr, n.ws.pending, n.ws.unlinked
	n.mu.Unlock()
	if unlinked {
		return // no name to show it under
	}
	if name, d := n.parentDir(); d != nil {
		d.fileStored(name, a, pending)
	}
}
