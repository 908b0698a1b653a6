package fs

import (
	"context"
	"slices"
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

// lent is one listed entry, kept compact: a directory of a million objects stays in memory for
// lookups at 48 bytes plus its strings per entry, where a map of dirents took 300.
type lent struct {
	s                string // name, version, checksum, custom metadata: a substring of its page's text
	size             int64
	atime            int64 // Unix nanoseconds; 0 = unknown
	nlen, vlen, clen uint32
	dir              bool
}

// dirent is e as the directory shows it.
func (l *listing) dirent(e *lent) *dirent {
	d := e.dirent()
	if l.mark != nil {
		l.mark(d)
	}
	return d
}

// name is the entry's path component.
func (e *lent) name() string { return e.s[:e.nlen] }

func (e *lent) dirent() *dirent {
	d := &dirent{name: e.name(), isDir: e.dir}
	if !e.dir {
		rest := e.s[e.nlen:]
		v, c := rest[:e.vlen], rest[e.vlen:e.vlen+e.clen]
		d.attr = objAttr{size: e.size, version: v, cksum: c, meta: metaFromListing(rest[e.vlen+e.clen:])}
		if e.atime != 0 {
			d.attr.atime = time.Unix(0, e.atime)
		}
	}
	return d
}

// cmpKey orders names as AIS lists them: by object name, where a directory's ends in "/".
func cmpKey(a string, aDir bool, b string, bDir bool) int {
	n := min(len(a), len(b))
	if c := strings.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	next := func(s string, dir bool) int { // the key's byte after the common part, -1 at its end
		switch {
		case len(s) > n:
			return int(s[n])
		case dir && len(s) == n:
			return '/'
		}
		return -1
	}
	if x, y := next(a, aDir), next(b, bDir); x != y {
		return x - y
	}
	if len(a) != len(b) { // one continues past the other's "/"
		return len(a) - len(b)
	}
	if aDir == bDir {
		return 0
	}
	if aDir {
		return 1
	}
	return -1
}

// listing is one non-recursive read of a directory. It grows page by page while AIS lists it,
// so readdir can hand entries to the kernel as they arrive, and is immutable once done.
//
// Lock order: overlay.mu before listing.mu.
type listing struct {
	at     time.Time // when the LIST started
	prefix string
	mark   func(*dirent) // marks archives among listed entries (FS.markArchive); nil in tests

	mu       sync.Mutex
	ents     lents         // GUARDED_BY(mu): append-only, in arrival order
	sorted   bool          // GUARDED_BY(mu): ents are in key order, without duplicates
	index    []int32       // GUARDED_BY(mu): if !sorted, set when done: ents in key order, deduplicated
	grown    chan struct{} // GUARDED_BY(mu): closed (and replaced) when entries arrive or loading ends
	finished bool          // GUARDED_BY(mu)
	complete bool          // GUARDED_BY(mu): done, and the whole directory is in ents
	err      error         // GUARDED_BY(mu): why loading failed
}

func newListing(prefix string, at time.Time) *listing {
	return &listing{at: at, prefix: prefix, sorted: true, grown: make(chan struct{})}
}

// buildListing is a finished listing of entries (tests, and stores that list in one piece).
func buildListing(prefix string, entries []aisclient.Entry, complete bool, at time.Time) *listing {
	l := newListing(prefix, at)
	l.addPage(entries)
	l.finish(complete, nil)
	return l
}

// addPage appends one page of list-objects entries below the listing's prefix.
func (l *listing) addPage(entries []aisclient.Entry) {
	type span struct{ name, rest, vlen, clen int }
	var text []byte
	spans := make([]span, 0, len(entries))
	page := make([]lent, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		rel, ok := strings.CutPrefix(e.Name, l.prefix)
		if !ok {
			continue
		}
		isDir := e.IsDir || strings.HasSuffix(rel, "/")
		rel = strings.TrimSuffix(rel, "/")
		if rel == "" || strings.Contains(rel, "/") {
			continue // the directory itself, or deeper than one level
		}
		text = append(text, rel...)
		s := span{name: len(rel)}
		if !isDir {
			text = append(append(append(text, e.Version...), e.Checksum...), e.CustomRaw...)
			s.rest, s.vlen, s.clen = len(e.Version)+len(e.Checksum)+len(e.CustomRaw), len(e.Version), len(e.Checksum)
		}
		spans = append(spans, s)
		ent := lent{size: e.Size, dir: isDir}
		if !isDir && !e.Atime.IsZero() {
			ent.atime = e.Atime.UnixNano()
		}
		page = append(page, ent)
	}
	all := string(text) // one allocation for the page's strings
	off := 0
	for i, s := range spans {
		page[i].s = all[off : off+s.name+s.rest]
		off += s.name + s.rest
		page[i].nlen, page[i].vlen, page[i].clen = uint32(s.name), uint32(s.vlen), uint32(s.clen)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range page {
		e := &page[i]
		if n := l.ents.len(); n > 0 && l.sorted {
			last := l.ents.at(n - 1)
			switch c := cmpKey(last.name(), last.dir, e.name(), e.dir); {
			case c == 0:
				continue // listed twice: the first one stands
			case c > 0:
				l.sorted = false
			}
		}
		l.ents.push(*e)
	}
	l.signal()
}

// finish ends loading: complete says AIS listed the whole directory.
func (l *listing) finish(complete bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.sorted {
		idx := make([]int32, l.ents.len())
		for i := range idx {
			idx[i] = int32(i)
		}
		cmp := func(a, b int32) int {
			x, y := l.ents.at(int(a)), l.ents.at(int(b))
			return cmpKey(x.name(), x.dir, y.name(), y.dir)
		}
		slices.SortStableFunc(idx, cmp)
		l.index = slices.CompactFunc(idx, func(a, b int32) bool { return cmp(a, b) == 0 })
	}
	l.finished, l.complete, l.err = true, complete && err == nil, err
	l.signal()
}

// signal wakes whoever waits for more entries. Needs l.mu.
func (l *listing) signal() {
	close(l.grown)
	l.grown = make(chan struct{})
}

// entry returns the i-th listed entry in arrival order, waiting while AIS still lists; ok false
// at the end, or with the error that ended loading.
func (l *listing) entry(ctx context.Context, i int) (lent, bool, error) {
	for {
		l.mu.Lock()
		switch {
		case i < l.ents.len():
			e := *l.ents.at(i)
			l.mu.Unlock()
			return e, true, nil
		case l.finished:
			err := l.err
			l.mu.Unlock()
			return lent{}, false, err
		}
		ch := l.grown
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return lent{}, false, ctx.Err()
		}
	}
}

// covers waits until the listing can tell whether name is in it: loading ended, or entries
// arriving in key order passed both keys name could have (a file's and a directory's). known
// reports that a name get does not find is absent from the directory.
func (l *listing) covers(ctx context.Context, name string) (known bool, err error) {
	for {
		l.mu.Lock()
		if l.finished {
			known, err = l.complete, l.err
			l.mu.Unlock()
			return known, err
		}
		if n := l.ents.len(); l.sorted && n > 0 {
			if last := l.ents.at(n - 1); cmpKey(last.name(), last.dir, name, true) > 0 {
				l.mu.Unlock()
				return true, nil
			}
		}
		ch := l.grown
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// wait returns once the listing holds an entry or is done, with the error that ended it.
func (l *listing) wait(ctx context.Context) error {
	_, _, err := l.entry(ctx, 0)
	return err
}

// isComplete reports whether the listing is done and holds the whole directory.
func (l *listing) isComplete() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.complete
}

// len is how many entries the listing holds so far.
func (l *listing) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ents.len()
}

// get finds name, a file or a directory, among the entries listed so far.
func (l *listing) get(name string) (*dirent, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.ents.len()
	at := l.ents.at
	if !l.sorted {
		if l.index == nil {
			for i := range n { // still loading, out of order: rare
				if e := l.ents.at(i); e.name() == name {
					return l.dirent(e), true
				}
			}
			return nil, false
		}
		n = len(l.index)
		at = func(i int) *lent { return l.ents.at(int(l.index[i])) }
	}
	for _, dir := range []bool{false, true} {
		lo, hi := 0, n
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			e := at(m)
			if cmpKey(e.name(), e.dir, name, dir) < 0 {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo < n {
			if e := at(lo); e.name() == name && e.dir == dir {
				return l.dirent(e), true
			}
		}
	}
	return nil, false
}

// lents is an append-only list of entries in chunks: growing it never copies what it holds, so
// a million-entry listing costs no second, larger copy while it loads.
type lents struct {
	chunks [][]lent
	n      int
}

const lentChunk = 4096

func (s *lents) len() int { return s.n }

func (s *lents) at(i int) *lent { return &s.chunks[i/lentChunk][i%lentChunk] }

func (s *lents) push(e lent) {
	if s.n%lentChunk == 0 && (s.n > 0 || len(s.chunks) == 0) {
		// The first chunk grows as a slice does, so a small directory holds a small one.
		if s.n > 0 {
			s.chunks = append(s.chunks, make([]lent, 0, lentChunk))
		} else {
			s.chunks = append(s.chunks, nil)
		}
	}
	c := &s.chunks[len(s.chunks)-1]
	*c = append(*c, e)
	s.n++
}
