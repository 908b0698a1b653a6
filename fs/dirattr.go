package fs

import (
	"context"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// Directories are not objects in AIS, so their mode, owner and times cannot be stored there.
// Changes are kept in memory for the life of the mount, so tar, cp -a and rsync -a, which set
// them on every directory they create, succeed and see what they set.
type dirMeta struct {
	mode     uint32 // permission bits; 0 = the mount's default
	uid, gid int64  // -1 = the mount's default
	mtime    time.Time
}

var _ = (fusefs.NodeSetattrer)((*dirNode)(nil))

func (d *dirNode) Setattr(ctx context.Context, fh fusefs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if d.fsys.cfg.ReadOnly || d.fsys.wb == nil {
		return syscall.EROFS
	}
	if _, ok := in.GetSize(); ok {
		return syscall.EISDIR
	}
	d.metaMu.Lock()
	if d.meta.uid == 0 && d.meta.gid == 0 && d.meta.mode == 0 {
		d.meta.uid, d.meta.gid = -1, -1
	}
	if mode, ok := in.GetMode(); ok {
		d.meta.mode = mode & 0o7777
	}
	if uid, ok := in.GetUID(); ok {
		d.meta.uid = int64(uid)
	}
	if gid, ok := in.GetGID(); ok {
		d.meta.gid = int64(gid)
	}
	if mtime, ok := in.GetMTime(); ok {
		d.meta.mtime = mtime
	}
	d.metaMu.Unlock()
	d.fillAttr(&out.Attr)
	return 0
}

// fillAttr is the directory's attributes with what Setattr kept.
func (d *dirNode) fillAttr(out *fuse.Attr) {
	d.fsys.dirAttr(out)
	d.metaMu.Lock()
	defer d.metaMu.Unlock()
	m := d.meta
	if m.mode == 0 && m.uid == 0 && m.gid == 0 && m.mtime.IsZero() {
		return
	}
	if m.mode != 0 {
		out.Mode = syscall.S_IFDIR | m.mode
	}
	if m.uid >= 0 {
		out.Uid = uint32(m.uid)
	}
	if m.gid >= 0 {
		out.Gid = uint32(m.gid)
	}
	if !m.mtime.IsZero() {
		out.SetTimes(nil, &m.mtime, &m.mtime)
	}
}
