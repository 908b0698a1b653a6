package fs

import (
	"context"
	"errors"
	"io"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/writeback"
)

// writeHandle is a file open for writing. Its bytes go to a writeback.File (a local staging file
// that streams to AIS); close(2) and fsync(2) make them durable in AIS or return the error.
type writeHandle struct {
	node *fileNode
	f    *writeback.File
}

// openWriter starts a writeback file for the node in the given mode.
func (n *fileNode) openWriter(ctx context.Context, mode writeback.Mode, size int64, exists bool) (*writeHandle, error) {
	// Open gives up at once on a cancelled context; a request is interrupted by any signal to
	// its caller (Go's SIGURG too), which must not fail a create or truncate with EINTR.
	pctx, done := patient(ctx)
	defer done()
	name := n.objName()
	f, err := n.fsys.wb.Open(pctx, n.bck(), name, mode, writeback.OpenOptions{
		Size: size, Exists: exists, CustomFunc: n.currentMeta,
	})
	if err != nil {
		return nil, err
	}
	u := n.use()
	n.mu.Lock()
	n.ws.writers++
	n.ws.active = f
	u.writers = append(u.writers, f)
	n.mu.Unlock()
	// A rename that looked for writers before this one registered has not renamed it.
	if now := n.fsys.renames.current(n.objName()); now != name {
		f.Rename(pctx, now)
	}
	return &writeHandle{node: n, f: f}, nil
}

var _ = (fusefs.FileReader)((*writeHandle)(nil))

func (h *writeHandle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	n, err := h.f.ReadAt(dest, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, h.node.fsys.errno("read", h.node.path(), err)
	}
	return fuse.ReadResultData(dest[:n]), 0
}

var _ = (fusefs.FileWriter)((*writeHandle)(nil))

func (h *writeHandle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	h.node.touch() // before the bytes, so that an upload that holds them holds this time too
	n, err := h.f.WriteAt(data, off)
	if err != nil {
		return uint32(n), h.node.fsys.errno("write", h.node.path(), err)
	}
	h.node.grow(h.f.Size())
	return uint32(n), 0
}

var _ = (fusefs.FileFlusher)((*writeHandle)(nil))

// Flush runs at every close(2): the upload finishes here, so close reports whether it worked.
func (h *writeHandle) Flush(ctx context.Context) syscall.Errno {
	return h.sync(ctx, "close")
}

var _ = (fusefs.FileFsyncer)((*writeHandle)(nil))

func (h *writeHandle) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	return h.sync(ctx, "fsync")
}

func (h *writeHandle) sync(ctx context.Context, op string) syscall.Errno {
	if h.node.isUnlinked() {
		return 0 // removed while open: nothing to keep
	}
	if !h.f.Dirty() {
		return 0
	}
	// An upload for a request gives up only once its caller stayed interrupted for uploadGrace
	// (Ctrl-C on a hung close), never for a passing signal such as Go's SIGURG.
	pctx, done := patientUpload(ctx)
	defer done()
	if err := h.node.upload(pctx, h.f, false); err != nil {
		if h.node.onlyWriterOfCreate() {
			h.node.forgetCreate() // the failure is final, so no object will come of it
		}
		return h.node.fsys.errno(op, h.node.path(), err)
	}
	return 0
}

var _ = (fusefs.FileReleaser)((*writeHandle)(nil))

// Release uploads what close did not (a failed or interrupted close): no caller waits for it,
// so nothing interrupts it, and writeback's budget bounds it.
func (h *writeHandle) Release(ctx context.Context) syscall.Errno {
	ctx = context.WithoutCancel(ctx)
	var err error
	if h.node.isUnlinked() {
		err = h.f.Discard()
	} else {
		err = h.node.upload(ctx, h.f, true)
	}
	if err != nil && !errors.Is(err, writeback.ErrUploadFailed) { // writeback logged those
		h.node.fsys.log.Error("upload failed at release", "path", h.node.path(), "err", err)
	}
	h.node.writerDone(h.f)
	return 0
}

var _ = (fusefs.FileGetattrer)((*writeHandle)(nil))

func (h *writeHandle) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	h.node.fillAttr(&out.Attr)
	out.Size = uint64(h.f.Size())
	out.Blocks = (out.Size + 511) / 512
	return 0
}
