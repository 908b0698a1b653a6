package fs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/writeback"
)

// fileNode is one object.
type fileNode struct {
	fusefs.Inode
	fsys *FS
	bk   *aisclient.Bck // shared by the bucket's file nodes (bckref.go); see bck
	nm   namer

	mu     sync.Mutex
	attr   objAttr    // GUARDED_BY(mu)
	attrAt stamp      // GUARDED_BY(mu): when attr was fetched; zero forces a HEAD
	ws     writeState // GUARDED_BY(mu)
	lru    lruLink    // GUARDED_BY(fsys.nodes.mu): see nodecap.go
	used   atomic.Pointer[fileUsed]
}

// fileUsed is the part of a file node that only files opened, changed or asked for xattrs need.
// A listed file that is never used (most of a large directory's) goes without it: the kernel may
// know up to --max-inodes files, and every byte of a node counts that many times (nodesize_test.go).
type fileUsed struct {
	metaMu   sync.Mutex          // one metadata PATCH at a time; before fileNode.mu (writemeta.go)
	opened   bool                // GUARDED_BY(fileNode.mu): lastOpen is set
	lastOpen objAttr             // GUARDED_BY(fileNode.mu): content seen by the previous open, for FOPEN_KEEP_CACHE
	props    *aisclient.ObjAttrs // GUARDED_BY(fileNode.mu): last HEAD (custom metadata), for xattrs
	propsAt  time.Time           // GUARDED_BY(fileNode.mu)
	writers  []*writeback.File   // GUARDED_BY(fileNode.mu): every open writer's, newest last (a rename renames them all)
}

// use returns the node's fileUsed, made on first use (never replaced, so callers may keep it).
func (n *fileNode) use() *fileUsed {
	if u := n.used.Load(); u != nil {
		return u
	}
	n.used.CompareAndSwap(nil, new(fileUsed))
	return n.used.Load()
}

// dropProps forgets the cached HEAD after a local change. Needs n.mu.
func (n *fileNode) dropProps() {
	if u := n.used.Load(); u != nil {
		u.props = nil
	}
}

// newFile returns a node for the object name; name is only its first name, see objName.
func (f *FS) newFile(bck aisclient.Bck, name string) *fileNode {
	n := &fileNode{fsys: f, bk: f.bcks.ref(bck)}
	n.nm.set(name)
	return n
}

// bck is the node's bucket.
func (n *fileNode) bck() aisclient.Bck { return *n.bk }

// objName is the node's current object name.
func (n *fileNode) objName() string { return n.nm.resolve(&n.Inode, n.fsys.cfg.Prefix, "") }

// setAttr records attributes fetched at `at`, unless newer ones are already known. The access
// time of unchanged content stays the one first seen: every GET moves AIS's atime, which is also
// the file's mtime when no mtime was set, and a new mtime makes the kernel drop the file's page
// cache (auto_inval_data), so a second epoch would read everything again.
func (n *fileNode) setAttr(a objAttr, at time.Time) {
	n.mu.Lock()
	if !at.Before(n.attrAt.time()) {
		if a.version != "" && a.sameContent(n.attr) && !n.attr.atime.IsZero() {
			a.atime = n.attr.atime
		}
		n.attr, n.attrAt = a, stampOf(at)
	}
	n.mu.Unlock()
}

// expire makes the next open or stat ask AIS again.
func (n *fileNode) expire() {
	n.mu.Lock()
	n.attrAt = 0
	n.mu.Unlock()
}

func (n *fileNode) fillAttr(out *fuse.Attr) {
	n.mu.Lock()
	a := n.attr
	n.mu.Unlock()
	n.fsys.fileAttr(a, out)
	out.Ino = n.StableAttr().Ino
}

// detached reports whether the node has left the tree, unlinked or renamed over while the
// kernel still holds it (an open handle): its last name is gone or another file's, so nothing
// may be asked of it or stored for it in AIS under that name.
func (n *fileNode) detached() bool {
	_, parent := n.Parent()
	return parent == nil
}

// revalidate returns the node's attributes, refreshed with one HEAD when older than the TTL.
// While this mount writes the file, its own attributes are newer than AIS's and are returned.
// So are those of a file unlinked or renamed over while open: its name is gone or another
// file's, and fstat(2) on a handle must keep working.
func (n *fileNode) revalidate(ctx context.Context) (objAttr, error) {
	if n.detached() {
		return n.attrs(), nil
	}
	n.mu.Lock()
	if n.ws.busy() {
		defer n.mu.Unlock()
		return n.attr, nil
	}
	n.mu.Unlock()
	return n.current(ctx)
}

// current returns the attributes of the object in AIS: cached ones while fresh and naming a
// version or checksum, else from one HEAD. Reads are keyed by what it returns.
func (n *fileNode) current(ctx context.Context) (objAttr, error) {
	n.mu.Lock()
	a, at := n.attr, n.attrAt.time()
	n.mu.Unlock()
	if n.fsys.fresh(at) && (a.version != "" || a.cksum != "") {
		return a, nil
	}
	if la, lat, ok := n.listedAttr(ctx); ok {
		if !n.busy() {
			n.setAttr(la, lat)
		}
		return la, nil
	}
	at = n.fsys.now()
	h, err := n.fsys.store.HeadObject(ctx, n.bck(), n.objName())
	if err != nil {
		return objAttr{}, err
	}
	a = attrFromHead(h)
	if !n.busy() {
		n.setAttr(a, at)
	}
	return a, nil
}

var _ = (fusefs.NodeGetattrer)((*fileNode)(nil))

func (n *fileNode) Getattr(ctx context.Context, fh fusefs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if n.statHanded() {
		n.fillAttr(&out.Attr)
		return 0
	}
	if _, err := n.revalidate(ctx); err != nil {
		return n.fsys.errno("getattr", n.path(), err)
	}
	n.fillAttr(&out.Attr)
	return 0
}

// statHanded takes stale attributes of an idle node from the listing a readdir just handed its
// name out from (revalidate.go handedAttr), and reports whether it did. Only stat does: an open
// revalidates, as close-to-open asks.
func (n *fileNode) statHanded() bool {
	n.mu.Lock()
	skip := n.ws.busy() || n.fsys.fresh(n.attrAt.time())
	n.mu.Unlock()
	if skip {
		return false
	}
	a, at, ok := n.handedAttr()
	if ok && !n.busy() {
		n.setAttr(a, at)
	}
	return ok
}

func (n *fileNode) path() string { return n.bck().String() + "/" + n.objName() }

var _ = (fusefs.NodeOpener)((*fileNode)(nil))

func (n *fileNode) Open(ctx context.Context, flags uint32) (fusefs.FileHandle, uint32, syscall.Errno) {
	if flags&syscall.O_ACCMODE != syscall.O_RDONLY || flags&syscall.O_TRUNC != 0 {
		h, errno := n.openForWrite(ctx, flags)
		if errno != 0 {
			return nil, 0, errno
		}
		return h, 0, 0
	}
	n.mu.Lock()
	active, pending := n.ws.active, n.ws.pending
	n.mu.Unlock()
	if pending && active != nil {
		// Created here and not in AIS yet: read what the writer has.
		return &stagedReader{node: n, f: active}, fuse.FOPEN_DIRECT_IO, 0
	}
	// Close-to-open: a reader sees the object as AIS has it, which includes everything a
	// writer of this mount has closed or synced.
	n.mu.Lock()
	told := n.attr // what the kernel may still hold, its own TTL running later than ours
	n.mu.Unlock()
	a, err := n.current(ctx)
	if err != nil {
		return nil, 0, n.fsys.errno("open", n.path(), err)
	}
	if !a.sameContent(told) {
		// The kernel would go on with the old size: fstat reports it, and readahead past the
		// new end, answered short and out of order, pads the content with zeros. Offset -1
		// drops only its attributes (no page lock: safe inside OPEN); pages go at the reply,
		// as it carries no FOPEN_KEEP_CACHE.
		n.NotifyContent(-1, 0)
	}
	u := n.use()
	n.mu.Lock()
	keep := n.keepsPagesLocked(a)
	u.opened, u.lastOpen = true, a
	n.mu.Unlock()
	name, dir := n.parentDir()
	n.fsys.pf.opened(dir, name, a)

	// A read handle has nothing to flush: NOFLUSH spares close(2) a round trip to this process.
	fuseFlags := uint32(fuse.FOPEN_NOFLUSH)
	if min := n.fsys.cfg.DirectIOMin; min > 0 && a.size >= min {
		fuseFlags |= fuse.FOPEN_DIRECT_IO
	}
	if keep {
		fuseFlags |= fuse.FOPEN_KEEP_CACHE
	}
	r := n.fsys.cache.NewReader(n.cacheObject(a))
	if !keep {
		// A small file's first read fetches all of it (one block): start now, so that the GET
		// overlaps this reply and the READ that follows instead of waiting for them.
		r.StartWhole()
	}
	return &readHandle{node: n, r: r, kept: fuseFlags&fuse.FOPEN_DIRECT_IO == 0}, fuseFlags, 0
}

// keepsPagesLocked reports whether an open of version a keeps the kernel's page cache: the
// previous open saw the same content (FOPEN_KEEP_CACHE). n.mu is held.
func (n *fileNode) keepsPagesLocked(a objAttr) bool {
	u := n.used.Load() // never opened: no fileUsed, and nothing kept
	return u != nil && u.opened && u.lastOpen.sameContent(a) && a.version != ""
}

func (n *fileNode) keepsPages(a objAttr) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.keepsPagesLocked(a)
}

// cacheObject describes one version of the object to the block cache. Its fetches ask for the
// object under the name it has when they run: a handle open across a rename goes on reading.
func (n *fileNode) cacheObject(a objAttr) cache.Object {
	return n.fsys.objectOf(n.bck(), n.objName(), n.objName, a, n.expire)
}

// cacheObject describes one version of the object bck/name to the block cache, for batched
// reads of files not opened yet.
func (f *FS) cacheObject(bck aisclient.Bck, name string, a objAttr, stale func()) cache.Object {
	return f.objectOf(bck, name, func() string { return name }, a, stale)
}

// objectOf describes one version of an object to the block cache. The key carries name,
// version, checksum and size, so blocks of a rewritten object are never served for the new
// one. Fetches GET the object named by cur when they run; stale, if set, runs when AIS has
// another version there.
func (f *FS) objectOf(bck aisclient.Bck, name string, cur func() string, a objAttr, stale func()) cache.Object {
	key := bck.String() + "\x00" + name + "\x00" + a.version + "\x00" + a.cksum + "\x00" + strconv.FormatInt(a.size, 10)
	// Without a checksum the key is too weak to trust across mounts: no disk tier for it.
	return cache.Object{Key: key, Size: a.size, Fetch: f.fetcher(bck, cur, a, stale), FetchRun: f.runFetcher(bck, cur, a, stale), Volatile: a.cksum == ""}
}

// fetcher reads ranges of the object and refuses bytes of any other version than want.
func (f *FS) fetcher(bck aisclient.Bck, cur func() string, want objAttr, stale func()) cache.Fetcher {
	return func(ctx context.Context, off int64, p []byte) (int, error) {
		name := cur()
		k, got, err := f.store.GetRange(ctx, bck, name, off, p)
		if err != nil {
			return k, goneWhileOpen(err)
		}
		if changed(want.version, got.Version) || changed(want.cksum, got.CksumValue) {
			if stale != nil {
				stale()
			}
			return 0, fmt.Errorf("%s/%s: version %q became %q: %w", bck, name, want.version, got.Version, errStale)
		}
		return k, nil
	}
}

// runFetcher reads consecutive blocks with one range GET, handing each to the cache as soon as
// it is in, after checking that it is of version want.
func (f *FS) runFetcher(bck aisclient.Bck, cur func() string, want objAttr, stale func()) cache.RunFetcher {
	return func(ctx context.Context, off int64, bufs [][]byte, filled func(int)) error {
		name := cur()
		_, _, err := f.store.GetRangeV(ctx, bck, name, off, bufs, func(i int, got *aisclient.ObjAttrs) error {
			if changed(want.version, got.Version) || changed(want.cksum, got.CksumValue) {
				if stale != nil {
					stale()
				}
				return fmt.Errorf("%s/%s: version %q became %q: %w", bck, name, want.version, got.Version, errStale)
			}
			filled(i)
			return nil
		})
		return goneWhileOpen(err)
	}
}

// goneWhileOpen turns "not found" for a version an open saw into ESTALE: the object was removed
// (or renamed by another client) under the handle, which is no longer any good, while the path
// may well exist again by then. Other errors pass as they are.
func goneWhileOpen(err error) error {
	if !errors.Is(err, aisclient.ErrNotFound) {
		return err
	}
	return fmt.Errorf("%v: %w", err, errStale)
}

// changed compares two identities, ignoring one that is unknown.
func changed(want, got string) bool { return want != "" && got != "" && want != got }
