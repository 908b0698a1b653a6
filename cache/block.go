package cache

import (
	"sync"
	"sync/atomic"
)

// block is one cached block. Its buffer goes back to a pool once neither the cache nor any
// reader holds it, so a stream through the cache reuses memory that is already mapped instead
// of faulting in fresh pages for every block (that cost more CPU than the network copy).
type block struct {
	data []byte
	refs atomic.Int32 // the cache's hold, one per reader holding data, one per waiter owed it
	pool *sync.Pool   // nil for buffers of odd sizes, which the GC takes
}

// newBlock returns a block of size bytes with no holds.
func (c *Cache) newBlock(size int64) *block {
	if size != c.cfg.BlockSize {
		return &block{data: make([]byte, size)}
	}
	if p, ok := c.bufs.Get().(*[]byte); ok {
		return &block{data: (*p)[:size], pool: &c.bufs}
	}
	return &block{data: make([]byte, size), pool: &c.bufs}
}

func (b *block) hold() { b.refs.Add(1) }

// release drops one hold; the last one returns the buffer to the pool.
func (b *block) release() {
	switch n := b.refs.Add(-1); {
	case n == 0 && b.pool != nil:
		buf := b.data[:cap(b.data)]
		b.data = nil
		b.pool.Put(&buf)
	case n < 0:
		panic("cache: block released more often than held")
	}
}

// releaseAll releases every block in bs.
func releaseAll(bs []*block) {
	for _, b := range bs {
		if b != nil {
			b.release()
		}
	}
}
