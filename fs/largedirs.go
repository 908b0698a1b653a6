package fs

import (
	"context"

	"github.com/aisfs/aisfs/aisclient"
	lru "github.com/hashicorp/golang-lru/v2"
)

// largeDirsMax bounds how many directories the mount remembers as large.
const largeDirsMax = 4096

// largeDirs remembers, for the whole mount, the directories whose last complete listing held
// more than a lookup lists (Config.ListLookupMax): their lookups list them in full again (one
// LIST for ls -l after the TTL, not one HEAD per name past a bounded listing's end). It is kept
// by bucket and prefix, not on the directory's node, because the kernel may forget a directory
// node while the directory is in use (memory pressure, drop_caches by any process) and the node
// that replaces it would start without that knowledge. Safe for concurrent use; nil remembers
// nothing.
type largeDirs struct {
	set *lru.Cache[string, struct{}]
}

func newLargeDirs() *largeDirs {
	set, err := lru.New[string, struct{}](largeDirsMax)
	if err != nil { // only for a size <= 0
		panic(err)
	}
	return &largeDirs{set: set}
}

func largeKey(bck aisclient.Bck, prefix string) string { return bck.String() + "\x00" + prefix }

// is reports whether the directory was last seen large.
func (s *largeDirs) is(bck aisclient.Bck, prefix string) bool {
	return s != nil && s.set.Contains(largeKey(bck, prefix))
}

// saw records what a complete listing of the directory found.
func (s *largeDirs) saw(bck aisclient.Bck, prefix string, large bool) {
	if s == nil {
		return
	}
	if large {
		s.set.Add(largeKey(bck, prefix), struct{}{})
	} else {
		s.set.Remove(largeKey(bck, prefix))
	}
}

// recentLarge returns the directory's complete listing if it finished loading within the stat
// TTL, for the lookups of a large directory. Listing a million objects can take longer than the
// TTL, and judged from its start such a listing is stale as it completes: every lookup listed the
// directory again and waited for all of it (`ls -l` of 1,000,000 objects made about one lstat
// per LIST). Judged from its end, what a lookup answers is at most the TTL plus one listing's
// duration old.
func (d *dirNode) recentLarge() *listing {
	lc := &d.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if l := lc.cur; l != nil && l.isComplete() && d.fsys.fresh(lc.curDone) {
		return l
	}
	return nil
}

// largeCovering answers a large directory's lookup from a complete LIST as soon as its entries,
// arriving in key order, pass name: ls -l and find stat entries in the order readdir gave them,
// which is the LIST's, and waiting for the end of each relisting (a million objects outlive the
// TTL, so one per TTL) stalled every lookup for the rest of the LIST. ok false: no complete LIST
// can say (a lookup's bounded one is loading); the caller loads in full.
func (d *dirNode) largeCovering(ctx context.Context, name string) (l *listing, known, ok bool, err error) {
	ctx, done := patient(ctx)
	defer done()
	l, limited := d.start(ctx, 0)
	if limited {
		return nil, false, false, nil
	}
	known, err = l.covers(ctx, name)
	if err != nil {
		return nil, false, false, err
	}
	return l, known, true, nil
}
