package writeback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"sync"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/xxhash"
)

// The streaming PUT. A new content written in order (Truncate mode, nothing uploaded yet)
// goes up as ONE PUT whose chunked body follows the writes: once a chunk's worth is written,
// the request opens and its body reads the staging file just behind the writer, waiting
// for more until Sync ends it at the content's size. Writes never wait for it: the staging
// file absorbs a slow network, and it stays the source of any resend. This replaces the
// serial append chain (one request, and one target round trip, per piece) for the common
// "cp a big file" case.
//
// A PUT carries no checksum AIS could check before it stores the object (the sum is known
// only at the end), so Sync compares the checksum AIS computed and returned with our running
// XXH64, and resends from staging (a PUT with the checksum, verified by AIS) on a mismatch.
// A change to bytes the body already read (a rewrite, a truncate below them) gives the
// request up: its context is cancelled before the body ends, so AIS stores nothing and an
// older object stays as it was. Sync then PUTs the staging file as it would have without
// streaming. Once the object holds a piece or more, later writes stream with appends.
//
// A connection that dies while the body waits for the writer is noticed at the next write or
// at Sync (net/http's writer is blocked in the body's Read until then); either way Sync then
// PUTs the staging file.

// errPutAbandoned ends the body of a streaming PUT that was given up.
var errPutAbandoned = errors.New("writeback: streaming PUT abandoned")

// putState is the streaming PUT under way. GUARDED_BY(File.mu)
type putState struct {
	active bool
	gen    uint64 // bumped whenever the PUT is dropped, so its body and answer are ignored
	sent   int64  // content[0:sent) was handed to the body (or is being read for it)
	end    int64  // -1 until Sync ends the body at the content's size
	over   bool   // the request has returned: attrs and err are its outcome
	custom map[string]string
	attrs  *aisclient.ObjAttrs
	err    error
	cancel context.CancelFunc
	done   chan struct{}
}

// putStreamableLocked: a streaming PUT can start now. Besides a content nothing of which was
// uploaded yet, that is one whose object holds less than a piece: a Sync would PUT it whole
// anyway. The common case is a file created and flushed empty before its writes, as a shell
// redirection or dd does (open, dup2, close: FUSE sends FLUSH, which uploads).
func (f *File) putStreamableLocked() bool {
	fresh := f.last.Method == MethodNone || f.obj.ok && f.obj.length < f.m.cfg.ChunkSize
	return !f.m.cfg.NoStreamPut && !f.sput.active && f.mode == Truncate && f.base == 0 &&
		fresh && f.fh != nil && !f.closed && !f.syncing && f.err == nil &&
		!f.streamOff && !f.uploading && !f.chain.active && f.front.end >= f.m.cfg.ChunkSize &&
		!f.m.noStreamPut(f.bck)
}

// startPutLocked opens the streaming PUT; its body begins at content offset 0.
func (f *File) startPutLocked() {
	r, err := os.Open(f.path) // its own descriptor: a request given up may still be reading
	if err != nil {
		f.streamOff = true
		f.m.log.Debug("writeback: no streaming PUT", "path", f.path, "err", err)
		return
	}
	if f.putCond == nil {
		f.putCond = sync.NewCond(&f.mu)
	}
	ctx, cancel := context.WithCancel(f.m.ctx)
	gen := f.sput.gen + 1
	f.sput = putState{active: true, gen: gen, end: -1, cancel: cancel, done: make(chan struct{})}
	f.m.streamed.Add(1)
	f.putDone = f.sput.done
	go f.runPut(ctx, gen, &putBody{f: f, gen: gen, r: r}, f.sput.done)
}

// runPut sends the streaming PUT and records its answer.
func (f *File) runPut(ctx context.Context, gen uint64, body *putBody, done chan struct{}) {
	defer close(done)
	defer body.r.Close()
	custom := f.currentCustom()
	f.mu.Lock()
	if f.sput.gen == gen {
		f.sput.custom = custom
	}
	f.mu.Unlock()

	f.m.uploads.Add(1)
	attrs, err := f.m.store.PutObject(ctx, f.bck, f.name, body, -1, aisclient.PutOptions{Custom: custom})
	f.m.uploads.Add(-1)

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sput.gen != gen {
		return // given up: nothing depends on the answer
	}
	f.sput.over, f.sput.attrs, f.sput.err = true, attrs, err
	if err != nil && f.sput.end < 0 {
		// Failed before Sync: drop it now, so the rest goes the old way.
		f.chainErr = err
		f.dropPutLocked()
		f.streamOff = true
		f.m.log.Debug("writeback: streaming PUT failed; Sync will upload the staging file",
			"bucket", f.bck.String(), "object", f.name, "err", err)
	}
	f.putCond.Broadcast()
}

// dropPutLocked gives the streaming PUT up: its context is cancelled before its body ends,
// so AIS stores nothing. It returns without waiting for the request.
func (f *File) dropPutLocked() {
	if !f.sput.active {
		return
	}
	f.sput.cancel()
	f.sput = putState{gen: f.sput.gen + 1, end: -1}
	f.putCond.Broadcast()
}

// stopPut drops the streaming PUT and waits until its request (or that of one dropped
// before) is gone; mu is not held.
func (f *File) stopPut() {
	f.mu.Lock()
	done := f.putDone
	f.dropPutLocked()
	f.mu.Unlock()
	if done != nil {
		<-done
	}
}

// finishPutLocked ends the body at the content's size, waits for AIS's answer and checks that
// AIS stored our bytes. The gate is held exclusively; mu is held on entry, with the PUT active,
// and released here. Taken in the same hold as the check that the PUT is active: in a gap
// between them, a PUT failing before its end was set would be dropped (runPut), leaving no done
// channel to wait on and no cancel to call.
func (f *File) finishPutLocked(ctx context.Context) error {
	size := f.size
	f.sput.end = size
	f.putCond.Broadcast()
	gen, done, cancel := f.sput.gen, f.sput.done, f.sput.cancel
	f.mu.Unlock()

	d, derr := f.digestTo(size) // while AIS takes the rest
	select {
	case <-done:
	case <-ctx.Done():
		cancel()
		<-done
	}
	f.mu.Lock()
	var attrs *aisclient.ObjAttrs
	err := errPutAbandoned
	if f.sput.gen == gen && f.sput.over {
		attrs, err = f.sput.attrs, f.sput.err
	}
	custom := f.sput.custom
	f.dropPutLocked()
	f.mu.Unlock()
	if err == nil && derr != nil {
		err = derr
	}
	if err == nil {
		err = f.checkStreamed(attrs, size, d)
	}
	if err != nil {
		f.mu.Lock()
		f.obj.ok = false
		f.streamOff = true
		f.mu.Unlock()
		return fmt.Errorf("streaming put: %w", err)
	}
	// Metadata set after the PUT's headers went out is not in the object: the caller sets it.
	method := MethodPut
	if !maps.Equal(custom, f.currentCustom()) {
		method = MethodStreamNoMeta
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m.uploaded.Add(size)
	f.obj = objState{ok: true, exists: true, length: size}
	f.cleanLocked(size)
	f.last = SyncResult{Method: method, Size: size, Attrs: attrs}
	return nil
}

// checkStreamed verifies a streamed PUT by the checksum AIS computed as it stored it. A bucket
// whose checksum is not xxhash2 cannot be verified that way: its Files stop streaming PUTs,
// and this one is resent with a checksum AIS checks.
func (f *File) checkStreamed(attrs *aisclient.ObjAttrs, size int64, d *xxhash.Digest) error {
	want := xxhash.Hex(d.Sum64())
	if attrs.CksumType != cksumXXHash || attrs.CksumValue == "" {
		f.m.setNoStreamPut(f.bck)
		return fmt.Errorf("AIS returned checksum %q %q, cannot verify: %w",
			attrs.CksumType, attrs.CksumValue, aisclient.ErrBadChecksum)
	}
	return checkPut(attrs, size, want)
}

// currentCustom is the custom metadata a PUT would carry now.
func (f *File) currentCustom() map[string]string {
	f.mu.Lock()
	custom := cloneCustom(f.custom)
	f.mu.Unlock()
	if f.customFn != nil {
		if custom == nil {
			custom = map[string]string{}
		}
		maps.Copy(custom, f.customFn())
	}
	return custom
}

// putBody is the body of a streaming PUT: content[0:end) read from the staging file as the
// writes make it available.
type putBody struct {
	f   *File
	gen uint64
	r   *os.File
	pos int64
}

// next reserves up to want bytes at pos, waiting for the writer; io.EOF once Sync ended the
// body and all of it was read.
func (b *putBody) next(want int64) (int64, error) {
	f := b.f
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		p := &f.sput
		if p.gen != b.gen || p.over {
			return 0, errPutAbandoned
		}
		avail := f.front.end
		if p.end >= 0 {
			avail = p.end // holes left at Sync are zeros in the staging file
		}
		if b.pos < avail {
			n := min(want, avail-b.pos)
			p.sent = max(p.sent, b.pos+n) // a change below this gives the PUT up
			return n, nil
		}
		if p.end >= 0 {
			return 0, io.EOF
		}
		f.putCond.Wait()
	}
}

func (b *putBody) Read(p []byte) (int, error) {
	n, err := b.next(int64(len(p)))
	if n == 0 {
		return 0, err
	}
	m, err := b.r.ReadAt(p[:n], b.pos)
	b.pos += int64(m)
	if m < int(n) {
		return m, fmt.Errorf("%w: %w", errStaging, err)
	}
	return m, nil
}

// WriteTo sends the body in large pieces (net/http copies a Reader in 32 KiB ones).
func (b *putBody) WriteTo(w io.Writer) (int64, error) {
	bp := b.f.m.hashBufs.Get().(*[]byte)
	defer b.f.m.hashBufs.Put(bp)
	var total int64
	for {
		n, err := b.Read(*bp)
		if n > 0 {
			k, werr := w.Write((*bp)[:n])
			total += int64(k)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
