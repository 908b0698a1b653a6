package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// ErrClosed is returned by reads that need a fetch after Cache.Close.
var ErrClosed = errors.New("cache closed")

// Fetcher fills p with the object's bytes at off. n < len(p) only at the end of the object.
// It is called concurrently and should return promptly once ctx is cancelled.
type Fetcher func(ctx context.Context, off int64, p []byte) (int, error)

// RunFetcher fills bufs, the blocks that follow each other from off, with one request, in
// order, and calls filled(i) as soon as bufs[i] is complete (once each, in index order). It
// returns the error that stopped it before the last buffer, if any.
type RunFetcher func(ctx context.Context, off int64, bufs [][]byte, filled func(i int)) error

// Object is one immutable version of a byte object.
type Object struct {
	Key   string // identity INCLUDING version/checksum: a rewritten object has a new key, so old blocks are never served
	Size  int64
	Fetch Fetcher
	// FetchRun, when set, lets readahead read up to MaxRun queued blocks with one request: a
	// range GET per block cost the server and the client more CPU than the bytes.
	FetchRun RunFetcher
	// Volatile keeps the object's blocks out of Config.Tier: its Key is too weak an identity
	// to trust beyond this mount (no checksum).
	Volatile bool
}

// Stats are cumulative counters plus the current footprint.
type Stats struct {
	Hits        int64 // block lookups served from memory
	Misses      int64 // block lookups that started or joined a fetch
	Evictions   int64 // blocks dropped to stay within Capacity
	Forgotten   int64 // blocks dropped because their reader's caller keeps them (Reader.Forget)
	Fetches     int64 // Fetcher calls (blocks and bypass reads)
	FetchBytes  int64 // bytes returned by Fetcher calls
	BypassReads int64 // small random reads fetched exactly, uncached
	Bytes       int64 // bytes of cached blocks
	Blocks      int64 // number of cached blocks

	Readaheads int64 // readahead fetches scheduled
	InFlight   int64 // bytes reserved by fetches not yet finished
}

// blockKey names one block of one object version.
type blockKey struct {
	key string
	idx int64
}

// Cache is a block LRU cache shared by all Readers. Create it with New.
type Cache struct {
	// Write once.
	cfg     Config
	tier    Tier // nil: memory only
	log     *slog.Logger
	ctx     context.Context // lifetime of every shared fetch
	cancel  context.CancelFunc
	sem     chan struct{} // MaxFetches slots, demand and readahead
	raSlots int           // the share of slots readahead may hold
	raLimit int64         // bytes of readahead allowed in flight (queued or running)
	wg      sync.WaitGroup

	hits, misses, evictions, fetches, fetchBytes, bypassReads, readaheads, forgotten atomic.Int64
	pools                                                                            sync.Map // bufClass -> *sync.Pool of block buffers nobody holds any more

	mu         sync.Mutex // guards the fields below
	lru        *simplelru.LRU[blockKey, *block]
	inflight   map[blockKey]*fetch
	cached     int64    // bytes in lru
	reserved   int64    // bytes of fetches in flight
	raBytes    int64    // part of reserved that readahead scheduled
	raRunning  int      // readahead fetches holding a readahead slot
	raQueue    []*fetch // readahead waiting for a slot, oldest first
	closed     bool
	forgetting bool // Reader.Forget is removing blocks: not evictions
}

// New returns a cache configured by cfg (zero fields take defaults).
func New(cfg Config) (*Cache, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	c := &Cache{
		cfg:      cfg,
		tier:     cfg.Tier,
		log:      cfg.Logger,
		sem:      make(chan struct{}, cfg.MaxFetches),
		raSlots:  cfg.readaheadSlots(),
		raLimit:  cfg.Capacity / 2,
		inflight: make(map[blockKey]*fetch),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	// The byte budget decides eviction; the entry count limit never does.
	lru, err := simplelru.NewLRU(math.MaxInt, c.onEvict)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	c.lru = lru
	return c, nil
}

// onEvict runs under c.mu whenever the LRU drops a block: the cache lets go of its hold.
func (c *Cache) onEvict(_ blockKey, b *block) {
	c.cached -= int64(len(b.data))
	if !c.forgetting {
		c.evictions.Add(1)
	}
	b.release()
}

// Close cancels fetches in flight (their waiters get an error), stops readahead and waits for
// the cache's goroutines to exit. Reads that need a fetch afterwards fail with ErrClosed.
func (c *Cache) Close() {
	c.mu.Lock()
	c.closed = true
	c.dropQueuedLocked(nil, ErrClosed)
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
	c.mu.Lock()
	c.lru.Purge()
	c.mu.Unlock()
}

// Stats returns a snapshot of the counters.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	s := Stats{Bytes: c.cached, Blocks: int64(c.lru.Len()), InFlight: c.reserved}
	c.mu.Unlock()
	s.Hits = c.hits.Load()
	s.Misses = c.misses.Load()
	s.Evictions = c.evictions.Load()
	s.Forgotten = c.forgotten.Load()
	s.Fetches = c.fetches.Load()
	s.FetchBytes = c.fetchBytes.Load()
	s.BypassReads = c.bypassReads.Load()
	s.Readaheads = c.readaheads.Load()
	return s
}

// makeRoomLocked evicts least recently used blocks until n more bytes fit, or nothing is left
// to evict: in-flight demand beyond Capacity overshoots instead of deadlocking.
func (c *Cache) makeRoomLocked(n int64) {
	for c.cached+c.reserved+n > c.cfg.Capacity {
		if _, _, ok := c.lru.RemoveOldest(); !ok {
			return
		}
	}
}

// addLocked caches a finished block, whose bytes were reserved while it was in flight, and
// reports whether the cache holds it now.
func (c *Cache) addLocked(k blockKey, b *block) bool {
	if c.closed {
		return false
	}
	c.lru.Remove(k) // never expected; keeps the byte count honest if it happens
	c.makeRoomLocked(int64(len(b.data)))
	b.hold()
	c.lru.Add(k, b)
	c.cached += int64(len(b.data))
	return true
}
