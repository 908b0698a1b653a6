package cache

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// block is one cached block. Its buffer goes back to a pool once neither the cache nor any
// reader holds it, so a stream through the cache reuses memory that is already mapped instead
// of faulting in fresh pages for every block (that cost more CPU than the network copy), and
// small objects do not feed the garbage collector one buffer each: under the memory limit
// (cmd/aisfs) a 64 KiB buffer per file read made GC 10% of the daemon's CPU.
type block struct {
	data []byte
	refs atomic.Int32 // the cache's hold, one per reader holding data, one per waiter owed it
	pool *sync.Pool   // of buffers of data's capacity
}

// newBlock returns a block of size bytes with no holds.
func (c *Cache) newBlock(size int64) *block {
	class := bufClass(size)
	pool := c.pool(class)
	if p, ok := pool.Get().(*[]byte); ok {
		return &block{data: (*p)[:size], pool: pool}
	}
	return &block{data: make([]byte, size, class), pool: pool}
}

// pool returns the pool of buffers of capacity class.
func (c *Cache) pool(class int64) *sync.Pool {
	if p, ok := c.pools.Load(class); ok {
		return p.(*sync.Pool)
	}
	p, _ := c.pools.LoadOrStore(class, new(sync.Pool))
	return p.(*sync.Pool)
}

// bufClass is the capacity of the pooled buffer for size bytes: size rounded up to a sixteenth
// of the power of two above it, at least 4 KiB, so a buffer wastes at most an eighth of size and
// there are few classes (8 per power of two).
func bufClass(size int64) int64 {
	const minClass = 4 << 10
	if size <= minClass {
		return minClass
	}
	step := int64(1) << (bits.Len64(uint64(size-1)) - 4)
	return (size + step - 1) / step * step
}

func (b *block) hold() { b.refs.Add(1) }

// release drops one hold; the last one returns the buffer to the pool.
func (b *block) release() {
	switch n := b.refs.Add(-1); {
	case n == 0:
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
