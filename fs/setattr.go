package fs

import (
	"context"
	"errors"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/writeback"
)

var _ = (fusefs.NodeSetattrer)((*fileNode)(nil))

// Setattr truncates through a writer, and keeps mode, owner and modification time as custom
// metadata (one PATCH, no rewrite).
func (n *fileNode) Setattr(ctx context.Context, fh fusefs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if n.fsys.readOnly() {
		return syscall.EROFS
	}
	if size, ok := in.GetSize(); ok {
		if errno := n.truncate(ctx, fh, int64(size)); errno != 0 {
			return errno
		}
	}
	n.mu.Lock()
	patch := n.changeMeta(in, n.fsys.now())
	n.dropProps()
	n.mu.Unlock()
	if len(patch) > 0 {
		if err := n.storeMeta(ctx, patch); err != nil {
			n.expire()
			return n.fsys.errno("setattr", n.path(), err)
		}
		n.metaChanged()
	}
	if wh, ok := fh.(*writeHandle); ok {
		return wh.Getattr(ctx, out)
	}
	n.fillAttr(&out.Attr)
	return 0
}

// changeMeta applies the mode, owner and time changes of in to the node's attributes and returns
// the custom metadata keys that record them, nil for none; every change moves ctime. A size
// change needs no keys: its upload stamps the times. Needs n.mu.
func (n *fileNode) changeMeta(in *fuse.SetAttrIn, now time.Time) map[string]string {
	m := &n.attr.meta
	changed := false
	if mode, ok := in.GetMode(); ok {
		m.mode, changed = n.attr.fileType()|mode&0o7777, true
	}
	if uid, ok := in.GetUID(); ok {
		m.uid, changed = int64(uid), true
	}
	if gid, ok := in.GetGID(); ok {
		m.gid, changed = int64(gid), true
	}
	if mtime, ok := in.GetMTime(); ok {
		m.mtime, changed = mtime, true
	}
	if atime, ok := in.GetATime(); ok {
		m.atime, changed = atime, true
	}
	if _, ok := in.GetSize(); ok {
		if _, set := in.GetMTime(); !set {
			m.mtime = now
		}
		m.ctime = now // the upload of the new size stamps both in AIS
	}
	if !changed {
		return nil
	}
	m.ctime = now
	keys := m.keys()
	patch := map[string]string{metaCtime: keys[metaCtime]}
	for _, k := range []string{metaMode, metaUID, metaGID, metaMtime, metaAtime} {
		if v, ok := keys[k]; ok && in.Valid&setattrBits[k] != 0 {
			patch[k] = v
		}
	}
	return patch
}

// metaChanged makes lookups and listings of this mount show the attributes a Setattr set, rather
// than an older listing's or overlay entry's.
func (n *fileNode) metaChanged() {
	now := n.fsys.now()
	n.mu.Lock()
	if n.attrAt != 0 {
		n.attrAt = stampOf(now)
	}
	a, unlinked := n.attr, n.ws.unlinked
	n.mu.Unlock()
	if unlinked {
		return // no name to show it under
	}
	if name, d := n.parentDir(); d != nil {
		d.fileAttrChanged(name, a)
	}
}

// setattrBits says which SETATTR field sets each key.
var setattrBits = map[string]uint32{
	metaMode: fuse.FATTR_MODE, metaUID: fuse.FATTR_UID, metaGID: fuse.FATTR_GID,
	metaMtime: fuse.FATTR_MTIME, metaAtime: fuse.FATTR_ATIME,
}

// truncate changes the size: through the open handle if there is one, else with a writer of
// its own that uploads at once.
func (n *fileNode) truncate(ctx context.Context, fh fusefs.FileHandle, size int64) syscall.Errno {
	if wh, ok := fh.(*writeHandle); ok {
		if err := wh.f.Truncate(size); err != nil {
			return n.fsys.errno("truncate", n.path(), err)
		}
		n.grow(size)
		return 0
	}
	n.mu.Lock()
	active := n.ws.active
	n.mu.Unlock()
	if active != nil {
		err := active.Truncate(size)
		if err == nil {
			n.grow(size)
			return 0
		}
		// A writer that has just closed (its release is on the way) has uploaded already:
		// truncate the object instead.
		if !errors.Is(err, writeback.ErrClosed) {
			return n.fsys.errno("truncate", n.path(), err)
		}
	}
	a, err := n.revalidate(ctx)
	if err != nil {
		return n.fsys.errno("truncate", n.path(), err)
	}
	mode := writeback.Edit
	if size == 0 {
		mode = writeback.Truncate
	}
	h, err := n.openWriter(ctx, mode, a.size, true)
	if err != nil {
		return n.fsys.errno("truncate", n.path(), err)
	}
	defer h.Release(ctx)
	if err := h.f.Truncate(size); err != nil {
		return n.fsys.errno("truncate", n.path(), err)
	}
	n.grow(size)
	return h.sync(ctx, "truncate")
}
