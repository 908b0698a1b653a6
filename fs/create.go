package fs

import (
	"context"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/writeback"
)

// writable reports why d refuses changes, or 0.
func (d *dirNode) writable(name string) syscall.Errno {
	switch {
	case d.fsys.readOnly():
		return syscall.EROFS
	case len(name) > maxNameLen:
		return syscall.ENAMETOOLONG
	case d.fsys.arch != nil && isArchiveName(name):
		// Such a name is a directory of members here: no file may be made, removed or
		// renamed under it (the bytes of a new archive would vanish behind its members).
		return syscall.EROFS
	}
	return 0
}

var _ = (fusefs.NodeCreater)((*dirNode)(nil))

// Create makes a file that exists only here until its first upload (close or fsync), which
// creates the object; an empty file becomes an empty object.
func (d *dirNode) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fusefs.Inode, fusefs.FileHandle, uint32, syscall.Errno) {
	if errno := d.writable(name); errno != 0 {
		return nil, nil, 0, errno
	}
	objName := d.prefix() + name
	now := d.fsys.now()
	n := d.fsys.newFile(d.bck, objName)
	uid, gid, _ := d.creator(ctx)
	n.attr = objAttr{atime: now, meta: posixMeta{mode: syscall.S_IFREG | mode&0o7777, uid: uid, gid: gid, mtime: now, ctime: now}}
	n.attrAt = stampOf(now)
	n.ws.pending = true
	h, err := n.openWriter(ctx, writeback.Truncate, 0, false)
	if err != nil {
		return nil, nil, 0, d.fsys.errno("create", d.path(name), err)
	}
	ch := d.NewInode(ctx, n, fusefs.StableAttr{Mode: syscall.S_IFREG})
	d.ov.add(&dirent{name: name, attr: n.attr, at: now, pending: true})
	d.entriesChanged()
	n.fillAttr(&out.Attr)
	return ch, h, 0, 0
}

var _ = (fusefs.NodeMkdirer)((*dirNode)(nil))

// Mkdir makes a directory local to this mount: AIS has no directory objects, so it shows in
// AIS (and to other hosts) once a file is written below it.
func (d *dirNode) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	if errno := d.writable(name); errno != 0 {
		return nil, errno
	}
	now := d.fsys.now()
	uid, gid, sgid := d.creator(ctx)
	if sgid {
		mode |= syscall.S_ISGID
	}
	sub := d.fsys.newDir(d.bck, false)
	sub.setCreated(mode, uid, gid, now)
	d.ov.add(&dirent{name: name, isDir: true, at: now})
	d.entriesChanged()
	sub.fillAttr(&out.Attr)
	ch := d.NewInode(ctx, sub, fusefs.StableAttr{Mode: syscall.S_IFDIR})
	sub.pin()
	return ch, 0
}

var _ = (fusefs.NodeLinker)((*dirNode)(nil))

func (d *dirNode) Link(ctx context.Context, target fusefs.InodeEmbedder, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	if errno := d.writable(name); errno != 0 {
		return nil, errno
	}
	return nil, syscall.ENOTSUP
}
