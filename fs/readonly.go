package fs

import (
	"context"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// readOnly answers every modifying operation with EROFS. Node types embed it so that a write is a
// clear error, never ENOSYS or a silent no-op.
type readOnly struct{}

var (
	_ = (fusefs.NodeCreater)((*readOnly)(nil))
	_ = (fusefs.NodeMkdirer)((*readOnly)(nil))
	_ = (fusefs.NodeMknoder)((*readOnly)(nil))
	_ = (fusefs.NodeUnlinker)((*readOnly)(nil))
	_ = (fusefs.NodeRmdirer)((*readOnly)(nil))
	_ = (fusefs.NodeRenamer)((*readOnly)(nil))
	_ = (fusefs.NodeSymlinker)((*readOnly)(nil))
	_ = (fusefs.NodeLinker)((*readOnly)(nil))
	_ = (fusefs.NodeSetattrer)((*readOnly)(nil))
	_ = (fusefs.NodeSetxattrer)((*readOnly)(nil))
	_ = (fusefs.NodeRemovexattrer)((*readOnly)(nil))
)

func (readOnly) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fusefs.Inode, fusefs.FileHandle, uint32, syscall.Errno) {
	return nil, nil, 0, syscall.EROFS
}

func (readOnly) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	return nil, syscall.EROFS
}

func (readOnly) Mknod(ctx context.Context, name string, mode, dev uint32, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	return nil, syscall.EROFS
}

func (readOnly) Unlink(ctx context.Context, name string) syscall.Errno { return syscall.EROFS }

func (readOnly) Rmdir(ctx context.Context, name string) syscall.Errno { return syscall.EROFS }

func (readOnly) Rename(ctx context.Context, name string, newParent fusefs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	return syscall.EROFS
}

func (readOnly) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	return nil, syscall.EROFS
}

func (readOnly) Link(ctx context.Context, target fusefs.InodeEmbedder, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	return nil, syscall.EROFS
}

func (readOnly) Setattr(ctx context.Context, fh fusefs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	return syscall.EROFS
}

func (readOnly) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	return syscall.EROFS
}

func (readOnly) Removexattr(ctx context.Context, attr string) syscall.Errno { return syscall.EROFS }
