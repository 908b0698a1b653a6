package cache

import "context"

// blocks returns blocks first..last of r's object, each with a hold the caller must release:
// cached ones at once, missing ones by starting or joining one fetch each, all in parallel.
func (c *Cache) blocks(ctx context.Context, r *Reader, first, last int64) ([]*block, error) {
	n := last - first + 1
	out := make([]*block, n)
	var fbuf [2]*fetch
	fetches := fbuf[:0]
	if n > int64(len(fbuf)) {
		fetches = make([]*fetch, 0, n)
	}
	c.mu.Lock()
	for i := range n {
		k := blockKey{r.obj.Key, first + i}
		if b, ok := c.lru.Get(k); ok {
			c.hits.Add(1)
			b.hold()
			out[i] = b
			fetches = append(fetches, nil)
			continue
		}
		c.misses.Add(1)
		f, ok := c.inflight[k]
		if ok {
			c.promoteLocked(f)
		} else {
			var err error
			if f, err = c.startLocked(r.obj, first+i, r.blockLen(first+i), nil, false); err != nil {
				c.mu.Unlock()
				c.giveUp(out, fetches)
				return nil, err
			}
		}
		f.waiters++
		fetches = append(fetches, f)
	}
	c.mu.Unlock()

	for i, f := range fetches {
		if f == nil {
			continue
		}
		b, err := c.wait(ctx, f)
		if err != nil {
			fetches[i] = nil // wait settled its own claim
			c.giveUp(out, fetches[i+1:])
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// giveUp releases the blocks a failed multi-block read holds and the claims it still has on
// fetches it will not wait for.
func (c *Cache) giveUp(held []*block, pending []*fetch) {
	releaseAll(held)
	for _, f := range pending {
		if f != nil {
			c.abandon(f)
		}
	}
}

// peek returns blocks first..last, each held, if all are cached, without fetching.
func (c *Cache) peek(key string, first, last int64) ([]*block, bool) {
	out := make([]*block, 0, last-first+1)
	c.mu.Lock()
	defer c.mu.Unlock()
	for idx := first; idx <= last; idx++ {
		b, ok := c.lru.Get(blockKey{key, idx})
		if !ok {
			return nil, false
		}
		out = append(out, b)
	}
	for _, b := range out {
		b.hold()
	}
	c.hits.Add(int64(len(out)))
	return out, true
}
