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
	kept bool // the kernel keeps what it read in its page cache (no FOPEN_DIRECT_IO)
}

var _ = (fusefs.FileReader)((*readHandle)(nil))

func (h *readHandle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	ctx, done := patient(ctx)
	defer done()
	data, release, err := h.r.ReadRef(ctx, off, len(dest))
	if err != nil {
		return nil, h.node.fsys.errno("read", h.node.path(), err)
	}
	// Zero copy: data is the caller's or part of a cached block, held until go-fuse has written
	// it (release may be nil).
	return &blockResult{data: data, release: release}, 0
}

// blockResult hands go-fuse a slice of a cached block and lets the block go once the reply is
// written: go-fuse calls Done after sending the data to the kernel.
//
// It offers the data as slices: go-fuse then writes header and data with one writev. A result
// without Slices makes go-fuse try splice(2) first, which for data in memory takes a pipe, grows
// it, writes the header into it and throws it away before the writev: 7% of the daemon's CPU
// in 4 KiB random reads.
type blockResult struct {
	data    []byte
	release func()
}

func (r *blockResult) Bytes(buf []byte) ([]byte, fuse.Status) { return r.data, fuse.OK }

func (r *blockResult) Slices() ([][]byte, fuse.Status) { return [][]byte{r.data}, fuse.OK }

func (r *blockResult) Size() int { return len(r.data) }

func (r *blockResult) Done() {
	if r.release != nil {
		r.release()
		r.release = nil
	}
}

var _ = (fusefs.FileReleaser)((*readHandle)(nil))

// Release lets the cache drop a file read in full whose bytes the kernel's page cache keeps:
// a later open of the same version keeps that cache (FOPEN_KEEP_CACHE) and reads nothing here.
func (h *readHandle) Release(ctx context.Context) syscall.Errno {
	if h.kept {
		h.r.Forget()
	} else {
		h.r.Close()
	}
	return 0
}
