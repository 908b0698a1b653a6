package fs

import (
	"context"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/cache"
)

// readHandle reads one opened version of an object through the block cache.
type readHandle struct {
	node *fileNode
	r    *cache.Reader
}

var _ = (fusefs.FileReader)((*readHandle)(nil))

func (h *readHandle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	data, err := h.r.Read(ctx, off, len(dest))
	if err != nil {
		return nil, h.node.fsys.errno("read", h.node.path(), err)
	}
	// Zero copy: data may alias an immutable cached block.
	return fuse.ReadResultData(data), 0
}

var _ = (fusefs.FileReleaser)((*readHandle)(nil))

func (h *readHandle) Release(ctx context.Context) syscall.Errno {
	h.r.Close()
	return 0
}
