package fs

import (
	"context"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/aisclient"
)

// In cluster mode, mkdir and rmdir in a provider directory create and destroy buckets. Only ais
// buckets can be made or destroyed here; remote buckets belong to their cloud.

func (n *providerNode) bucketChange(name string) (aisclient.Bck, syscall.Errno) {
	switch {
	case n.fsys.readOnly():
		return aisclient.Bck{}, syscall.EROFS
	case n.provider != aisclient.ProviderAIS:
		return aisclient.Bck{}, syscall.EPERM
	case aisclient.CheckBucketName(name) != nil:
		return aisclient.Bck{}, syscall.EINVAL
	}
	return aisclient.Bck{Name: name, Provider: n.provider}, 0
}

var _ = (fusefs.NodeMkdirer)((*providerNode)(nil))

func (n *providerNode) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	bck, errno := n.bucketChange(name)
	if errno != 0 {
		return nil, errno
	}
	if err := n.fsys.store.CreateBucket(ctx, bck); err != nil {
		return nil, n.fsys.errno("mkdir", bck.String(), err)
	}
	n.fsys.forgetBuckets()
	n.fsys.dirAttr(&out.Attr)
	return n.NewInode(ctx, n.fsys.newDir(bck, true), fusefs.StableAttr{Mode: syscall.S_IFDIR}), 0
}

var _ = (fusefs.NodeRmdirer)((*providerNode)(nil))

func (n *providerNode) Rmdir(ctx context.Context, name string) syscall.Errno {
	bck, errno := n.bucketChange(name)
	if errno != 0 {
		return errno
	}
	empty, err := n.fsys.emptyPrefix(ctx, bck, "")
	if err != nil {
		return n.fsys.errno("rmdir", bck.String(), err)
	}
	if !empty {
		return syscall.ENOTEMPTY
	}
	if err := n.fsys.store.DestroyBucket(ctx, bck); err != nil {
		return n.fsys.errno("rmdir", bck.String(), err)
	}
	n.fsys.forgetBuckets()
	return 0
}
