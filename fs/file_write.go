package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/writeback"
)

// State of a file while handles write it. GUARDED_BY(n.mu) like the rest of fileNode.
type writeState struct {
	writers  int             // open write handles: len(fileUsed.writers), counted here for busy() on hot paths
	pending  bool            // created here and not uploaded yet: AIS has no such object
	unlinked bool            // removed while open: uploads are dropped
	active   *writeback.File // the latest writer, for readers of a file being written
	metaGen  uint64          // bumped by every setattr of the metadata; see writemeta.go
}

func (n *fileNode) isUnlinked() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ws.unlinked
}

// busy is the one rule for "local state is newer than AIS's": a handle writes the file, or it
// was created here and is not in AIS yet. Attributes of a busy file are never refreshed from AIS.
// Needs n.mu.
func (ws *writeState) busy() bool { return ws.writers > 0 || ws.pending }

// writing reports whether a handle writes the file.
func (n *fileNode) writing() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ws.writers > 0
}

// busy reports whether local state is newer than AIS's (writeState.busy).
func (n *fileNode) busy() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ws.busy()
}

// attrs is a snapshot of the node's attributes.
func (n *fileNode) attrs() objAttr {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.attr
}

// markUnlinked records that the name is being removed: open writers drop their uploads. It
// reports whether the file was created here and is not in AIS yet.
func (n *fileNode) markUnlinked() (pending bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.ws.unlinked = n.ws.writers > 0
	return n.ws.pending
}

// settle uploads what a writer that is still registered holds: close(2) returns before the
// kernel releases the handle, so a rename or a copy that follows must not find AIS behind. It
// reports whether the file is still not in AIS (created here, and its upload failed).
func (n *fileNode) settle(ctx context.Context) (pending bool, err error) {
	n.mu.Lock()
	active, pending := n.ws.active, n.ws.pending
	n.mu.Unlock()
	if active == nil || !(pending || active.Dirty()) {
		return pending, nil
	}
	pctx, done := patientUpload(ctx)
	defer done()
	if err := n.upload(pctx, active, false); err != nil && !errors.Is(err, writeback.ErrClosed) {
		return pending, err // closed: its release already uploaded
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ws.pending, nil
}

// renameWriters points every open writer at the object's new name, once AIS has renamed it. A
// writer keeps the name it was opened with (writeback.File.Rename): without this, its next
// upload would bring the old name back and leave the new one without those bytes.
func (n *fileNode) renameWriters(ctx context.Context, to string) {
	u := n.use()
	n.mu.Lock()
	files := slices.Clone(u.writers)
	n.mu.Unlock()
	for _, f := range files {
		f.Rename(ctx, to)
	}
}

func (n *fileNode) grow(size int64) {
	n.mu.Lock()
	n.attr.size = size
	n.mu.Unlock()
}

// uploaded records a successful upload that started when metaGen was gen: the object exists now,
// with a new version that the next open learns with a HEAD. The metadata is PATCHed when the
// upload may not hold it (writemeta.go).
func (n *fileNode) uploaded(ctx context.Context, res writeback.SyncResult, gen uint64) error {
	n.mu.Lock()
	n.ws.pending = false
	n.attr.size = res.Size
	n.attr.version, n.attr.cksum = "", ""
	n.attrAt = 0 // an append-flush does not say the new version: ask at the next open
	if res.Attrs != nil {
		n.attr.version, n.attr.cksum = res.Attrs.Version, res.Attrs.CksumValue
		n.attrAt = stampOf(n.fsys.now())
	}
	n.dropProps()
	moved := n.ws.metaGen != gen
	n.mu.Unlock()
	n.publish()
	if res.NeedsMeta() || moved {
		if err := n.pushMeta(ctx); err != nil {
			return fmt.Errorf("setting metadata after upload: %w", err)
		}
	}
	return nil
}

func (n *fileNode) writerDone(f *writeback.File) {
	n.mu.Lock()
	n.ws.writers--
	u := n.use()
	u.writers = slices.DeleteFunc(u.writers, func(g *writeback.File) bool { return g == f })
	if n.ws.active == f {
		n.ws.active = nil
	}
	last := n.ws.writers == 0
	pending := n.ws.pending
	n.mu.Unlock()
	if last && pending {
		n.forgetCreate()
	}
}

// onlyWriterOfCreate: the file was created here, is not in AIS, and one handle writes it.
func (n *fileNode) onlyWriterOfCreate() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ws.pending && n.ws.writers == 1
}

// forgetCreate drops a file created here whose upload failed: there is no such object. It counts
// as removed, so what a listing older than now shows of the name (an emptied directory AIS still
// lists, which made the upload fail) stays hidden. The kernel forgets the name too, or stat and
// open would find the node until the entry expires.
func (n *fileNode) forgetCreate() {
	if name, d := n.parentDir(); d != nil {
		d.fileNeverStored(name, n)
	}
}

// stagedReader reads a file that a handle of this mount is creating: from the writer's staging
// file while it is open, then (once the writer finished and let it go) from AIS.
type stagedReader struct {
	node *fileNode
	f    *writeback.File

	mu sync.Mutex
	r  *cache.Reader // GUARDED_BY(mu): after the writer closed
}

var _ = (fusefs.FileReader)((*stagedReader)(nil))

func (r *stagedReader) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	r.mu.Lock()
	cr := r.r
	r.mu.Unlock()
	if cr == nil {
		n, err := r.f.ReadAt(dest, off)
		switch {
		case err == nil || errors.Is(err, io.EOF):
			return fuse.ReadResultData(dest[:n]), 0
		case !errors.Is(err, writeback.ErrClosed):
			return nil, r.node.fsys.errno("read", r.node.path(), err)
		}
		a, err := r.node.current(ctx)
		if err != nil {
			return nil, r.node.fsys.errno("read", r.node.path(), err)
		}
		r.mu.Lock()
		if r.r == nil {
			r.r = r.node.fsys.cache.NewReader(r.node.cacheObject(a))
		}
		cr = r.r
		r.mu.Unlock()
	}
	data, err := cr.Read(ctx, off, len(dest))
	if err != nil {
		return nil, r.node.fsys.errno("read", r.node.path(), err)
	}
	return fuse.ReadResultData(data), 0
}

var _ = (fusefs.FileReleaser)((*stagedReader)(nil))

func (r *stagedReader) Release(ctx context.Context) syscall.Errno {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.r != nil {
		r.r.Close()
	}
	return 0
}

// openForWrite maps open(2) flags onto a writeback mode.
func (n *fileNode) openForWrite(ctx context.Context, flags uint32) (*writeHandle, syscall.Errno) {
	if n.fsys.readOnly() {
		return nil, syscall.EROFS
	}
	var a objAttr
	if n.busy() {
		n.mu.Lock()
		a = n.attr
		n.mu.Unlock()
	} else {
		var err error
		if a, err = n.revalidate(ctx); err != nil {
			return nil, n.fsys.errno("open", n.path(), err)
		}
	}
	mode := writeback.Edit
	switch {
	case flags&syscall.O_TRUNC != 0:
		mode = writeback.Truncate
	case flags&syscall.O_APPEND != 0:
		mode = writeback.Append
	}
	h, err := n.openWriter(ctx, mode, a.size, true)
	if err != nil {
		return nil, n.fsys.errno("open", n.path(), err)
	}
	if mode == writeback.Truncate {
		n.touch()
		n.grow(0)
	}
	return h, 0
}
