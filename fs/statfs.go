package fs

import (
	"context"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// statfsBlock is the block size statfs reports capacity in.
const statfsBlock = 4096

// statfs reports the cluster's capacity, so df shows what AIS really has.
func (f *FS) statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	c, err := f.store.ClusterCapacity(ctx)
	if err != nil {
		return f.errno("statfs", "/", err)
	}
	out.Bsize = statfsBlock
	out.Frsize = statfsBlock
	out.Blocks = c.Total / statfsBlock
	out.Bfree = (c.Total - min(c.Used, c.Total)) / statfsBlock
	out.Bavail = c.Avail / statfsBlock
	// Objects are not inodes of a fixed table: report plenty, all free.
	out.Files = 1 << 40
	out.Ffree = 1 << 40
	out.NameLen = maxNameLen
	return 0
}

var (
	_ = (fusefs.NodeStatfser)((*clusterNode)(nil))
	_ = (fusefs.NodeStatfser)((*providerNode)(nil))
	_ = (fusefs.NodeStatfser)((*dirNode)(nil))
	_ = (fusefs.NodeStatfser)((*fileNode)(nil))
)

func (n *clusterNode) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	return n.fsys.statfs(ctx, out)
}

func (n *providerNode) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	return n.fsys.statfs(ctx, out)
}

func (d *dirNode) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	return d.fsys.statfs(ctx, out)
}

func (n *fileNode) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	return n.fsys.statfs(ctx, out)
}
