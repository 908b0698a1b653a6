package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// errAbandoned ends a queued readahead whose Reader closed before it started. No reader waits
// on such a fetch: a demand read that needs a queued block starts it at once (promotion).
var errAbandoned = errors.New("readahead abandoned")

// fetch is one block on its way into the cache. done is closed once data or err is set.
type fetch struct {
	// Write once.
	key   blockKey
	obj   Object
	off   int64
	size  int64
	owner *Reader       // the Reader whose readahead scheduled it; nil for demand
	done  chan struct{} // closed when data/err are final

	// Guarded by Cache.mu.
	queued  bool // waiting in Cache.raQueue for a readahead slot
	raSlot  bool // running in one of the readahead slots
	waiters int  // readers that will take the block: each is owed a hold on it
	fetched bool // its data came from the Fetcher, not from the Tier

	// Set before done is closed; read only after.
	data *block
	err  error
}

// wait returns the block once fetched, with a hold the caller must release, or ctx.Err() as
// soon as the caller gives up; the fetch itself goes on for other waiters.
func (c *Cache) wait(ctx context.Context, f *fetch) (*block, error) {
	select {
	case <-f.done:
		return f.data, f.err
	case <-ctx.Done():
		c.abandon(f)
		return nil, ctx.Err()
	}
}

// abandon gives up a waiter's claim on f: before f finishes it is no longer counted, after it
// finished the hold it was given goes back.
func (c *Cache) abandon(f *fetch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-f.done:
		if f.data != nil {
			f.data.release()
		}
	default:
		f.waiters--
	}
}

// startLocked reserves room for block idx of obj and fetches it in the background: at once for
// demand (owner nil), or for readahead by owner when a readahead slot is free (and queue is
// false), else in FIFO order as slots free up, so the block a stream needs first is fetched first.
func (c *Cache) startLocked(obj Object, idx, size int64, owner *Reader, queue bool) (*fetch, error) {
	if c.closed {
		return nil, ErrClosed
	}
	f := &fetch{
		key:   blockKey{obj.Key, idx},
		obj:   obj,
		off:   idx * c.cfg.BlockSize,
		size:  size,
		owner: owner,
		done:  make(chan struct{}),
	}
	c.makeRoomLocked(size)
	c.reserved += size
	c.inflight[f.key] = f
	switch {
	case owner == nil:
		c.spawnLocked(f)
	case c.raRunning < c.raSlots && !queue:
		c.raBytes += size
		c.readaheads.Add(1)
		f.raSlot = true
		c.raRunning++
		c.spawnLocked(f)
	default:
		c.raBytes += size
		c.readaheads.Add(1)
		f.queued = true
		c.raQueue = append(c.raQueue, f)
	}
	return f, nil
}

func (c *Cache) spawnLocked(f *fetch) {
	c.wg.Add(1)
	go c.run(f)
}

// promoteLocked starts a queued readahead at once because a reader now waits on it.
func (c *Cache) promoteLocked(f *fetch) {
	if !f.queued {
		return
	}
	for i, q := range c.raQueue {
		if q == f {
			c.raQueue = append(c.raQueue[:i], c.raQueue[i+1:]...)
			break
		}
	}
	f.queued = false
	c.spawnLocked(f)
}

// startQueuedLocked moves queued readahead into free readahead slots.
func (c *Cache) startQueuedLocked() {
	for c.raRunning < c.raSlots && len(c.raQueue) > 0 {
		f := c.raQueue[0]
		c.raQueue[0] = nil
		c.raQueue = c.raQueue[1:]
		f.queued, f.raSlot = false, true
		c.raRunning++
		c.spawnLocked(f)
	}
	if len(c.raQueue) == 0 {
		c.raQueue = nil // let the backing array go
	}
}

// dropQueuedLocked ends every queued readahead of owner (all of them when owner is nil) with err.
func (c *Cache) dropQueuedLocked(owner *Reader, err error) {
	kept := c.raQueue[:0]
	for _, f := range c.raQueue {
		if owner != nil && f.owner != owner {
			kept = append(kept, f)
			continue
		}
		f.queued = false
		c.finishLocked(f, nil, err)
	}
	clear(c.raQueue[len(kept):])
	c.raQueue = kept
}

// run is the goroutine behind one started fetch, and of the queued readahead blocks right
// after it that it takes along (run.go).
func (c *Cache) run(f *fetch) {
	defer c.wg.Done()
	if more := c.claimRun(f); len(more) > 0 {
		c.fetchRun(append([]*fetch{f}, more...))
	} else {
		data, err := c.fetchBlock(f)
		if err != nil {
			c.log.Debug("block fetch failed", "key", f.key.key, "block", f.key.idx, "err", err)
		}
		c.mu.Lock()
		c.finishLocked(f, data, err)
		c.mu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.raSlot {
		c.raRunning--
		c.startQueuedLocked()
	}
}

// finishLocked publishes a fetch's outcome, caches its block, gives each waiter its hold and
// releases the fetch's reservation.
func (c *Cache) finishLocked(f *fetch, data *block, err error) {
	if c.inflight[f.key] == f {
		delete(c.inflight, f.key)
	}
	c.reserved -= f.size
	if f.owner != nil {
		c.raBytes -= f.size
	}
	if err == nil {
		data.refs.Add(int32(f.waiters) + 1) // the fetch's own hold, dropped below
		c.addLocked(f.key, data)
		f.data = data
		c.storeTierLocked(f, data)
		data.release()
	}
	f.err = err
	close(f.done)
}

// fetchBlock takes one of the MaxFetches slots and reads the block.
func (c *Cache) fetchBlock(f *fetch) (*block, error) {
	select {
	case c.sem <- struct{}{}:
	case <-c.ctx.Done():
		return nil, ErrClosed
	}
	defer func() { <-c.sem }()
	b := c.newBlock(f.size)
	if c.loadTier(f, b) {
		return b, nil
	}
	if err := c.fill(c.ctx, f.obj, f.off, b.data); err != nil {
		buf := b.data
		b.pool.Put(&buf)
		return nil, err
	}
	f.fetched = true // read by finishLocked, which this goroutine runs next
	return b, nil
}

// fill calls the object's Fetcher for exactly len(p) bytes at off.
func (c *Cache) fill(ctx context.Context, obj Object, off int64, p []byte) error {
	n, err := obj.Fetch(ctx, off, p)
	n = max(0, min(n, len(p)))
	c.fetches.Add(1)
	c.fetchBytes.Add(int64(n))
	if n == len(p) && (err == nil || errors.Is(err, io.EOF)) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("cache: fetch %q [%d, %d): got %d bytes: %w", obj.Key, off, off+int64(len(p)), n, err)
}

// bypass reads p at off straight from the object on the caller's context, without caching.
func (c *Cache) bypass(ctx context.Context, obj Object, off int64, p []byte) error {
	if c.ctx.Err() != nil {
		return ErrClosed
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.ctx.Done():
		return ErrClosed
	}
	defer func() { <-c.sem }()
	c.bypassReads.Add(1)
	return c.fill(ctx, obj, off, p)
}
