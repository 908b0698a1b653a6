package fs

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/internal/xxhash"
)

// Batched reads of small files. When opens in a directory show that its small files will be
// read, the files likely next are fetched many at a time with one AIS GetBatch request into the
// block cache, where the reads find them (or wait for them, as for any block in flight).
// The pattern recognised is listing order (cp -r, tar c, rsync, find -exec cat, a sorted loop):
// the opens of a directory since its listing advance through it, perhaps reordered by parallel
// readers. The files after the furthest one opened are then fetched ahead, a bounded window at a
// time. Anything else (random opens, one file, rereads) sends no batch. Opens in no order (a
// shuffled loader) were tried with a pool of unopened files fetched ahead: within a quarter of
// the cache only a few percent of the opens found their file there (a pool of P of N files
// serves about P/N*(1+ln(N/P)) of an epoch), which did not pay for the batches. Batched bytes are reserved in the block cache
// like any fetch, so they stay within its capacity; each member is checked against the listing's
// xxhash2 checksum before it is cached, so a file rewritten since the listing is never served
// from a batch (its read fetches the object the ordinary way, and finds the new version).

const (
	batchMembers   = 64  // files per GetBatch request
	batchesAtOnce  = 3   // GetBatch requests in flight per mount
	seqAfter       = 4   // in-order opens before a directory counts as read in listing order
	seqReorder     = 64  // how far (in listing positions) parallel readers may reorder opens
	seqAheadFiles  = 512 // a listing-order reader is fetched at most this many files ahead
	busyAfter      = 16  // opens since its listing that make a directory busy (revalidate.go)
	checksumHexLen = 16  // xxhash2 as AIS renders it
	batchTimeout   = time.Minute
)

// batchGetter is what batched reads need from the store; a Store without it gets none.
type batchGetter interface {
	GetBatch(ctx context.Context, bck aisclient.Bck, names []string, each func(m aisclient.BatchMember, r io.Reader) error) (int, error)
}

// prefetcher is the mount's batched-read engine.
type prefetcher struct {
	fsys  *FS
	store batchGetter
	sem   chan struct{} // batches in flight
	limit int64         // bytes fetched ahead (not opened yet), all directories together
	ahead atomic.Int64

	batches, members, hits atomic.Int64 // BatchStats
}

func newPrefetcher(f *FS, s Store, c *cache.Cache) *prefetcher {
	bg, ok := s.(batchGetter)
	if !ok || c == nil {
		return nil
	}
	return &prefetcher{fsys: f, store: bg, sem: make(chan struct{}, batchesAtOnce), limit: c.Capacity() / 4}
}

// dirPrefetch is one directory's view of its opens since its current listing.
type dirPrefetch struct {
	mu sync.Mutex
	st pfState // GUARDED_BY(mu)
}

type pfState struct {
	l       *listing // the listing the state below is about
	n       int      // its positions
	opened  []bool   // by listing position
	asked   []bool   // by listing position: fetched (or being fetched) by a batch
	nopened int

	minPos, maxPos int // span of the positions opened
	seqNext        int // listing order: first position not asked for yet

	aheadBytes int64 // bytes asked for and not opened yet (counted in prefetcher.ahead)
}

// BatchStats counts a mount's batched reads.
type BatchStats struct {
	Batches int64 // GetBatch requests sent
	Members int64 // files they put in the block cache
	Hits    int64 // opens of files a batch had asked for
}

// BatchStats returns the batched-read counters; zero when batched reads are off.
func (f *FS) BatchStats() BatchStats {
	p := f.pf
	if p == nil {
		return BatchStats{}
	}
	return BatchStats{Batches: p.batches.Load(), Members: p.members.Load(), Hits: p.hits.Load()}
}

// opened is the hook fileNode.Open calls for a read-only open of a file of d at attributes a.
// Lock order: d.lc.mu is released before d.pf.mu is taken; nothing else is held with d.pf.mu.
func (p *prefetcher) opened(d *dirNode, name string, a objAttr) {
	if p == nil || d == nil || a.size <= 0 || a.size > p.fsys.cache.BlockSize() {
		return
	}
	prefix := d.prefix()
	d.lc.mu.Lock()
	l := d.lc.cur
	d.lc.mu.Unlock()
	if l == nil { // an incomplete listing (a lookup's, cut at ListLookupMax) is good for its names
		return
	}
	pos, ok := l.filePos(name)
	if !ok {
		return
	}
	d.pf.mu.Lock()
	defer d.pf.mu.Unlock()
	s := &d.pf.st
	if s.l != l {
		p.ahead.Add(-s.aheadBytes)
		n := l.positions()
		*s = pfState{l: l, n: n, opened: make([]bool, n), asked: make([]bool, n)}
	}
	if s.opened[pos] {
		return
	}
	s.opened[pos] = true
	s.nopened++
	if s.asked[pos] {
		s.aheadBytes -= a.size
		p.ahead.Add(-a.size)
		p.hits.Add(1)
	}
	if s.nopened == 1 {
		s.minPos, s.maxPos = pos, pos
	}
	s.minPos, s.maxPos = min(s.minPos, pos), max(s.maxPos, pos)
	if inListingOrder(s.nopened, s.minPos, s.maxPos, pos) {
		p.aheadInOrder(d, prefix, s)
	}
}

// inListingOrder tells, from nopened distinct opens spanning listing positions lo..hi, the
// latest at pos, whether the directory is being read in listing order. Such opens cover their
// span but for the few that parallel readers have in flight, so at least half of it. Random
// opens leave holes everywhere: 4 random opens of 128 files span under 68 positions about a
// third of the time, and a bound on the holes alone sent batches for a third of a shuffled
// loader's directories (0.6 s more daemon CPU and twice the RSS per 10,240 files, no faster).
func inListingOrder(nopened, lo, hi, pos int) bool {
	holes := hi - lo + 1 - nopened
	return nopened >= seqAfter && holes <= min(seqReorder, nopened) && pos >= hi-seqReorder
}

// aheadInOrder asks for the files after the furthest one opened, up to seqAheadFiles ahead, in
// full batches (or the directory's rest): a window topped up as each open moved it on sent one
// request per file or two (`cat` of 600 files in order: 71 requests for 1,105 files).
func (p *prefetcher) aheadInOrder(d *dirNode, prefix string, s *pfState) {
	s.seqNext = max(s.seqNext, s.maxPos+1)
	end := min(s.n, s.maxPos+seqAheadFiles+1)
	for s.seqNext < end && (end-s.seqNext >= batchMembers || end == s.n) {
		pos, n := p.pick(d, prefix, s, s.seqNext, end)
		s.seqNext = pos
		if n == 0 {
			return
		}
	}
}

// pick gathers one batch of small, unopened, unasked files from position from up to (not
// including) to, and starts it; it returns the position after the last one considered and how
// many files the batch asks for (0: none started).
func (p *prefetcher) pick(d *dirNode, prefix string, s *pfState, from, to int) (int, int) {
	bck := d.bck
	if p.ahead.Load() >= p.limit {
		return from, 0
	}
	select {
	case p.sem <- struct{}{}:
	default:
		return from, 0 // enough in flight; the next open continues
	}
	bs := p.fsys.cache.BlockSize()
	var (
		names []string
		attrs []objAttr
		bytes int64
	)
	pos := from
	for ; pos < min(to, s.n) && len(names) < batchMembers; pos++ {
		if s.opened[pos] || s.asked[pos] {
			continue
		}
		e := s.l.atPos(pos)
		if e.archive || e.isDir || e.attr.size <= 0 || e.attr.size > bs ||
			len(e.attr.cksum) != checksumHexLen || e.attr.fileType() != syscall.S_IFREG {
			continue
		}
		if p.ahead.Load()+bytes+e.attr.size > p.limit {
			break
		}
		if d.pagesKept(e.name, e.attr) {
			continue // its open keeps the kernel's page cache: fetching it would be waste
		}
		s.asked[pos] = true
		names = append(names, prefix+e.name)
		attrs = append(attrs, e.attr)
		bytes += e.attr.size
	}
	if len(names) == 0 {
		<-p.sem
		return pos, 0
	}
	s.aheadBytes += bytes
	p.ahead.Add(bytes)
	// Registered before the request goes out, so a reader that gets there first waits for it.
	objs := make([]cache.Object, len(names))
	for i, name := range names {
		objs[i] = p.fsys.cacheObject(bck, name, attrs[i], nil)
	}
	b := p.fsys.cache.StartBatch(objs, p.limit)
	go p.run(b, bck, names, attrs)
	return pos, len(names)
}

// run sends one GetBatch and fills the cache with what checks out.
func (p *prefetcher) run(b *cache.Batch, bck aisclient.Bck, names []string, attrs []objAttr) {
	defer func() { <-p.sem }()
	defer b.End()
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	p.batches.Add(1)
	_, err := p.store.GetBatch(ctx, bck, names, func(m aisclient.BatchMember, r io.Reader) error {
		want := attrs[m.Index]
		if m.Missing || m.Size != want.size || !b.Taken(m.Index) {
			return nil // deleted or changed since the listing, or cached already: read as usual
		}
		if b.Fill(m.Index, func(buf []byte) error {
			if _, err := io.ReadFull(r, buf); err != nil {
				return err
			}
			if xxhash.Hex(xxhash.Sum64(buf)) != want.cksum {
				return errChanged
			}
			return nil
		}) == nil {
			p.members.Add(1)
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		p.fsys.log.Debug("batched read ended early; the rest is read one by one", "bucket", bck.String(), "err", err)
	}
}

// errChanged: a batch member's bytes are not the listed version's.
var errChanged = errors.New("batched bytes do not match the listed checksum")

// pagesKept reports whether the file name of d was last opened in version a: its next open keeps
// the kernel's page cache (FOPEN_KEEP_CACHE), so a second pass over a directory (a repeated cp -r
// after the listing expired) is served by the kernel and needs no batch.
// Lock order: called with d.pf.mu held; takes the child's mu, a leaf.
func (d *dirNode) pagesKept(name string, a objAttr) bool {
	ch := d.GetChild(name)
	if ch == nil {
		return false
	}
	n, ok := ch.Operations().(*fileNode)
	if !ok {
		return false
	}
	return n.keepsPages(a)
}
