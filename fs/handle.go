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
	ctx, done := patient(ctx)
	defer done()
	data, release, err := h.r.ReadRef(ctx, off, len(dest))
	if err != nil {
		return nil, h.node.fsys.errno("read", h.node.path(), err)
	}
	if release == nil {
		return fuse.ReadResultData(data), 0
	}
	// Zero copy: data is part of a cached block, held until go-fuse has written it.
	return &blockResult{data: data, release: release}, 0
}

// blockResult hands go-fuse a slice of a cached block and lets the block go once the reply is
// written: go-fuse calls Done after sending the data to the kernel.
type blockResult struct {
	data    []byte
	release func()
}

func (r *blockResult) Bytes(buf []byte) ([]byte, fuse.Status) { return r.data, fuse.OK }

func (r *blockResult) Size() int { return len(r.data) }

func (r *blockResult) Done() {
	if r.release != nil {
		r.release()
		r.release = nil
	}
}

var _ = (fusefs.FileReleaser)((*readHandle)(nil))

func (h *readHandle) Release(ctx context.Context) syscall.Errno {
	h.r.Close()
	return 0
}
