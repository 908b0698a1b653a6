package fs

import (
	"context"
	"time"
)

// No request that the listing already answered: an open (or stat) whose attributes are older
// than the stat TTL takes them from the directory's listing when that is fresh, instead of one
// HEAD. A busy directory (many of its files opened since its listing, as a loader does) is
// listed again once its listing is stale: one LIST for all its files instead of a HEAD each. A
// quiet one keeps the single HEAD, which is cheaper than listing a large directory for one file.
// Either way what the open sees is at most the stat TTL old, as close-to-open asks.

// handedAttr returns the node's attributes from the listing a readdir handed its name out from
// within the TTL (handout.go), and when they were true: the attributes READDIRPLUS gave with the
// name, for the stat that follows it (ls -l of a directory whose listing outlived the TTL).
func (n *fileNode) handedAttr() (objAttr, time.Time, bool) {
	name, d := n.parentDir()
	if d == nil {
		return objAttr{}, time.Time{}, false
	}
	l := d.handedListing(name)
	if l == nil {
		return objAttr{}, time.Time{}, false
	}
	e, ok, final := d.ov.resolve(name, l, false)
	if !ok || !final || e.isDir || e.pending || e.attr.fileType() != n.StableAttr().Mode {
		return objAttr{}, time.Time{}, false
	}
	at := l.at
	if e.at.After(at) {
		at = e.at
	}
	return e.attr, at, true
}

// listedAttr returns the node's attributes from its directory's listing and when they were
// true, or false when the listing cannot say without a HEAD.
func (n *fileNode) listedAttr(ctx context.Context) (objAttr, time.Time, bool) {
	name, d := n.parentDir()
	if d == nil {
		return objAttr{}, time.Time{}, false
	}
	d.lc.mu.Lock()
	l := d.lc.cur
	d.lc.mu.Unlock()
	if l == nil || !n.fsys.fresh(l.at) {
		if !d.pf.busy() {
			return objAttr{}, time.Time{}, false
		}
		var err error
		if l, _, err = d.lookupListing(ctx, name); err != nil {
			return objAttr{}, time.Time{}, false
		}
	}
	e, ok, final := d.ov.resolve(name, l, l.isComplete())
	if !ok || !final || e.isDir || e.pending || e.attr.version == "" && e.attr.cksum == "" ||
		e.attr.fileType() != n.StableAttr().Mode {
		return objAttr{}, time.Time{}, false
	}
	at := l.at
	if e.at.After(at) {
		at = e.at
	}
	if !n.fsys.fresh(at) {
		return objAttr{}, time.Time{}, false
	}
	return e.attr, at, true
}

// busy reports whether many files of the directory were opened since its listing.
func (p *dirPrefetch) busy() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st.nopened >= busyAfter
}
