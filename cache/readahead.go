package cache

// stream is a Reader's view of its own access pattern.
type stream struct {
	seq       bool  // the last read continued the stream
	lastEnd   int64 // furthest end read by the stream (the end of the last read when random)
	lastBlock int64 // highest block the stream has read
	window    int64 // readahead window, in blocks past lastBlock
	raNext    int64 // first block not yet considered for readahead
}

// newStream starts as a sequential stream at offset 0, where most readers begin.
func newStream() stream { return stream{seq: true, lastBlock: -1} }

// observe records a read of [off, end), schedules readahead for a sequential stream and reports
// whether the read should bypass the cache (small, random, in an object bigger than a block).
func (r *Reader) observe(off, end int64) (bypass bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.stream
	last := (end - 1) / r.bs
	if !r.continues(off) {
		*s = stream{lastEnd: end, lastBlock: last, raNext: last + 1}
		return end-off < r.bs/4 && r.obj.Size > r.bs
	}
	if !s.seq || last > s.lastBlock {
		// A new block entered (or the stream just formed): widen the window.
		s.window = min(max(1, 2*s.window), r.c.cfg.readaheadBlocks())
	}
	s.seq = true
	s.lastEnd = max(s.lastEnd, end)
	s.lastBlock = max(s.lastBlock, last)
	if r.closed || r.c.cfg.MaxReadahead < 0 {
		return false
	}
	from := max(s.raNext, s.lastBlock+1)
	to := min(r.nblocks-1, s.lastBlock+s.window)
	// A full window waits until a whole run is due, so that one request reads it: else each
	// block read would schedule one block.
	run := int64(r.runBlocks())
	if from <= to && (to-from+1 >= run || to == r.nblocks-1 || s.window < 2*run) {
		s.raNext = r.c.readahead(r, from, to)
	}
	return false
}

// runBlocks is how many blocks one readahead request may read for r.
func (r *Reader) runBlocks() int {
	if r.obj.FetchRun == nil {
		return 1
	}
	return max(1, r.c.cfg.MaxRun)
}

// continues reports whether a read at off belongs to the stream. A sequential stream tolerates
// the small reorders of concurrent kernel readahead: anything from a window behind its end to two
// blocks past it. A random reader becomes sequential only by reading exactly where it stopped.
func (r *Reader) continues(off int64) bool {
	s := &r.stream
	if !s.seq {
		return off == s.lastEnd
	}
	behind := max(s.window, 2) * r.bs
	return off >= s.lastEnd-behind && off <= s.lastEnd+2*r.bs
}

// readahead schedules fetches of blocks from..to of r's object that are neither cached nor in
// flight, while readahead in flight stays within its budget. It returns the first block it did
// not get to, where the next call resumes.
func (c *Cache) readahead(r *Reader, from, to int64) (next int64) {
	run := r.runBlocks()
	c.mu.Lock()
	defer c.mu.Unlock()
	inRun := 0 // blocks scheduled since the last one that may take a slot
	for idx := from; idx <= to; idx++ {
		k := blockKey{r.obj.Key, idx}
		if _, ok := c.inflight[k]; ok {
			inRun = 0
			continue
		}
		if _, ok := c.lru.Get(k); ok { // also marks it recently used: it is read next
			inRun = 0
			continue
		}
		n := r.blockLen(idx)
		if c.raBytes+n > c.raLimit {
			return idx
		}
		// The rest of a run queues even when slots are free: the run's first block takes
		// them along when it starts (claimRun).
		if _, err := c.startLocked(r.obj, idx, n, r, inRun > 0); err != nil {
			return idx
		}
		inRun = (inRun + 1) % run
	}
	return to + 1
}
