package fs

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aisfs/aisfs/aisclient"
)

// dirent is one name in a directory listing.
type dirent struct {
	name    string // one path component
	isDir   bool
	attr    objAttr   // files only
	at      time.Time // overlay entries: when this mount made the change
	pending bool      // overlay entries: a file created here and not uploaded yet
	archive bool      // an archive object shown as a directory of its members (Config.Archives)
}

// listProps are the properties a directory listing asks for: enough for stat(2) without a HEAD.
var listProps = []string{"name", "size", "version", "checksum", "atime", "custom"}

// listing is one non-recursive read of a directory. Immutable once built.
type listing struct {
	at       time.Time
	complete bool // false: the directory had more than the lookup limit and was cut short
	names    []string
	byName   map[string]*dirent
}

func (l *listing) get(name string) (*dirent, bool) {
	d, ok := l.byName[name]
	return d, ok
}

// buildListing turns list-objects entries under prefix into a directory's entries.
func buildListing(prefix string, entries []aisclient.Entry, complete bool, at time.Time) *listing {
	l := &listing{at: at, complete: complete, byName: make(map[string]*dirent, len(entries))}
	for i := range entries {
		e := &entries[i]
		rel, ok := strings.CutPrefix(e.Name, prefix)
		if !ok {
			continue
		}
		isDir := e.IsDir || strings.HasSuffix(rel, "/")
		rel = strings.TrimSuffix(rel, "/")
		if rel == "" || strings.Contains(rel, "/") {
			continue // the directory itself, or deeper than one level
		}
		if _, dup := l.byName[rel]; dup {
			continue
		}
		d := &dirent{name: rel, isDir: isDir}
		if !isDir {
			d.attr = attrFromEntry(e)
		}
		l.byName[rel] = d
		l.names = append(l.names, rel)
	}
	sort.Strings(l.names)
	return l
}

// listCache holds a directory's latest listing and makes concurrent loads share one LIST.
type listCache struct {
	mu      sync.Mutex
	cur     *listing
	loading *listLoad
}

type listLoad struct {
	done  chan struct{}
	limit int
	l     *listing
	err   error
}

// load returns the current listing if fresh, else lists the directory once for all callers.
// limit > 0 stops after about that many entries (the listing is then incomplete); limit 0 insists
// on a complete listing.
func (d *dirNode) load(ctx context.Context, limit int) (*listing, error) {
	ctx, done := patient(ctx)
	defer done()
	lc := &d.lc
	for {
		lc.mu.Lock()
		if cur := lc.cur; cur != nil && d.fsys.fresh(cur.at) && (cur.complete || limit > 0) {
			lc.mu.Unlock()
			return cur, nil
		}
		ld := lc.loading
		if ld == nil {
			ld = &listLoad{done: make(chan struct{}), limit: limit}
			lc.loading = ld
			// Detached from the caller: others may wait on the same LIST.
			go d.list(context.WithoutCancel(ctx), ld)
		}
		lc.mu.Unlock()
		select {
		case <-ld.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if ld.err != nil {
			return nil, ld.err
		}
		if ld.l.complete || limit > 0 {
			return ld.l, nil
		}
		// A lookup's bounded listing was cut short; this caller needs all of it.
	}
}

func (d *dirNode) list(ctx context.Context, ld *listLoad) {
	at := d.fsys.now()
	prefix := d.prefix()
	ents, more, err := d.fsys.store.ListObjects(ctx, d.bck, aisclient.ListOptions{
		Prefix:      prefix,
		NoRecursion: true,
		Props:       listProps,
		Limit:       ld.limit,
	})
	lc := &d.lc
	lc.mu.Lock()
	if err == nil {
		ld.l = buildListing(prefix, ents, !more, at)
		for _, e := range ld.l.byName {
			d.fsys.markArchive(e)
		}
		lc.cur = ld.l
	}
	ld.err = err
	lc.loading = nil
	lc.mu.Unlock()
	close(ld.done)
}

// invalidate forgets the listing so the next lookup or readdir lists again.
func (d *dirNode) invalidate() {
	d.lc.mu.Lock()
	d.lc.cur = nil
	d.lc.mu.Unlock()
}
