package fs

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/aisclient"
)

// maxNameLen is the longest path component POSIX tools expect a filesystem to take.
const maxNameLen = 255

// dirNode is a directory of objects: a bucket root or an implicit directory below it.
type dirNode struct {
	fusefs.Inode
	fsys *FS
	bck  aisclient.Bck
	root bool // the bucket's top directory in this mount
	nm   namer

	lc listCache
	ov overlay
	pf dirPrefetch // batched reads of its small files (prefetch.go)

	metaMu sync.Mutex
	meta   dirMeta // GUARDED_BY(metaMu)

	pinned atomic.Bool // pin ran: the node outlives the kernel's FORGET (dirattr.go)
}

func (f *FS) newDir(bck aisclient.Bck, root bool) *dirNode {
	return &dirNode{fsys: f, bck: bck, root: root, meta: newDirMeta()}
}

// prefix is the object-name prefix of this directory: "" (bucket root) or ending in "/".
func (d *dirNode) prefix() string { return d.nm.resolve(&d.Inode, d.fsys.cfg.Prefix, "/") }

// path names the directory in logs.
func (d *dirNode) path(name string) string { return d.bck.String() + "/" + d.prefix() + name }

var _ = (fusefs.NodeGetattrer)((*dirNode)(nil))

func (d *dirNode) Getattr(ctx context.Context, fh fusefs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.fillAttr(&out.Attr)
	return 0
}

var _ = (fusefs.NodeLookuper)((*dirNode)(nil))

// Lookup answers from the directory's listing (one LIST per directory per TTL); in a directory
// too large to list for a lookup it probes the one name with a HEAD.
func (d *dirNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	if len(name) > maxNameLen {
		return nil, syscall.ENAMETOOLONG
	}
	e, at, errno := d.resolve(ctx, name)
	if errno != 0 {
		return nil, errno
	}
	return d.child(ctx, e, at, out), 0
}

// resolve is the one way a name is looked up (Lookup, and rename's check of its target): the
// directory's view (listing plus what this mount changed) when it can say, else one probe. It
// answers ENOENT only when the name is known to be absent, and another errno (logged) when that
// cannot be known. at is when what it says was true.
func (d *dirNode) resolve(ctx context.Context, name string) (*dirent, time.Time, syscall.Errno) {
	l, known, err := d.lookupListing(ctx, name)
	if err != nil {
		return nil, time.Time{}, d.fsys.errno("lookup", d.path(name), err)
	}
	if e, ok, final := d.ov.resolve(name, l, known); final {
		if !ok {
			return nil, time.Time{}, syscall.ENOENT
		}
		at := l.at
		if e.at.After(at) {
			at = e.at
		}
		return e, at, 0
	}
	e, at, err := d.probe(ctx, d.prefix(), name)
	switch {
	case err == nil:
		return e, at, 0
	case errors.Is(err, aisclient.ErrNotFound) || errors.Is(err, aisclient.ErrInvalidName):
		return nil, time.Time{}, syscall.ENOENT
	}
	return nil, time.Time{}, d.fsys.errno("lookup", d.path(name), err)
}

// probe finds out what one name is without listing the whole directory.
func (d *dirNode) probe(ctx context.Context, prefix, name string) (*dirent, time.Time, error) {
	at := d.fsys.now()
	a, err := d.fsys.store.HeadObject(ctx, d.bck, prefix+name)
	if err == nil {
		e := &dirent{name: name, attr: attrFromHead(a)}
		d.fsys.markArchive(e)
		return e, at, nil
	}
	if !errors.Is(err, aisclient.ErrNotFound) {
		return nil, at, err
	}
	// No object: it may be an implicit directory, if any object lies below it.
	empty, err := d.fsys.emptyPrefix(ctx, d.bck, prefix+name+"/")
	if err != nil {
		return nil, at, err
	}
	if empty {
		return nil, at, aisclient.ErrNotFound
	}
	return &dirent{name: name, isDir: true}, at, nil
}

// child returns the inode for a listed name, reusing a live one (its state: open writers,
// kept page cache, properties) and refreshing its attributes.
func (d *dirNode) child(ctx context.Context, e *dirent, at time.Time, out *fuse.EntryOut) *fusefs.Inode {
	if e.archive {
		return d.archiveChild(ctx, e, out)
	}
	if ch := d.GetChild(e.name); ch != nil {
		switch n := ch.Operations().(type) {
		case *dirNode:
			if e.isDir {
				n.fillAttr(&out.Attr)
				return ch
			}
		case *fileNode:
			if !e.isDir && ch.StableAttr().Mode == e.attr.fileType() {
				if !n.busy() {
					n.setAttr(e.attr, identified(e.attr, at))
				}
				n.fillAttr(&out.Attr)
				d.fsys.nodes.touch(n)
				return ch
			}
		}
	}
	prefix := d.prefix()
	if e.isDir {
		sub := d.fsys.newDir(d.bck, false)
		sub.fillAttr(&out.Attr)
		return d.NewInode(ctx, sub, fusefs.StableAttr{Mode: syscall.S_IFDIR})
	}
	n := d.fsys.newFile(d.bck, prefix+e.name)
	n.setAttr(e.attr, identified(e.attr, at))
	n.fillAttr(&out.Attr)
	return d.NewInode(ctx, n, fusefs.StableAttr{Mode: e.attr.fileType()})
}

// identified returns at, or no time at all when a names no version or checksum (an object this
// mount uploaded with append and flush): its attributes then count as stale, so the next open
// learns the version with a HEAD and never keys cached blocks by size alone.
func identified(a objAttr, at time.Time) time.Time {
	if a.version == "" && a.cksum == "" {
		return time.Time{}
	}
	return at
}

var _ = (fusefs.NodeOpendirHandler)((*dirNode)(nil))

func (d *dirNode) OpendirHandle(ctx context.Context, flags uint32) (fusefs.FileHandle, uint32, syscall.Errno) {
	l, err := d.stream(ctx)
	if err != nil {
		return nil, 0, d.fsys.errno("opendir", d.path(""), err)
	}
	return d.newDirHandle(l), 0, 0
}
