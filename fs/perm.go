package fs

import (
	"context"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// Permission checks are the kernel's (default_permissions, which --allow-other turns on): it
// compares the caller with the modes and owners this filesystem reports, enforces sticky
// directories and the chown/chmod/utimens rules, and clears setuid/setgid on chown and on a write
// by a non-owner by sending a mode change. The filesystem's part is to report owners and modes
// faithfully and to give new files their creator.

// creator is the owner a new entry of d gets: the calling user and group, or -1 (the mount's
// default owner, stored as nothing) where the caller is that default. In a setgid directory the
// group is the directory's, and sgid says that a new directory inherits the bit.
func (d *dirNode) creator(ctx context.Context) (uid, gid int64, sgid bool) {
	uid, gid = -1, -1
	if c, ok := fuse.FromContext(ctx); ok {
		if c.Uid != d.fsys.cfg.UID {
			uid = int64(c.Uid)
		}
		if c.Gid != d.fsys.cfg.GID {
			gid = int64(c.Gid)
		}
	}
	d.metaMu.Lock()
	m := d.meta
	d.metaMu.Unlock()
	if m.mode&syscall.S_ISGID != 0 {
		return uid, m.gid, true
	}
	return uid, gid, false
}
