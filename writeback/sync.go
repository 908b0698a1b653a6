package writeback

import (
	"context"
	"fmt"
	"io"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/xxhash"
)

const cksumXXHash = "xxhash2" // AIS's name for XXH64

// hashBufSize is the buffer of the read pass that checksums what the writes could not.
const hashBufSize = 256 << 10

// Sync makes the content durable in AIS: it finishes the append chain with a verified flush,
// or PUTs the staging file. Writers wait while it runs; readers do not. Afterwards the File
// is clean, and writes keep working. A final failure is latched (see UploadError).
func (f *File) Sync(ctx context.Context) error {
	f.gate.Lock()
	defer f.gate.Unlock()
	return f.syncGated(ctx)
}

// syncGated is Sync with the gate held exclusively.
func (f *File) syncGated(ctx context.Context) error {
	f.mu.Lock()
	switch {
	case f.closed:
		f.mu.Unlock()
		return ErrClosed
	case f.err != nil:
		f.mu.Unlock()
		return f.err
	case !f.dirty:
		f.mu.Unlock()
		return nil
	}
	f.syncing = true
	defer func() {
		f.mu.Lock()
		f.syncing = false
		f.mu.Unlock()
	}()
	f.waitUploaderLocked(ctx)
	streamErr := f.chainErr
	f.mu.Unlock()

	return f.uploadResending(ctx, streamErr)
}

// latched is the final upload failure recorded by latch, or nil.
func (f *File) latched() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// latch records a final upload failure: every later Sync and Close returns it, and the
// staging file is kept.
func (f *File) latch(op string, cause error) error {
	f.mu.Lock()
	if err := f.spillLocked(); err != nil { // the bytes must be on disk, where the error says
		cause = fmt.Errorf("%w; and the content, held in memory, could not be saved: %w", cause, err)
	}
	uerr := &UploadError{Bucket: f.bck, Object: f.name, Path: f.path, Err: cause}
	f.err = uerr
	f.streamOff = true
	size, path := f.size, f.path
	f.mu.Unlock()
	f.m.failed.Add(1)
	f.m.log.Error("writeback: upload failed; content kept in staging file",
		"op", op, "bucket", f.bck.String(), "object", f.name, "path", path, "size", size, "err", cause)
	return uerr
}

// waitUploaderLocked waits (mu released meanwhile) until the uploader is gone; f.syncing
// keeps a new one from starting. When ctx ends first, the append in progress is cancelled.
func (f *File) waitUploaderLocked(ctx context.Context) {
	for f.uploading {
		done, cancel := f.upDone, f.upCancel
		f.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			cancel()
			<-done
		}
		f.mu.Lock()
	}
}

// upload makes one attempt, choosing how from the current state. The gate is held and the
// uploader stopped, so the content and the chain change only here.
func (f *File) upload(ctx context.Context) error {
	f.mu.Lock()
	if f.sput.active {
		return f.finishPutLocked(ctx) // under the same hold: a PUT that fails now is seen as over
	}
	if f.obj.ok && f.obj.exists && f.size == f.obj.length {
		// Changed and changed back (or extended by nothing): the object is already right.
		f.cleanLocked(f.size)
		f.mu.Unlock()
		return nil
	}
	// Append when a chain is under way, when the old bytes are not local (Append mode),
	// or when the object already holds at least a piece's worth of the content (AIS copies
	// it server side instead of us sending it again). Otherwise one PUT.
	useAppend := f.chain.active || f.obj.ok && (f.base > 0 || f.obj.length >= f.m.cfg.ChunkSize)
	f.mu.Unlock()
	if useAppend {
		return f.finishChain(ctx)
	}
	return f.put(ctx)
}

// finishChain sends the rest of the content on the chain (starting one on top of the object
// if none is under way) and flushes it, with the content's checksum when it is known.
func (f *File) finishChain(ctx context.Context) error {
	f.mu.Lock()
	if !f.chain.active {
		f.startChainLocked()
	}
	c, size := f.chain, f.size
	f.mu.Unlock()

	handle, off := c.handle, c.sent
	for off < size {
		n := min(f.m.cfg.ChunkSize, size-off)
		next, err := f.appendPiece(ctx, handle, off, n)
		if err != nil {
			f.mu.Lock()
			f.dropChainLocked()
			f.streamOff = true
			f.mu.Unlock()
			return err
		}
		handle, off = next, off+n
	}
	// The checksum of the whole content, unless its old bytes were never local (Append mode).
	var ckType, ckValue string
	if f.localContent() {
		d, err := f.digestTo(size)
		if err != nil {
			return err
		}
		ckType, ckValue = cksumXXHash, xxhash.Hex(d.Sum64())
	}
	f.m.uploads.Add(1)
	err := f.m.store.Flush(ctx, f.bck, f.name, handle, ckType, ckValue)
	f.m.uploads.Add(-1)

	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropChainLocked()
	if err != nil {
		// A flush that failed may still have happened: trust the object no more.
		f.obj.ok = false
		f.streamOff = true
		return fmt.Errorf("flush: %w", err)
	}
	f.obj = objState{ok: true, exists: true, length: size}
	f.cleanLocked(size)
	f.last = SyncResult{Method: MethodAppend, Size: size}
	return nil
}

// put sends the whole content with one PUT, checksummed. Old bytes not yet local (an
// Append-mode file whose chain cannot finish) are fetched first.
func (f *File) put(ctx context.Context) error {
	if err := f.fetch(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	size := f.size
	f.mu.Unlock()
	custom := f.currentCustom()

	d, err := f.digestTo(size)
	if err != nil {
		return err
	}
	r, done, err := f.body(0, size) // a staging file: only the transport's copy buffer, no memory budget
	if err != nil {
		return err
	}
	defer done()
	opts := aisclient.PutOptions{Custom: custom, CksumType: cksumXXHash, CksumValue: xxhash.Hex(d.Sum64())}
	f.m.uploads.Add(1)
	attrs, err := f.m.store.PutObject(ctx, f.bck, f.name, r, size, opts)
	f.m.uploads.Add(-1)

	if err == nil {
		err = checkPut(attrs, size, opts.CksumValue)
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.obj.ok = false // a failed PUT may still have landed
		f.streamOff = true
		return fmt.Errorf("put: %w", err)
	}
	f.m.uploaded.Add(size)
	f.dropChainLocked()
	f.obj = objState{ok: true, exists: true, length: size}
	f.cleanLocked(size)
	f.last = SyncResult{Method: MethodPut, Size: size, Attrs: attrs}
	return nil
}

// checkPut compares what AIS says it stored with what was sent. AIS already verified the
// checksum the PUT carried; this also catches a reply that is not about these bytes.
func checkPut(attrs *aisclient.ObjAttrs, size int64, cksum string) error {
	switch {
	case attrs.Size != size:
		return fmt.Errorf("AIS took %d of %d bytes: %w", attrs.Size, size, aisclient.ErrBadChecksum)
	case attrs.CksumType == cksumXXHash && attrs.CksumValue != "" && attrs.CksumValue != cksum:
		return fmt.Errorf("AIS stored checksum %s, sent %s: %w", attrs.CksumValue, cksum, aisclient.ErrBadChecksum)
	}
	return nil
}

// cleanLocked marks the content [0, size) durable: streaming may resume from there.
func (f *File) cleanLocked(size int64) {
	f.dirty = false
	f.streamOff = false
	f.chainErr = nil
	f.front.reset(size)
}

// localContent: every byte of the content is in the staging file, so its checksum can be
// known (an Append-mode file's old bytes stay in AIS until something needs them).
func (f *File) localContent() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.base == 0
}

// digestTo returns the XXH64 of content[0:size). The writes hashed what extended the prefix
// in order (wh); only the rest (bytes written out of order, or everything after a change
// below the hashed prefix) is read back from the staging file. The gate is held exclusively,
// so the content is still, and base is 0.
func (f *File) digestTo(size int64) (*xxhash.Digest, error) {
	f.mu.Lock()
	d, from := f.wh, f.hashed
	f.mu.Unlock()
	if from > size { // cannot happen: a truncate below the hashed prefix restarts it
		d, from = *xxhash.New(), 0
	}
	if from == size {
		return &d, nil
	}
	bp := f.m.hashBufs.Get().(*[]byte)
	defer f.m.hashBufs.Put(bp)
	n, err := io.CopyBuffer(&d, f.stagedReader(from, size-from), *bp)
	if err == nil && n != size-from {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errStaging, err)
	}
	f.mu.Lock()
	if f.hashed == from {
		f.wh, f.hashed = d, size
	}
	f.mu.Unlock()
	return &d, nil
}
