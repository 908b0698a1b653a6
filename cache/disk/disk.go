package disk

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
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
	Evictions    int64 // block files removed to stay within Size
	Errors       int64 // damaged files dropped, failed reads and writes
	Skipped      int64 // blocks not written because the writer was behind or the cache is off
	Bytes        int64 // bytes of block files, as the size bound counts them
	Blocks       int64 // block files
	Enabled      bool  // false once a failed write turned the cache off
}

// Cache is a disk cache directory opened by one process. Create it with Open.
type Cache struct {
	// Write once.
	cfg   Config
	log   *slog.Logger
	root  string // DIR/v1
	tmp   string // DIR/v1/tmp
	lock  *os.File
	queue chan job
	wg    sync.WaitGroup

	hits, misses, readBytes, writtenBytes, evictions, errs, skipped atomic.Int64
	off                                                             atomic.Bool
	offOnce                                                         sync.Once

	qmu    sync.Mutex // guards closed and sends on queue; never held with mu
	closed bool

	mu  sync.Mutex // guards idx
	idx *index

	seq      atomic.Uint64 // names temp files
	noDirect atomic.Bool   // the filesystem refused O_DIRECT
}

// writers write blocks in parallel: an O_DIRECT write waits for the disk (no CPU), and
// a few in flight keep up with reads from AIS where one does not.
const writers = 4

// job is one block waiting for the writer.
type job struct {
	key  string
	idx  int64
	data []byte
	done func()
}

// Open checks cfg and its directory, takes the directory's lock, removes leftovers of a crash
// and rebuilds the index from the block files there. Every refusal wraps ErrUnusable and says
// why in one line.
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
		cfg:   cfg,
		log:   cfg.Logger,
		root:  filepath.Join(dir, "v1"),
		tmp:   filepath.Join(dir, "v1", "tmp"),
		lock:  lock,
		queue: make(chan job, cfg.Queue),
		idx:   newIndex(cfg.Size),
	}
	if err := c.prepare(); err != nil {
		lock.Close()
		return nil, err
	}
	for range writers {
		c.wg.Add(1)
		go c.writer()
	}
	return c, nil
}

// prepare makes the layout, empties tmp (writes a crash interrupted) and loads the index.
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
	files, err := scan(c.root)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnusable, err)
	}
	for _, f := range files {
		c.unlink(c.idx.add(f.name, f.size))
	}
	c.log.Info("disk cache opened", "dir", filepath.Dir(c.root), "blocks", c.idx.len(),
		"bytes", c.idx.used, "size", c.cfg.Size)
	return nil
}

// Close stops accepting blocks, writes those already queued, and releases the directory.
func (c *Cache) Close() error {
	c.qmu.Lock()
	if !c.closed {
		c.closed = true
		close(c.queue)
	}
	c.qmu.Unlock()
	c.wg.Wait()
	return c.lock.Close()
}

// Stats returns a snapshot of the counters.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	s := Stats{Bytes: c.idx.used, Blocks: int64(c.idx.len())}
	c.mu.Unlock()
	s.Hits, s.Misses = c.hits.Load(), c.misses.Load()
	s.ReadBytes, s.WrittenBytes = c.readBytes.Load(), c.writtenBytes.Load()
	s.Evictions, s.Errors, s.Skipped = c.evictions.Load(), c.errs.Load(), c.skipped.Load()
	s.Enabled = !c.off.Load()
	return s
}

// Load fills p with block idx of key from its file, if that file is held and verifies.
func (c *Cache) Load(key string, idx int64, p []byte) bool {
	if c.off.Load() {
		return false
	}
	name := blockName(key, idx)
	c.mu.Lock()
	held := c.idx.touch(name)
	c.mu.Unlock()
	if !held {
		c.misses.Add(1)
		return false
	}
	path := filepath.Join(c.root, name)
	if err := c.readBlock(path, key, idx, p); err != nil {
		c.misses.Add(1)
		if errors.Is(err, os.ErrNotExist) { // evicted between the lookup and the open
			c.mu.Lock()
			c.idx.remove(name)
			c.mu.Unlock()
			return false
		}
		c.errs.Add(1)
		c.drop(name)
		c.log.Warn("disk cache: dropped a block file it could not use; the block is fetched again",
			"file", path, "err", err)
		return false
	}
	now := time.Now()
	os.Chtimes(path, now, now) // recency that survives a remount; losing it costs only order
	c.hits.Add(1)
	c.readBytes.Add(int64(len(p)))
	return true
}

// Store queues a block for the writer; it drops the block when the queue is full.
func (c *Cache) Store(key string, idx int64, data []byte, done func()) {
	if c.off.Load() {
		c.skipped.Add(1)
		done()
		return
	}
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if !c.closed {
		select {
		case c.queue <- job{key, idx, data, done}:
			return
		default:
		}
	}
	c.skipped.Add(1)
	done()
}

// writer writes queued blocks until Close.
func (c *Cache) writer() {
	defer c.wg.Done()
	for j := range c.queue {
		if c.off.Load() {
			c.skipped.Add(1)
		} else if err := c.write(j); err != nil {
			c.errs.Add(1)
			c.turnOff(err)
		}
		j.done()
	}
}

// write makes room for one block, writes it in tmp and renames it into place.
func (c *Cache) write(j job) error {
	name := blockName(j.key, j.idx)
	size := fileSize(j.key, len(j.data))
	c.mu.Lock()
	c.idx.remove(name) // rewritten in place, never read half-way: rename is atomic
	victims := c.idx.reserve(size)
	c.mu.Unlock()
	c.unlink(victims)

	tmp, err := c.writeTemp(j)
	if err == nil {
		err = c.rename(tmp, name)
	}
	c.mu.Lock()
	if err != nil {
		c.idx.cancel(size)
	} else {
		c.idx.commit(name, size)
	}
	c.mu.Unlock()
	if err != nil {
		os.Remove(tmp)
		return err
	}
	c.writtenBytes.Add(int64(len(j.data)))
	return nil
}

// rename moves a written temp file into place, making its subdirectory the first time.
func (c *Cache) rename(tmp, name string) error {
	path := filepath.Join(c.root, name)
	err := os.Rename(tmp, path)
	if errors.Is(err, os.ErrNotExist) {
		if err = os.Mkdir(filepath.Dir(path), 0o700); err == nil || errors.Is(err, os.ErrExist) {
			err = os.Rename(tmp, path)
		}
	}
	return err
}

// turnOff stops the cache for the rest of its life after a failed write, with one log line.
func (c *Cache) turnOff(err error) {
	c.off.Store(true)
	c.offOnce.Do(func() {
		c.log.Error("disk cache off: a block could not be written; reads go on from AIS",
			"dir", filepath.Dir(c.root), "err", err)
	})
}

// drop forgets and removes one block file.
func (c *Cache) drop(name string) {
	c.mu.Lock()
	c.idx.remove(name)
	c.mu.Unlock()
	os.Remove(filepath.Join(c.root, name))
}

// unlink removes evicted block files.
func (c *Cache) unlink(names []string) {
	for _, n := range names {
		if err := os.Remove(filepath.Join(c.root, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			c.errs.Add(1)
			c.log.Warn("disk cache: removing an evicted block file", "err", err)
		}
		c.evictions.Add(1)
	}
}
