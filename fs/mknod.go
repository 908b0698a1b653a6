package fs

import (
	"context"
	"strings"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/aisclient"
)

var _ = (fusefs.NodeMknoder)((*dirNode)(nil))

// Mknod makes a FIFO, a UNIX socket, a character or block device (or an empty regular file) as
// an empty object whose type, mode and device number live in custom metadata, as a symlink's
// do. The kernel gives them their behaviour: opening a FIFO or a device never reaches aisfs.
func (d *dirNode) Mknod(ctx context.Context, name string, mode, dev uint32, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	if errno := d.writable(name); errno != 0 {
		return nil, errno
	}
	typ := mode & syscall.S_IFMT
	switch typ {
	case syscall.S_IFIFO, syscall.S_IFSOCK, syscall.S_IFCHR, syscall.S_IFBLK:
	case 0, syscall.S_IFREG:
		typ = syscall.S_IFREG
	default:
		return nil, syscall.EINVAL
	}
	uid, gid, _ := d.creator(ctx)
	now := d.fsys.now()
	meta := posixMeta{mode: typ | mode&0o7777, uid: uid, gid: gid, mtime: now, ctime: now}
	if typ == syscall.S_IFCHR || typ == syscall.S_IFBLK {
		meta.rdev = dev
	}
	return d.putSpecial(ctx, "mknod", name, "", meta, out)
}

// putSpecial stores a symlink or special file: an object holding content (a symlink's target,
// else nothing) with its metadata, in one PUT.
func (d *dirNode) putSpecial(ctx context.Context, op, name, content string, meta posixMeta, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	now := meta.ctime
	attrs, err := d.fsys.store.PutObject(ctx, d.bck, d.prefix()+name, strings.NewReader(content), int64(len(content)),
		aisclient.PutOptions{Custom: meta.keys()})
	if err != nil {
		return nil, d.fsys.errno(op, d.path(name), err)
	}
	a := objAttr{size: int64(len(content)), version: attrs.Version, cksum: attrs.CksumValue, atime: now, meta: meta}
	e := &dirent{name: name, attr: a, at: now}
	d.ov.add(e)
	d.entriesChanged()
	return d.child(ctx, e, now, out), 0
}
