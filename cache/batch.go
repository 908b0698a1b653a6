package cache

import "errors"

// A Batch fills whole small objects that a caller fetches together (one batched request for
// many objects) instead of one Fetcher call each. StartBatch registers every object it takes as
// its one block in flight, so a reader of one of them waits for the batch instead of fetching
// it again; the caller then fills each member in turn and ends the batch. A member that is never
// filled (the batch broke off, the bytes did not check out) is fetched the ordinary way, with
// its Object's Fetcher, if a reader is waiting for it, and dropped otherwise. Batch bytes are
// reserved like any fetch's, so they count against Capacity from the start.
//
// A Batch is used by one goroutine; its methods may run concurrently with any Reader.
type Batch struct {
	c  *Cache
	fs []*fetch // by member; nil once settled, or when StartBatch did not take it
}

// errBatchDropped ends an unfilled member nobody waits for. No reader ever sees it.
var errBatchDropped = errors.New("batch member dropped")

// StartBatch takes the objects of objs that fit one block, are not empty and are neither cached
// nor in flight, while the bytes it takes stay within maxBytes. Taken(i) tells which it took.
func (c *Cache) StartBatch(objs []Object, maxBytes int64) *Batch {
	b := &Batch{c: c, fs: make([]*fetch, len(objs))}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return b
	}
	var taken int64
	for i, obj := range objs {
		if obj.Size <= 0 || obj.Size > c.cfg.BlockSize || taken+obj.Size > maxBytes {
			continue
		}
		k := blockKey{obj.Key, 0}
		if _, ok := c.inflight[k]; ok {
			continue
		}
		if c.lru.Contains(k) {
			continue
		}
		f := &fetch{key: k, obj: obj, size: obj.Size, done: make(chan struct{})}
		c.makeRoomLocked(f.size)
		c.reserved += f.size
		c.inflight[k] = f
		b.fs[i] = f
		taken += f.size
	}
	return b
}

// Taken reports whether member i is the batch's to fill.
func (b *Batch) Taken(i int) bool { return b.fs[i] != nil }

// Fill settles member i: fill must put exactly the object's bytes into p (len(p) is its Size)
// and check them; on an error the member is fetched the ordinary way if someone waits for it.
// Fill of a member not taken, or already settled, does nothing.
func (b *Batch) Fill(i int, fill func(p []byte) error) error {
	f := b.fs[i]
	if f == nil {
		return nil
	}
	b.fs[i] = nil
	c := b.c
	blk := c.newBlock(f.size)
	if err := fill(blk.data); err != nil {
		if blk.pool != nil {
			buf := blk.data
			blk.pool.Put(&buf)
		}
		c.mu.Lock()
		c.unfilledLocked(f)
		c.mu.Unlock()
		return err
	}
	c.fetches.Add(1)
	c.fetchBytes.Add(f.size)
	f.fetched = true // from the object, so the Tier is offered it like any fetched block
	c.mu.Lock()
	c.finishLocked(f, blk, nil)
	c.mu.Unlock()
	return nil
}

// End settles every member not filled yet. Call it exactly once, when the batch is over.
func (b *Batch) End() {
	c := b.c
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, f := range b.fs {
		if f != nil {
			c.unfilledLocked(f)
			b.fs[i] = nil
		}
	}
}

// unfilledLocked hands a member the batch did not deliver to the ordinary fetch path when a
// reader waits for it, else lets it go.
func (c *Cache) unfilledLocked(f *fetch) {
	switch {
	case c.closed:
		c.finishLocked(f, nil, ErrClosed)
	case f.waiters > 0:
		c.spawnLocked(f)
	default:
		c.finishLocked(f, nil, errBatchDropped)
	}
}

// BlockSize is the size of the cache's blocks: the largest object a Batch takes.
func (c *Cache) BlockSize() int64 { return c.cfg.BlockSize }

// Capacity is the cache's budget in bytes.
func (c *Cache) Capacity() int64 { return c.cfg.Capacity }
