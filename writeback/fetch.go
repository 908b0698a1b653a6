package writeback

import (
	"context"
	"fmt"
	"io"

	"github.com/aisfs/aisfs/internal/xxhash"
)

// fetch brings the object's old bytes into the staging file (see fetchLocked).
func (f *File) fetch(ctx context.Context) error {
	f.fetchMu.Lock()
	defer f.fetchMu.Unlock()
	return f.fetchLocked(ctx)
}

// fetchLocked fills the hole [0, base) from the object, or for an Edit-mode file not yet
// fetched, replaces the content with the whole object. Callers hold fetchMu (not mu): the
// GET runs while other accesses beyond base proceed. A failure leaves the File as it was.
func (f *File) fetchLocked(ctx context.Context) error {
	f.mu.Lock()
	closed := f.closed
	edit := f.mode == Edit && !f.fetched
	want := f.base
	f.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case !edit && want == 0:
		return nil // fetched meanwhile
	}

	n, d, err := f.download(ctx, edit, want)
	if err != nil {
		f.m.space.release(n)
		if edit {
			f.fh.Truncate(0) // nothing else was staged before the fetch
		}
		return fmt.Errorf("writeback: fetching %s/%s: %w", f.bck, f.name, err)
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.reserved += n
	f.base = 0
	if f.hashed == 0 { // nothing below base could be hashed: the download's hash is the prefix's
		f.wh, f.hashed = *d, n
	}
	if edit {
		f.fetched = true
		f.size = n
		f.obj = objState{ok: true, exists: true, length: n}
		f.front.reset(n)
	}
	return nil
}

// download copies the object into the staging file from offset 0: all of it (edit), or
// exactly want bytes. It returns the bytes copied, all reserved against MaxStaging, and
// their digest.
func (f *File) download(ctx context.Context, all bool, want int64) (int64, *xxhash.Digest, error) {
	rc, attrs, err := f.m.store.GetObject(ctx, f.bck, f.name)
	if err != nil {
		return 0, nil, err
	}
	defer rc.Close()                                           // for an exact fetch, before the rest of the body: not needed
	granted, err := f.m.budget.acquire(ctx, f.m.cfg.ChunkSize) // the buffer counts as memory in flight
	if err != nil {
		return 0, nil, err
	}
	defer f.m.budget.release(granted)
	bp := f.m.getBuf()
	defer f.m.putBuf(bp)
	buf := *bp
	d := xxhash.New()
	var off int64
	for all || off < want {
		lim := int64(len(buf))
		if !all {
			lim = min(lim, want-off)
		}
		k, rerr := readFull(rc, buf[:lim])
		if k > 0 {
			if err := f.m.space.reserve(int64(k)); err != nil {
				return off, nil, err
			}
			if _, err := f.fh.WriteAt(buf[:k], off); err != nil {
				return off + int64(k), nil, fmt.Errorf("staging write: %w", err)
			}
			d.Write(buf[:k])
			off += int64(k)
		}
		switch {
		case rerr == nil:
		case rerr == io.EOF && all:
			if attrs != nil && attrs.Size > 0 && off != attrs.Size {
				return off, nil, fmt.Errorf("object body has %d bytes, announced %d: %w", off, attrs.Size, io.ErrUnexpectedEOF)
			}
			return off, d, nil
		case rerr == io.EOF:
			return off, nil, fmt.Errorf("object has %d bytes, expected at least %d: %w", off, want, io.ErrUnexpectedEOF)
		default:
			return off, nil, rerr
		}
	}
	return off, d, nil
}

// readFull is io.ReadFull without its error conversion: io.EOF means the stream ended
// cleanly, and a body cut short (io.ErrUnexpectedEOF from net/http) stays an error.
func readFull(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k, err := r.Read(p[n:])
		n += k
		if err == io.EOF && n == len(p) {
			return n, nil // the next Read reports the end again
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
