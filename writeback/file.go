package writeback

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"sync"
	"syscall"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/xxhash"
)

// File is the content of one object being written. It is safe for concurrent use.
type File struct {
	// Write once, in newFile.
	m   *Manager
	bck aisclient.Bck
	// name is the object's; only Rename changes it, holding the gate exclusively with no
	// upload goroutine running, so the holders of the gate and those goroutines read it as is.
	name string
	// customFn is OpenOptions.CustomFunc.
	customFn func() map[string]string

	// gate keeps the content still while Sync or Close upload it: WriteAt and Truncate
	// hold it shared, Sync and Close exclusively. Lock order: gate, fetchMu, mu.
	gate sync.RWMutex
	// fetchMu lets one fetch of the object's old bytes run at a time; held across the GET.
	fetchMu sync.Mutex

	mu sync.Mutex
	// Where the content is (content.go): in mem while small, else in the staging file, whose
	// offsets are content offsets. fh and path are set once (at open or when the content
	// moves out of memory) and then stay. GUARDED_BY(mu)
	fh   *os.File
	path string
	mem  []byte
	// The content. GUARDED_BY(mu)
	mode     Mode  // set at open; an Edit turns Truncate when emptied unread (prepareTruncate)
	size     int64 // logical size
	base     int64 // [0, base) is the object's and not fetched yet (a hole in the staging file)
	fetched  bool  // Edit: the object was fetched, or dropped by Truncate(0)
	reserved int64 // bytes counted against MaxStaging: size - base
	dirty    bool
	custom   map[string]string
	front    frontier // how far the content was written without gaps, for streaming
	// wh is the XXH64 of content[0:hashed), folded in as writes extend that prefix, so an
	// upload of a file written in order knows its checksum without reading it back.
	wh     xxhash.Digest
	hashed int64

	// What AIS holds, and the streaming state. GUARDED_BY(mu)
	obj       objState
	chain     chainState
	streamOff bool               // no background streaming until the next successful Sync
	syncing   bool               // Sync or Close own the upload: the uploader must stop
	uploading bool               // the uploader goroutine runs
	upDone    chan struct{}      // closed when it exits
	upCancel  context.CancelFunc // cancels its request
	chainErr  error              // why streaming broke in the background; Sync recovers
	sput      putState           // the streaming PUT (putstream.go)
	putCond   *sync.Cond         // on mu: the streaming PUT's body waits for writes; made with it
	putDone   chan struct{}      // closed when the latest streaming PUT's request is gone (also a dropped one)

	err      error // latched final failure, an *UploadError
	closed   bool
	closeErr error
	last     SyncResult
}

// objState is what the AIS object is known to hold.
type objState struct {
	ok     bool  // the object (absent when !exists) is content[0:length): an append chain may start on it
	exists bool  // the object exists
	length int64 // its size
}

// chainState is the unfinished append chain. Its work file on the target holds content[0:sent).
type chainState struct {
	active   bool
	gen      uint64 // bumped whenever the chain is dropped, so a late answer is ignored
	handle   string // latest handle
	sent     int64
	inflight int64 // bytes of the append in progress, from sent
}

// newFile makes a File; fh is nil for a content that starts in memory.
func newFile(m *Manager, bck aisclient.Bck, name string, mode Mode, opts OpenOptions, fh *os.File) *File {
	f := &File{m: m, bck: bck, name: name, mode: mode, fh: fh, custom: cloneCustom(opts.Custom), customFn: opts.CustomFunc}
	if fh != nil {
		f.path = fh.Name()
	}
	f.wh = *xxhash.New()
	switch mode {
	case Truncate:
		// Content starts empty; the open itself is a change (a Sync creates or empties the object).
		f.dirty = true
		f.obj.ok = !opts.Exists
		f.obj.exists = opts.Exists
	case Edit, Append:
		f.size, f.base = opts.Size, opts.Size
		f.obj = objState{ok: true, exists: true, length: opts.Size}
		f.fetched = mode == Append // Append fetches only what it must
	}
	f.front.reset(f.size)
	return f
}

// Path is the staging file's path; "" while the content is in memory (a small file, until
// its upload fails for good).
func (f *File) Path() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.path
}

// Size is the content's current size.
func (f *File) Size() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.size
}

// Dirty reports whether the content has changes not yet durable in AIS.
func (f *File) Dirty() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dirty
}

// LastSync describes the last successful upload. After MethodAppend the custom metadata
// was not sent: the caller sets it with a PATCH if it needs to.
func (f *File) LastSync() SyncResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// SetCustom merges md into the custom metadata sent with the next PUT.
func (f *File) SetCustom(md map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.custom == nil {
		f.custom = make(map[string]string, len(md))
	}
	maps.Copy(f.custom, md)
}

func errOffset(off int64) error {
	return fmt.Errorf("writeback: negative offset %d: %w", off, syscall.EINVAL)
}

// needFetchLocked: an access at off needs the object's old bytes first.
func (f *File) needFetchLocked(off int64) bool {
	return f.mode == Edit && !f.fetched || off < f.base
}

// ReadAt reads the current content; io.EOF at its end.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errOffset(off)
	}
	if len(p) == 0 {
		return 0, nil
	}
	f.mu.Lock()
	need := f.needFetchLocked(off)
	f.mu.Unlock()
	if need {
		if err := f.fetch(f.m.ctx); err != nil {
			return 0, err
		}
	}
	f.mu.Lock()
	closed, size, fh := f.closed, f.size, f.fh
	if !closed && off < size && fh == nil {
		n := copy(p, f.mem[off:size])
		f.mu.Unlock()
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
	f.mu.Unlock()
	if closed {
		return 0, ErrClosed
	}
	if off >= size {
		return 0, io.EOF
	}
	// Unlocked: pread is safe beside writes, and bytes being written may read either way.
	want := min(int64(len(p)), size-off)
	n, err := fh.ReadAt(p[:want], off)
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// WriteAt writes p at off into the staging file. It never retains p. Over MaxStaging it
// fails with syscall.ENOSPC.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errOffset(off)
	}
	if len(p) == 0 {
		return 0, nil
	}
	f.gate.RLock()
	defer f.gate.RUnlock()
	f.mu.Lock()
	need := f.needFetchLocked(off)
	f.mu.Unlock()
	if need {
		if err := f.fetch(f.m.ctx); err != nil {
			return 0, err
		}
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, ErrClosed
	}
	end := off + int64(len(p))
	grow := max(0, end-f.size)
	if err := f.m.space.reserve(grow); err != nil {
		return 0, err
	}
	f.noteChangeLocked(off)
	// Under mu: the uploader must not pick a piece before its bytes are in the file,
	// and a concurrent Truncate must not interleave with the write.
	n, err := f.writeLocked(p, off)
	grown := max(0, off+int64(n)-f.size)
	f.m.space.release(grow - grown)
	f.size += grown
	f.reserved += grown
	if n > 0 {
		f.dirty = true
		f.front.add(off, off+int64(n))
		f.hashWrittenLocked(p[:n], off)
		f.maybeStreamLocked()
	}
	if err != nil {
		return n, fmt.Errorf("writeback: staging write: %w", err)
	}
	return n, nil
}

// Truncate sets the content's size: shrinking drops bytes, growing adds zeros.
func (f *File) Truncate(size int64) error {
	if size < 0 {
		return fmt.Errorf("writeback: negative size %d: %w", size, syscall.EINVAL)
	}
	f.gate.RLock()
	defer f.gate.RUnlock()
	if err := f.prepareTruncate(size); err != nil {
		return err
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return ErrClosed
	}
	old := f.size
	switch {
	case size == old:
		return nil
	case size > old:
		if err := f.m.space.reserve(size - old); err != nil {
			return err
		}
		f.noteChangeLocked(old)
		if err := f.resizeLocked(size); err != nil {
			f.m.space.release(size - old)
			return err
		}
		f.reserved += size - old
		f.front.add(old, size)
	default:
		f.noteChangeLocked(size)
		if err := f.resizeLocked(size); err != nil {
			return err
		}
		f.m.space.release(old - size)
		f.reserved -= old - size
		f.front.truncate(size)
	}
	f.size = size
	f.dirty = true
	f.maybeStreamLocked()
	return nil
}

// writeLocked stores p at off: in memory while it fits, else in the staging file.
func (f *File) writeLocked(p []byte, off int64) (int, error) {
	if f.inMemoryLocked() {
		if f.memWriteLocked(p, off) {
			return len(p), nil
		}
		if err := f.spillLocked(); err != nil {
			return 0, err
		}
	}
	return f.fh.WriteAt(p, off)
}

// resizeLocked sets the stored content's size.
func (f *File) resizeLocked(size int64) error {
	if f.inMemoryLocked() {
		if f.memResizeLocked(size) {
			return nil
		}
		if err := f.spillLocked(); err != nil {
			return err
		}
	}
	if err := f.fh.Truncate(size); err != nil {
		return fmt.Errorf("writeback: staging truncate: %w", err)
	}
	return nil
}

// prepareTruncate fetches the old bytes a truncate to size keeps, or, for an Edit-mode
// file truncated to 0 before any access, drops them without a GET. Such a file is from then
// on a new content, as if opened with O_TRUNC (which is what the kernel turns open(O_TRUNC)
// of an existing file into: an open without it, then a SETATTR of size 0), so it may go up
// as a streaming PUT.
func (f *File) prepareTruncate(size int64) error {
	f.fetchMu.Lock()
	defer f.fetchMu.Unlock()
	f.mu.Lock()
	if f.mode == Edit && !f.fetched && size == 0 {
		defer f.mu.Unlock()
		if f.closed {
			return ErrClosed
		}
		f.mode = Truncate
		f.fetched = true
		f.base, f.size = 0, 0 // nothing was staged: reserved stays 0
		f.noteChangeLocked(0)
		f.front.reset(0)
		f.dirty = true
		return nil
	}
	need := f.needFetchLocked(size)
	f.mu.Unlock()
	if !need {
		return nil
	}
	return f.fetchLocked(f.m.ctx)
}

// noteChangeLocked records that bytes from off on are about to change: an append chain
// that already sent them is dropped (never flushed), and the object stops being a prefix
// of the content if it holds them.
func (f *File) noteChangeLocked(off int64) {
	if f.sput.active && off < f.sput.sent {
		f.dropPutLocked()
		f.streamOff = true
	}
	if f.chain.active && off < f.chain.sent+f.chain.inflight {
		f.dropChainLocked()
		f.streamOff = true
	}
	if off < f.obj.length {
		f.obj.ok = false
	}
	if off < f.hashed {
		f.wh.Reset()
		f.hashed = 0
	}
}

// hashWrittenLocked folds bytes just written at off into wh when they extend the hashed
// prefix. Bytes written elsewhere are read back when an upload needs the checksum (digestTo).
func (f *File) hashWrittenLocked(p []byte, off int64) {
	if off == f.hashed && f.base == 0 {
		f.wh.Write(p)
		f.hashed += int64(len(p))
	}
}
