package disk

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Stats are cumulative counters plus the current footprint.
type Stats struct {
	Hits         int64 // blocks served from disk
	Misses       int64 // blocks asked for and not held (or dropped as damaged)
	ReadBytes    int64 // bytes served from disk
	WrittenBytes int64 // bytes of blocks written to disk
	Evictions    int64 // segment files removed to stay within Size
	Errors       int64 // damaged files dropped, failed reads and writes
	Skipped      int64 // blocks not written because the writers were behind, out of room, or the cache is off
	Bytes        int64 // bytes of files, as the size bound counts them (files being written included)
	Blocks       int64 // blocks held in segment files
	Enabled      bool  // false once a failed write turned the cache off
}

// Cache is a disk cache directory opened by one process. Create it with Open.
//
// Lock order: wmu before mu is never needed; neither is held while the other is taken, and
// no file I/O runs under mu.
type Cache struct {
	// Write once.
	cfg   Config
	g     geom
	log   *slog.Logger
	root  string // DIR/v2
	tmp   string // DIR/v2/tmp
	lock  *os.File
	queue chan job
	wg    sync.WaitGroup
	stop  chan struct{} // closed by Close: the sealer ends

	hits, misses, readBytes, writtenBytes, evictions, errs, skipped atomic.Int64
	off                                                             atomic.Bool
	offOnce                                                         sync.Once

	qmu    sync.Mutex // guards closed and sends on queue
	closed bool
	low    lowWater // wakes throttled misses (throttle.go)

	mu     sync.Mutex // guards idx, files, blocks
	idx    *index
	files  map[string]*segFile // sealed files, by name
	blocks map[blockID]*segFile

	wmu  sync.Mutex // guards open and every openSeg's fields
	open map[segID]*openSeg

	gen      atomic.Uint64 // names files: unique within DIR (seeded from the clock at Open)
	noDirect atomic.Bool   // the filesystem refused O_DIRECT
}

// writers write blocks in parallel: an O_DIRECT write waits for the disk and costs no CPU
// meanwhile; with 4 a third of epoch 1's blocks were dropped (queue full), with 16 about 1%.
const writers = 16

// blockID names a block; segID a segment.
type blockID struct {
	key string
	idx int64
}

type segID struct {
	key string
	seg int64
}

// segFile is a sealed segment file: which blocks of one segment it holds.
type segFile struct {
	name    string
	key     string
	seg     int64
	ents    []entry
	live    int       // blocks whose blocks entry points here; the file goes at 0
	touched time.Time // when its mtime was last set (recency across remounts)
}

// job is one block waiting for a writer.
type job struct {
	key  string
	idx  int64
	data []byte
	last bool // the object's last block
	done func()
}

// Open checks cfg and its directory, takes the directory's lock, removes leftovers of a crash
// and rebuilds the index from the segment files there. Every refusal wraps ErrUnusable and
// says why in one line.
func Open(cfg Config) (*Cache, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnusable, err)
	}
	if err := checkDir(dir, cfg.Mountpoint); err != nil {
		return nil, err
	}
	lock, err := lockDir(dir, cfg.Holder)
	if err != nil {
		return nil, err
	}
	c := &Cache{
		cfg:    cfg,
		g:      newGeom(cfg.BlockSize, cfg.Size),
		log:    cfg.Logger,
		root:   filepath.Join(dir, "v2"),
		tmp:    filepath.Join(dir, "v2", "tmp"),
		lock:   lock,
		queue:  make(chan job, cfg.Queue),
		stop:   make(chan struct{}),
		idx:    newIndex(cfg.Size),
		files:  map[string]*segFile{},
		blocks: map[blockID]*segFile{},
		open:   map[segID]*openSeg{},
	}
	c.gen.Store(uint64(time.Now().UnixNano()))
	if err := c.prepare(); err != nil {
		lock.Close()
		return nil, err
	}
	for range writers {
		c.wg.Add(1)
		go c.writer()
	}
	c.wg.Add(1)
	go c.sealer()
	return c, nil
}

// prepare makes the layout, empties tmp (writes a crash interrupted), removes the first
// layout's files (DIR/v1, one file per block) and loads the index.
func (c *Cache) prepare() error {
	if err := os.RemoveAll(c.tmp); err != nil {
		return fmt.Errorf("%w: %w", ErrUnusable, err)
	}
	if err := os.MkdirAll(c.tmp, 0o700); err != nil {
		return fmt.Errorf("%w: %s is not writable: %w", ErrUnusable, c.root, unwrapPath(err))
	}
	if err := probeWrite(c.tmp); err != nil {
		return err
	}
	os.RemoveAll(filepath.Join(filepath.Dir(c.root), "v1"))
	files, err := c.scan()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnusable, err)
	}
	// Recency orders the LRU (files that do not fit are evicted); the newest file of a
	// segment holds a block that older ones hold too (one whose copy there was dropped).
	for _, f := range files { // least recently used first
		victims := c.idx.add(f.name, f.size)
		c.unlink(victims)
	}
	slices.SortFunc(files, func(a, b found) int { return cmp.Compare(a.gen, b.gen) })
	for _, f := range files {
		if _, ok := c.idx.lru.Peek(f.name); !ok {
			continue // evicted
		}
		for _, d := range c.addLocked(f.segFile) {
			os.Remove(filepath.Join(c.root, d)) // all its blocks are in newer files
		}
	}
	c.log.Info("disk cache opened", "dir", filepath.Dir(c.root), "files", c.idx.len(),
		"blocks", len(c.blocks), "bytes", c.idx.used(), "size", c.cfg.Size)
	return nil
}

// Close stops accepting blocks, writes those already queued, seals the segments being
// written, and releases the directory.
func (c *Cache) Close() error {
	c.qmu.Lock()
	if !c.closed {
		c.closed = true
		close(c.queue)
		close(c.stop)
	}
	c.qmu.Unlock()
	c.wg.Wait()
	c.sealIdle(true)
	s := c.Stats()
	c.log.Info("disk cache closed", "blocks", s.Blocks, "bytes", s.Bytes, "written_bytes", s.WrittenBytes,
		"skipped", s.Skipped, "errors", s.Errors)
	return c.lock.Close()
}

// Stats returns a snapshot of the counters.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	s := Stats{Bytes: c.idx.used(), Blocks: int64(len(c.blocks))}
	c.mu.Unlock()
	s.Hits, s.Misses = c.hits.Load(), c.misses.Load()
	s.ReadBytes, s.WrittenBytes = c.readBytes.Load(), c.writtenBytes.Load()
	s.Evictions, s.Errors, s.Skipped = c.evictions.Load(), c.errs.Load(), c.skipped.Load()
	s.Enabled = !c.off.Load()
	return s
}

// Load fills p with block idx of key from its segment file, if one holds it and it verifies.
func (c *Cache) Load(key string, idx int64, p []byte) bool {
	if c.off.Load() {
		return false
	}
	now := time.Now()
	c.mu.Lock()
	f := c.blocks[blockID{key, idx}]
	var e entry
	touch := false
	if f != nil {
		c.idx.touch(f.name)
		e = f.ents[idx-f.seg*c.g.slots]
		if touch = now.Sub(f.touched) > time.Second; touch {
			f.touched = now
		}
	}
	c.mu.Unlock()
	if f == nil || int(e.n) != len(p) {
		c.misses.Add(1)
		c.throttle()
		return false
	}
	path := filepath.Join(c.root, f.name)
	if err := c.readSlot(path, (idx-f.seg*c.g.slots)*c.g.slot, p, e); err != nil {
		c.misses.Add(1)
		if errors.Is(err, os.ErrNotExist) { // evicted between the lookup and the open
			c.forget(f)
			return false
		}
		c.errs.Add(1)
		if errors.Is(err, errBadBlock) { // the file's other blocks have checksums of their own
			if c.forgetBlock(f, idx) {
				c.log.Warn("disk cache: dropped a damaged block; it is fetched again", "file", path, "block", idx)
			}
			return false
		}
		if c.forget(f) {
			os.Remove(path)
			c.log.Warn("disk cache: dropped a cache file it could not use; its blocks are fetched again",
				"file", path, "err", err)
		}
		return false
	}
	if touch {
		os.Chtimes(path, now, now) // recency that survives a remount; losing it costs only order
	}
	c.hits.Add(1)
	c.readBytes.Add(int64(len(p)))
	return true
}

// Store queues a block for the writers; it drops the block when the queue is full.
func (c *Cache) Store(key string, idx int64, data []byte, last bool, done func()) {
	if c.off.Load() {
		c.skipped.Add(1)
		done()
		return
	}
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if !c.closed {
		select {
		case c.queue <- job{key, idx, data, last, done}:
			return
		default:
		}
	}
	c.skipped.Add(1)
	done()
}

// turnOff stops the cache for the rest of its life after a failed write, with one log line.
func (c *Cache) turnOff(err error) {
	c.off.Store(true)
	c.wakeThrottled()
	c.offOnce.Do(func() {
		c.log.Error("disk cache off: a block could not be written; reads go on from AIS",
			"dir", filepath.Dir(c.root), "err", err)
	})
}

// addLocked indexes the blocks of a sealed file; a block another file held now comes from
// f, and a file left with no block is unlinked (it returns those). Callers hold mu or own c.
func (c *Cache) addLocked(f *segFile) (dead []string) {
	c.files[f.name] = f
	for i, e := range f.ents {
		if e.n == 0 {
			continue
		}
		id := blockID{f.key, f.seg*c.g.slots + int64(i)}
		if old := c.blocks[id]; old != nil && old != f {
			if old.live--; old.live == 0 {
				c.idx.remove(old.name)
				delete(c.files, old.name)
				dead = append(dead, old.name)
			}
		}
		c.blocks[id] = f
		f.live++
	}
	return dead
}

// evictedLocked forgets the blocks of files the index evicted.
func (c *Cache) evictedLocked(names []string) {
	for _, n := range names {
		if f := c.files[n]; f != nil {
			c.dropLocked(f)
		}
	}
}

// dropLocked forgets f's blocks (not its LRU entry).
func (c *Cache) dropLocked(f *segFile) {
	delete(c.files, f.name)
	for i, e := range f.ents {
		id := blockID{f.key, f.seg*c.g.slots + int64(i)}
		if e.n != 0 && c.blocks[id] == f {
			delete(c.blocks, id)
		}
	}
}

// forget drops f from the index and reports whether it was still there.
func (c *Cache) forget(f *segFile) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.files[f.name] != f {
		return false
	}
	c.idx.remove(f.name)
	c.dropLocked(f)
	return true
}

// forgetBlock drops block idx of f from the index, and f's file once it holds no block, and
// reports whether the block was still there.
func (c *Cache) forgetBlock(f *segFile, idx int64) bool {
	c.mu.Lock()
	id := blockID{f.key, idx}
	if c.blocks[id] != f {
		c.mu.Unlock()
		return false
	}
	delete(c.blocks, id)
	f.live--
	empty := f.live == 0 && c.files[f.name] == f
	if empty {
		c.idx.remove(f.name)
		delete(c.files, f.name)
	}
	c.mu.Unlock()
	if empty {
		os.Remove(filepath.Join(c.root, f.name))
	}
	return true
}

// unlink removes evicted segment files.
func (c *Cache) unlink(names []string) {
	for _, n := range names {
		if err := os.Remove(filepath.Join(c.root, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			c.errs.Add(1)
			c.log.Warn("disk cache: removing an evicted cache file", "err", err)
		}
		c.evictions.Add(1)
	}
}
