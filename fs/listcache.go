package fs

import (
	"context"
	"sync"
	"time"

	"github.com/aisfs/aisfs/aisclient"
)

// listCache holds a directory's latest listing and makes concurrent loads share one LIST.
type listCache struct {
	mu        sync.Mutex
	cur       *listing  // the latest finished listing
	curDone   time.Time // when cur finished loading (largedirs.go)
	loading   *listing  // the one AIS is listing now, if any
	loadLimit int       // loading's limit (0: complete)
	handout   handout   // what a readdir handed the kernel lately (handout.go)
}

// lookupListing returns the listing a lookup of name answers from and whether a name it lacks
// is known to be absent. A directory read in full before that held more than --list-lookup-max
// entries is listed in full again: its lookups (ls -l after the TTL) then cost one LIST, not one
// HEAD each, and each waits only until that LIST passes its name (largedirs.go), not for the
// whole of it. A name a readdir handed out lately answers from the listing it came from.
func (d *dirNode) lookupListing(ctx context.Context, name string) (*listing, bool, error) {
	if l := d.handedListing(name); l != nil {
		return l, false, nil
	}
	limit := d.fsys.cfg.ListLookupMax
	if d.fsys.large.is(d.bck, d.prefix()) {
		if l := d.recentLarge(); l != nil {
			return l, true, nil
		}
		if l, known, ok, err := d.largeCovering(ctx, name); ok || err != nil {
			return l, known, err
		}
		limit = 0
	}
	l, err := d.load(ctx, limit)
	if err != nil {
		return nil, false, err
	}
	return l, l.isComplete(), nil
}

// load returns the current listing if fresh, else lists the directory once for all callers.
// limit > 0 stops after about that many entries (the listing is then incomplete); limit 0 insists
// on a complete listing.
func (d *dirNode) load(ctx context.Context, limit int) (*listing, error) {
	ctx, done := patient(ctx)
	defer done()
	for {
		l, _ := d.start(ctx, limit)
		if _, _, err := l.entry(ctx, int(^uint(0)>>1)); err != nil { // to its end
			return nil, err
		}
		if l.isComplete() || limit > 0 {
			return l, nil
		}
		// A lookup's bounded listing was cut short; this caller needs all of it.
	}
}

// stream returns a complete listing of the directory, fresh or still loading, once it holds its
// first entries: readdir hands them to the kernel while AIS lists the rest.
func (d *dirNode) stream(ctx context.Context) (*listing, error) {
	ctx, done := patient(ctx)
	defer done()
	for {
		l, limited := d.start(ctx, 0)
		if limited { // a lookup's bounded LIST is under way: after it, list in full
			if _, _, err := l.entry(ctx, int(^uint(0)>>1)); err != nil {
				return nil, err
			}
			continue
		}
		if err := l.wait(ctx); err != nil {
			return nil, err
		}
		return l, nil
	}
}

// start returns the fresh listing, or the one loading (limited: it is a lookup's bounded LIST
// and this caller wants all), or starts one. A fresh cut-short listing serves limited callers only.
func (d *dirNode) start(ctx context.Context, limit int) (l *listing, limited bool) {
	lc := &d.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if cur := lc.cur; cur != nil && d.fsys.fresh(cur.at) && (limit > 0 || cur.isComplete()) {
		return cur, false
	}
	if lc.loading == nil {
		if lc.cur != nil && !d.fsys.fresh(lc.cur.at) {
			lc.cur = nil // stale: nothing answers from it, and a big one should not live on beside its successor
		}
		l := newListing(d.prefix(), d.fsys.now())
		l.mark = d.fsys.markArchive
		lc.loading, lc.loadLimit = l, limit
		// Detached from the caller: others may use the same LIST.
		go d.list(context.WithoutCancel(ctx), l, limit)
	}
	return lc.loading, limit == 0 && lc.loadLimit > 0
}

func (d *dirNode) list(ctx context.Context, l *listing, limit int) {
	more, err := listPages(ctx, d.fsys.store, d.bck, aisclient.ListOptions{
		Prefix:      l.prefix,
		NoRecursion: true,
		Props:       listProps,
		Limit:       limit,
		FirstPage:   listFirstPage,
	}, func(page []aisclient.Entry) error {
		l.addPage(page)
		return nil
	})
	lc := &d.lc
	lc.mu.Lock()
	if err == nil {
		lc.cur, lc.curDone = l, d.fsys.now()
		if !more && limit == 0 {
			d.fsys.large.saw(d.bck, l.prefix, l.len() > d.fsys.cfg.ListLookupMax)
		}
	}
	lc.loading = nil
	lc.mu.Unlock()
	l.finish(!more, err)
}

// listFirstPage bounds a listing's first page: readdir hands its entries to the kernel while AIS
// lists the rest (a page of 10,000 takes AIS about 3 times as long as one of 1,000).
const listFirstPage = 1000

// invalidate forgets the listing so the next lookup or readdir lists again.
func (d *dirNode) invalidate() {
	d.lc.mu.Lock()
	d.lc.cur = nil
	d.lc.mu.Unlock()
}

// pageLister is a Store that hands a listing over page by page, as *aisclient.Client does.
type pageLister interface {
	ListObjectsPages(ctx context.Context, bck aisclient.Bck, opts aisclient.ListOptions, fn func([]aisclient.Entry) error) (bool, error)
}

func (p patientStore) ListObjectsPages(ctx context.Context, bck aisclient.Bck, opts aisclient.ListOptions, fn func([]aisclient.Entry) error) (bool, error) {
	ctx, done := patient(ctx)
	defer done()
	return listPages(ctx, p.s, bck, opts, fn)
}

// listPages lists page by page where the store can, else in one piece.
func listPages(ctx context.Context, s Store, bck aisclient.Bck, opts aisclient.ListOptions, fn func([]aisclient.Entry) error) (bool, error) {
	if pl, ok := s.(pageLister); ok {
		return pl.ListObjectsPages(ctx, bck, opts, fn)
	}
	ents, more, err := s.ListObjects(ctx, bck, opts)
	if err != nil {
		return false, err
	}
	if len(ents) > 0 {
		if err := fn(ents); err != nil {
			return false, err
		}
	}
	return more, nil
}
