package writeback

import (
	"context"
	"fmt"
	"io"
	"os"
)

// streamableLocked: the uploader has a whole piece to send on a chain that can only end in
// the right object.
func (f *File) streamableLocked() bool {
	if f.closed || f.syncing || f.err != nil || f.streamOff || f.sput.active {
		return false
	}
	next := f.obj.length
	if f.chain.active {
		next = f.chain.sent
	} else if !f.obj.ok {
		return false
	}
	return f.front.end-next >= f.m.cfg.ChunkSize
}

// maybeStreamLocked starts the uploader if it has work and is not running.
func (f *File) maybeStreamLocked() {
	if f.sput.active {
		f.putCond.Broadcast() // its body may be waiting for these bytes
		return
	}
	if f.putStreamableLocked() {
		f.startPutLocked()
		return
	}
	if f.uploading || !f.streamableLocked() {
		return
	}
	ctx, cancel := context.WithCancel(f.m.ctx)
	f.uploading = true
	f.upDone = make(chan struct{})
	f.upCancel = cancel
	go f.stream(ctx, f.upDone, cancel)
}

// stream sends whole pieces after the chain's end until there are none, Sync takes over,
// or an append fails. Appends are serial: each needs the handle the previous one returned.
func (f *File) stream(ctx context.Context, done chan struct{}, cancel context.CancelFunc) {
	defer close(done)
	defer cancel()
	for {
		f.mu.Lock()
		// Checking and leaving under one lock hold: a write that finds uploading set
		// relies on this goroutine to see its piece.
		if !f.streamableLocked() {
			f.uploading = false
			f.mu.Unlock()
			return
		}
		if !f.chain.active {
			f.startChainLocked()
		}
		n := f.m.cfg.ChunkSize
		off, handle, gen := f.chain.sent, f.chain.handle, f.chain.gen
		f.chain.inflight = n
		f.mu.Unlock()

		next, err := f.appendPiece(ctx, handle, off, n)

		f.mu.Lock()
		switch {
		case f.chain.gen != gen:
			// Dropped while we sent: the answer means nothing now.
		case err != nil:
			f.chainErr = err
			f.dropChainLocked()
			f.streamOff = true
			f.m.log.Debug("writeback: streaming stopped; Sync will upload the staging file",
				"bucket", f.bck.String(), "object", f.name, "offset", off, "err", err)
		default:
			f.chain.inflight = 0
			f.chain.handle, f.chain.sent = next, off+n
		}
		f.mu.Unlock()
	}
}

// startChainLocked begins a chain on top of the object, which holds content[0:obj.length).
func (f *File) startChainLocked() {
	f.chain = chainState{active: true, gen: f.chain.gen + 1, sent: f.obj.length}
}

// dropChainLocked abandons the chain: it is never flushed, so the object is untouched.
func (f *File) dropChainLocked() {
	f.chain = chainState{gen: f.chain.gen + 1}
}

// appendPiece sends content[off, off+n) from the staging file as the next append of the
// chain at handle and returns the next handle. The bytes go from the page cache to the
// socket (sendfile): no buffer, so no memory budget.
func (f *File) appendPiece(ctx context.Context, handle string, off, n int64) (string, error) {
	r, err := f.section(off)
	if err != nil {
		return "", err
	}
	defer r.Close()
	f.m.uploads.Add(1)
	next, err := f.m.store.AppendFrom(ctx, f.bck, f.name, handle, r, n)
	f.m.uploads.Add(-1)
	if err != nil {
		return "", fmt.Errorf("append at offset %d: %w", off, err)
	}
	f.m.uploaded.Add(n)
	return next, nil
}

// section opens the staging file anew, positioned at off, as the body of one request. Its
// own descriptor, because the kernel reads it from its position (sendfile), and a request
// that was given up may still be sending while the next one starts.
func (f *File) section(off int64) (*os.File, error) {
	f.mu.Lock()
	path := f.path
	f.mu.Unlock()
	r, err := os.Open(path)
	if err == nil {
		_, err = r.Seek(off, io.SeekStart)
		if err != nil {
			r.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errStaging, err)
	}
	return r, nil
}
