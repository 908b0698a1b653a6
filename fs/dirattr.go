package fs

import (
	"context"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// Directories are not objects in AIS, so their mode, owner and times cannot be stored there.
// They are kept in memory for the life of the mount (and of the directory's inode), so tar,
// cp -a and rsync -a, which set them on every directory they create, succeed and see what they
// set, and the kernel checks other users against them. A remount shows the mount's defaults.
type dirMeta struct {
	mode                uint32 // permission bits with setuid, setgid and sticky; 0 = the mount's default
	uid, gid            int64  // -1 = the mount's default; 0 is root
	mtime, atime, ctime time.Time
}

// newDirMeta is the metadata of a directory that nobody changed yet.
func newDirMeta() dirMeta { return dirMeta{uid: -1, gid: -1} }

var _ = (fusefs.NodeSetattrer)((*dirNode)(nil))

func (d *dirNode) Setattr(ctx context.Context, fh fusefs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if d.fsys.readOnly() {
		return syscall.EROFS
	}
	if _, ok := in.GetSize(); ok {
		return syscall.EISDIR
	}
	now := d.fsys.now()
	d.metaMu.Lock()
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
	if atime, ok := in.GetATime(); ok {
		d.meta.atime = atime
	}
	d.meta.ctime = now
	d.metaMu.Unlock()
	d.pin()
	d.fillAttr(&out.Attr)
	return 0
}

// entriesChanged records that a name was added to or removed from the directory: its
// modification and change times move.
func (d *dirNode) entriesChanged() {
	now := d.fsys.now()
	d.metaMu.Lock()
	d.meta.mtime, d.meta.ctime = now, now
	d.metaMu.Unlock()
	d.pin()
}

// setCreated gives a directory made here its creator and mode.
func (d *dirNode) setCreated(mode uint32, uid, gid int64, now time.Time) {
	d.metaMu.Lock()
	d.meta = dirMeta{mode: mode & 0o7777, uid: uid, gid: gid, mtime: now, atime: now, ctime: now}
	d.metaMu.Unlock()
}

// fillAttr is the directory's attributes with what Setattr kept.
func (d *dirNode) fillAttr(out *fuse.Attr) {
	d.fsys.dirAttr(out)
	d.metaMu.Lock()
	m := d.meta
	d.metaMu.Unlock()
	if m.mode != 0 {
		out.Mode = syscall.S_IFDIR | m.mode
	}
	if m.uid >= 0 {
		out.Uid = uint32(m.uid)
	}
	if m.gid >= 0 {
		out.Gid = uint32(m.gid)
	}
	out.SetTimes(orTime(m.atime, d.fsys.mounted), orTime(m.mtime, d.fsys.mounted), orTime(m.ctime, d.fsys.mounted))
}

// orTime is t, or def when t is unset.
func orTime(t, def time.Time) *time.Time {
	if t.IsZero() {
		return &def
	}
	return &t
}

// pinName is a child name the kernel can never ask for: names never hold '/'.
const pinName = "/pin"

// pin keeps the directory's node, and so its metadata and its overlay (entries made or removed
// here that AIS cannot show: an empty mkdir'ed directory above all), for the life of the mount.
// go-fuse drops a node from its tree once the kernel forgets it, unless it is persistent or has
// children; after drop_caches or under memory pressure a directory would lose its mode and a
// mkdir'ed directory would vanish. A hidden persistent child holds the node and, through it,
// every directory above. A directory is pinned once this mount changes it; rmdir still removes
// it (go-fuse drops the whole subtree from its parent).
func (d *dirNode) pin() {
	if d.root || d.pinned.Swap(true) {
		return
	}
	d.AddChild(pinName, d.NewPersistentInode(context.Background(), &fusefs.Inode{}, fusefs.StableAttr{Mode: syscall.S_IFREG}), false)
}
