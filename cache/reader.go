package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Reader reads one Object through the cache. It is one open file handle: safe for concurrent
// use, and it tracks the access pattern that drives readahead and bypass reads.
type Reader struct {
	// Write once.
	c       *Cache
	obj     Object
	bs      int64
	nblocks int64

	mu     sync.Mutex // guards the pattern below; taken before Cache.mu, never after
	stream stream
	closed bool
	cover  coverage // what reads returned (Forget)
}

// NewReader returns a Reader of obj. Close it when the handle is released.
func (c *Cache) NewReader(obj Object) *Reader {
	obj.Size = max(obj.Size, 0)
	bs := c.cfg.BlockSize
	return &Reader{
		c:       c,
		obj:     obj,
		bs:      bs,
		nblocks: (obj.Size + bs - 1) / bs,
		stream:  newStream(),
		cover:   newCoverage(obj.Size),
	}
}

// Close stops this reader's readahead: its fetches still queued for a slot are dropped (running
// ones complete into the cache). Reads keep working after Close, without readahead.
func (r *Reader) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.c.mu.Lock()
	r.c.dropQueuedLocked(r, errAbandoned)
	r.c.mu.Unlock()
}

// Forget closes r and, when r has read all of its object, drops the object's blocks from memory:
// the caller keeps the bytes elsewhere (a FUSE handle's reads stay in the kernel's page cache).
// Holding them twice made the garbage collector the largest cost of a shuffled read of many small
// files: a cache full of blocks read once keeps the heap at the memory limit, so every few MiB
// allocated start a collection. Blocks still held by a read are freed when it releases them.
func (r *Reader) Forget() {
	r.Close()
	r.mu.Lock()
	whole := r.cover.whole(r.obj.Size)
	r.mu.Unlock()
	if !whole {
		return
	}
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	r.c.forgetting = true // not an eviction (onEvict)
	for idx := range r.nblocks {
		if r.c.lru.Remove(blockKey{r.obj.Key, idx}) {
			r.c.forgotten.Add(1)
		}
	}
	r.c.forgetting = false
}

// Read returns up to size bytes at off in a buffer of the caller's. The result is short only at
// the end of the object, and empty with a nil error at or past it.
func (r *Reader) Read(ctx context.Context, off int64, size int) ([]byte, error) {
	data, release, err := r.ReadRef(ctx, off, size)
	if err != nil || release == nil {
		return data, err
	}
	defer release()
	return append([]byte(nil), data...), nil
}

// ReadRef is Read without a copy when the range lies in one cached block: data is then part of
// the block, read-only, and valid until release is called (which must happen exactly once; the
// block's memory is reused after). release is nil when data is the caller's to keep.
func (r *Reader) ReadRef(ctx context.Context, off int64, size int) (data []byte, release func(), err error) {
	end, err := r.clamp(off, size)
	if err != nil || end == off {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return r.read(ctx, off, end, nil)
}

// ReadAt implements io.ReaderAt on context.Background(): it copies into p and returns io.EOF when
// fewer than len(p) bytes remain.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	end, err := r.clamp(off, len(p))
	if err != nil {
		return 0, err
	}
	if end > off {
		if _, _, err := r.read(context.Background(), off, end, p); err != nil {
			return 0, err
		}
	}
	if n := int(end - off); n < len(p) {
		return n, io.EOF
	}
	return len(p), nil
}

// read returns [off, end), a non-empty range inside the object: copied into dst when it is given,
// else part of one held block (with its release) or a new buffer.
func (r *Reader) read(ctx context.Context, off, end int64, dst []byte) ([]byte, func(), error) {
	first, last := off/r.bs, (end-1)/r.bs
	var blocks []*block
	if r.observe(off, end) {
		var ok bool
		if blocks, ok = r.c.peek(r.obj.Key, first, last); !ok {
			if dst == nil {
				dst = make([]byte, end-off)
			}
			dst = dst[:end-off]
			if err := r.c.bypass(ctx, r.obj, off, dst); err != nil {
				return nil, nil, err
			}
			return dst, nil, nil
		}
	} else {
		var err error
		if blocks, err = r.c.blocks(ctx, r, first, last); err != nil {
			return nil, nil, err
		}
	}
	r.mu.Lock()
	r.cover.add(off, end, r.obj.Size)
	r.mu.Unlock()
	if len(blocks) == 1 && dst == nil {
		lo, hi := off-first*r.bs, end-first*r.bs
		return blocks[0].data[lo:hi:hi], blocks[0].release, nil
	}
	defer releaseAll(blocks)
	return r.assemble(blocks, off, end, dst), nil, nil
}

// errNegativeOffset rejects reads before the start of an object.
var errNegativeOffset = errors.New("cache: negative offset")

// clamp returns the end of the readable range [off, off+size), limited by the object's size.
func (r *Reader) clamp(off int64, size int) (int64, error) {
	if off < 0 {
		return off, fmt.Errorf("%w %d", errNegativeOffset, off)
	}
	if size <= 0 || off >= r.obj.Size {
		return off, nil
	}
	return off + min(int64(size), r.obj.Size-off), nil
}

// blockLen is the length of block idx; only the last block is short.
func (r *Reader) blockLen(idx int64) int64 { return min(r.bs, r.obj.Size-idx*r.bs) }

// assemble copies [off, end) from blocks first..last into dst (or a new buffer).
func (r *Reader) assemble(blocks []*block, off, end int64, dst []byte) []byte {
	first := off / r.bs
	if dst == nil {
		dst = make([]byte, end-off)
	}
	pos := off
	for i, b := range blocks {
		start := (first + int64(i)) * r.bs
		n := copy(dst[pos-off:end-off], b.data[pos-start:])
		pos += int64(n)
	}
	return dst[:end-off]
}

// StartWhole begins fetching an object that fits one block, in the background, unless it is
// cached or in flight already; the first read then waits for that fetch instead of starting its
// own. A caller that knows the whole object will be read (a small file's open) so overlaps the
// fetch with the round trips before its first read.
func (r *Reader) StartWhole() {
	if r.nblocks != 1 {
		return
	}
	k := blockKey{r.obj.Key, 0}
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	if _, ok := r.c.inflight[k]; ok || r.c.lru.Contains(k) {
		return
	}
	_, _ = r.c.startLocked(r.obj, 0, r.blockLen(0), nil, false) // an error (closed) is the read's to report
}
