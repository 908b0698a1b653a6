package fs

import "time"

// handout remembers which names a readdir of the directory handed the kernel lately, and from
// which listing, so that their lookups answer from that listing. `ls -l` and `find` look up
// each name readdir gave them, a few thousand names behind it (one READDIRPLUS reply), and
// past --max-inodes (or once a listing outlives the TTL mid-readdir) every one of those is a
// LOOKUP. Answering them from a fresh LIST kept a second copy of a million-entry directory in
// memory beside the one readdir walks, and made each lookup wait for that LIST to pass its
// name. A name readdir handed out within the TTL is as trusted as the attributes READDIRPLUS
// would have given with it.
//
// The names handed out since loAt are the key range [lo, hi]: readdir hands a listing out in
// key order. lo moves up to mid, and mid to hi, every half TTL; covering answers for [mid, hi]
// alone once lo was handed out a TTL ago.
// GUARDED_BY(listCache.mu)
type handout struct {
	l      *listing
	lo, hi string // the range handed out since loAt (AIS keys: a directory's ends in "/")
	loDir  bool
	hiDir  bool
	loAt   time.Time
	mid    string // where lo moves next, handed out at midAt
	midDir bool
	midAt  time.Time
	hiAt   time.Time
}

// handed records that a readdir gave the kernel name, listed in l, at now.
func (h *handout) handed(l *listing, name string, dir bool, now time.Time, ttl time.Duration) {
	if h.l != l || cmpKey(name, dir, h.hi, h.hiDir) < 0 {
		// Another listing, or a readdir that went back: start over from this name.
		*h = handout{l: l, lo: name, loDir: dir, loAt: now, mid: name, midDir: dir, midAt: now}
	}
	h.hi, h.hiDir, h.hiAt = name, dir, now
	if now.Sub(h.midAt) >= ttl/2 {
		h.lo, h.loDir, h.loAt = h.mid, h.midDir, h.midAt
		h.mid, h.midDir, h.midAt = name, dir, now
	}
}

// covering returns the listing name was handed out from within the TTL, or nil. A name in
// the range but not in the listing was never handed out: nil tells nothing of its absence.
func (h *handout) covering(name string, now time.Time, ttl time.Duration) *listing {
	lo, loDir := h.lo, h.loDir
	switch {
	case h.l == nil:
		return nil
	case now.Sub(h.loAt) >= ttl: // a readdir that paused: what it handed since mid may still do
		if now.Sub(h.midAt) >= ttl {
			return nil
		}
		lo, loDir = h.mid, h.midDir
	}
	// A lookup does not know whether name is a directory: it is in range if either key is.
	if cmpKey(name, true, lo, loDir) < 0 || cmpKey(name, false, h.hi, h.hiDir) > 0 {
		return nil
	}
	return h.l
}

// noteHanded records a name readdir handed the kernel from listing l.
func (d *dirNode) noteHanded(l *listing, e *dirent) {
	lc := &d.lc
	lc.mu.Lock()
	lc.handout.handed(l, e.name, e.isDir, d.fsys.now(), d.fsys.cfg.StatTTL)
	lc.mu.Unlock()
}

// handedListing returns the listing a readdir handed name out from within the TTL, or nil; nil
// too when a fresh listing of the directory can answer, for it may be the newer.
func (d *dirNode) handedListing(name string) *listing {
	lc := &d.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if cur := lc.cur; cur != nil && d.fsys.fresh(cur.at) {
		return nil
	}
	return lc.handout.covering(name, d.fsys.now(), d.fsys.cfg.StatTTL)
}
