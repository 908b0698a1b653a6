package cache

import (
	"errors"
	"fmt"
	"io"
	"slices"
)

// claimRun takes the readahead blocks queued right behind f, of the same reader, so that f's
// goroutine reads them with one Object.FetchRun call. They leave the queue (a demand read of one
// now waits for the run) and need no slot of their own: the run holds f's.
func (c *Cache) claimRun(f *fetch) []*fetch {
	if f.owner == nil || f.obj.FetchRun == nil || c.cfg.MaxRun < 2 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var more []*fetch
	for j := int64(1); j < int64(c.cfg.MaxRun); j++ {
		g, ok := c.inflight[blockKey{f.key.key, f.key.idx + j}]
		if !ok || !g.queued || g.owner != f.owner {
			break
		}
		c.raQueue = slices.DeleteFunc(c.raQueue, func(q *fetch) bool { return q == g })
		g.queued = false
		more = append(more, g)
	}
	return more
}

// fetchRun reads the consecutive blocks of run with one FetchRun call in one of the MaxFetches
// slots. Each block is cached, and its waiters served, as soon as its bytes are in; the blocks
// the call did not complete fail with its error.
func (c *Cache) fetchRun(run []*fetch) {
	blocks := make([]*block, len(run))
	next := 0 // blocks before next are finished
	fail := func(err error) {
		c.log.Debug("block run fetch failed", "key", run[0].key.key, "block", run[next].key.idx, "blocks", len(run)-next, "err", err)
		c.mu.Lock()
		defer c.mu.Unlock()
		for i := next; i < len(run); i++ {
			if b := blocks[i]; b != nil {
				buf := b.data
				b.pool.Put(&buf)
			}
			c.finishLocked(run[i], nil, err)
		}
	}
	select {
	case c.sem <- struct{}{}:
	case <-c.ctx.Done():
		fail(ErrClosed)
		return
	}
	defer func() { <-c.sem }()
	bufs := make([][]byte, len(run))
	for i, f := range run {
		blocks[i] = c.newBlock(f.size)
		bufs[i] = blocks[i].data
	}
	finish := func(i int) {
		c.mu.Lock()
		c.finishLocked(run[i], blocks[i], nil)
		c.mu.Unlock()
		next++
	}
	// Blocks the tier holds at the front of the run need no request.
	for next < len(run) && c.loadTier(run[next], blocks[next]) {
		finish(next)
	}
	if next == len(run) {
		return
	}
	start := next
	obj := run[0].obj
	err := obj.FetchRun(c.ctx, run[start].off, bufs[start:], func(i int) {
		if i += start; i != next {
			return // out of order: the contract was broken; the block stays unfinished
		}
		c.fetchBytes.Add(int64(len(bufs[i])))
		run[i].fetched = true // offered to the tier by finishLocked
		finish(i)
	})
	c.fetches.Add(1)
	if next == len(run) {
		return
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	fail(fmt.Errorf("cache: fetch %q blocks %d..%d: %w", obj.Key, run[next].key.idx, run[len(run)-1].key.idx, err))
}
