package fs

import (
	"context"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// A symlink is a small object holding the target, marked by its mode in custom metadata.

var _ = (fusefs.NodeSymlinker)((*dirNode)(nil))

func (d *dirNode) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	if errno := d.writable(name); errno != 0 {
		return nil, errno
	}
	uid, gid, _ := d.creator(ctx)
	now := d.fsys.now()
	meta := posixMeta{mode: syscall.S_IFLNK | 0o777, uid: uid, gid: gid, mtime: now, ctime: now}
	return d.putSpecial(ctx, "symlink", name, target, meta, out)
}

var _ = (fusefs.NodeReadlinker)((*fileNode)(nil))

func (n *fileNode) Readlink(ctx context.Context) ([]byte, syscall.Errno) {
	a, err := n.revalidate(ctx)
	if err != nil {
		return nil, n.fsys.errno("readlink", n.path(), err)
	}
	if !a.meta.isSymlink() {
		return nil, syscall.EINVAL
	}
	if a.size > 4096 {
		return nil, syscall.ENAMETOOLONG
	}
	buf := make([]byte, a.size)
	k, _, err := n.fsys.store.GetRange(ctx, n.bck(), n.objName(), 0, buf)
	if err != nil && a.size > 0 {
		return nil, n.fsys.errno("readlink", n.path(), err)
	}
	return buf[:k], 0
}
