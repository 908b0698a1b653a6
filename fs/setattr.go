package fs

import (
	"context"
	"errors"
	"strconv"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/writeback"
)

var _ = (fusefs.NodeSetattrer)((*fileNode)(nil))

// Setattr truncates through a writer, and keeps mode, owner and modification time as custom
// metadata (one PATCH, no rewrite).
func (n *fileNode) Setattr(ctx context.Context, fh fusefs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if n.fsys.cfg.ReadOnly || n.fsys.wb == nil {
		return syscall.EROFS
	}
	if size, ok := in.GetSize(); ok {
		if errno := n.truncate(ctx, fh, int64(size)); errno != 0 {
			return errno
		}
	}
	patch := map[string]string{}
	n.mu.Lock()
	if mode, ok := in.GetMode(); ok {
		n.attr.meta.mode = n.attr.fileType() | mode&0o7777
		patch[metaMode] = formatMode(n.attr.meta.mode)
	}
	if uid, ok := in.GetUID(); ok {
		n.attr.meta.uid = int64(uid)
		patch[metaUID] = strconv.FormatUint(uint64(uid), 10)
	}
	if gid, ok := in.GetGID(); ok {
		n.attr.meta.gid = int64(gid)
		patch[metaGID] = strconv.FormatUint(uint64(gid), 10)
	}
	if mtime, ok := in.GetMTime(); ok {
		n.attr.meta.mtime = mtime
		patch[metaMtime] = formatUnixTime(mtime)
	}
	n.props = nil
	n.mu.Unlock()
	if len(patch) > 0 {
		if err := n.storeMeta(ctx, patch); err != nil {
			n.expire()
			return n.fsys.errno("setattr", n.path(), err)
		}
	}
	if wh, ok := fh.(*writeHandle); ok {
		return wh.Getattr(ctx, out)
	}
	n.fillAttr(&out.Attr)
	return 0
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
