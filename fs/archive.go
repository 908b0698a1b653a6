package fs

import (
	"context"
	"io"
	"sync"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/aisclient"
)

// ArchiveStore reads archives on the server, for Config.Archives. *aisclient.Client has it.
type ArchiveStore interface {
	ListArchive(ctx context.Context, bck aisclient.Bck, shard string) (*aisclient.Archive, error)
	GetArchived(ctx context.Context, bck aisclient.Bck, shard, member string) (io.ReadCloser, int64, error)
}

var _ ArchiveStore = (*aisclient.Client)(nil)

// archive is the state shared by every node of one archive object shown as a directory:
// which object it is and the latest listing of its members.
//
// Lock order: loadMu before mu.
type archive struct {
	fsys *FS
	bck  aisclient.Bck
	top  *archDir // the directory the object shows as; its place in the tree names the object
	nm   namer

	loadMu sync.Mutex // one member listing at a time
	mu     sync.Mutex
	seen   objAttr    // GUARDED_BY(mu): the object as the parent directory last listed it
	idx    *archIndex // GUARDED_BY(mu): nil until listed, or after the object changed
	warned string     // GUARDED_BY(mu): the version last reported unreadable, so it is logged once
}

// shard is the archive object's current name (it follows a rename of a directory above it).
func (a *archive) shard() string { return a.nm.resolve(&a.top.Inode, a.fsys.cfg.Prefix, "") }

// path names the archive in logs.
func (a *archive) path() string { return a.bck.String() + "/" + a.shard() }

// sawObject records the object's attributes from the parent's listing: when they name other
// content than the members were listed from, the members are listed again.
func (a *archive) sawObject(attr objAttr) {
	a.mu.Lock()
	a.seen = attr
	if a.idx != nil && !a.idx.shard.sameContent(attr) {
		a.idx = nil
	}
	a.mu.Unlock()
}

// forget drops the members, so the next use lists the archive again (it changed under a read).
func (a *archive) forget() {
	a.mu.Lock()
	a.idx = nil
	a.mu.Unlock()
}

// index returns the members, listed again once older than the stat TTL: one LIST per archive
// per TTL, which also tells the current version of the object (close-to-open for members).
func (a *archive) index(ctx context.Context) (*archIndex, error) {
	if idx := a.current(); idx != nil {
		return idx, nil
	}
	a.loadMu.Lock()
	defer a.loadMu.Unlock()
	if idx := a.current(); idx != nil {
		return idx, nil
	}
	ctx, done := patient(ctx)
	defer done()
	at := a.fsys.now()
	arch, err := a.fsys.arch.ListArchive(ctx, a.bck, a.shard())
	if err != nil {
		return nil, err
	}
	idx := buildArchIndex(arch, at)
	a.mu.Lock()
	a.idx = idx
	warn := !idx.readable && a.warned != idx.shard.version+idx.shard.cksum
	if warn {
		a.warned = idx.shard.version + idx.shard.cksum
	}
	a.mu.Unlock()
	if warn {
		a.fsys.log.Warn("AIS cannot read this object as an archive; it shows as an empty directory (mount without --archives to read it as a file)",
			"path", a.path(), "size", arch.Shard.Size)
	}
	return idx, nil
}

func (a *archive) current() *archIndex {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.idx != nil && a.fsys.fresh(a.idx.at) {
		return a.idx
	}
	return nil
}

// archDir is a directory of an archive: its top (the object's own name) or one inside it.
type archDir struct {
	fusefs.Inode
	readOnly
	arch *archive
	dir  string // "" for the top, else "a/b/"
}

// newArchiveDir is the directory an archive object shows as.
func (f *FS) newArchiveDir(bck aisclient.Bck, shard string, attr objAttr) *archDir {
	a := &archive{fsys: f, bck: bck}
	a.nm.set(shard)
	a.sawObject(attr)
	a.top = &archDir{arch: a}
	return a.top
}

func (d *archDir) fillAttr(out *fuse.Attr) {
	d.arch.fsys.dirAttr(out)
	out.Mode &^= 0o222 // read-only, and says so
	if d.dir == "" {
		d.arch.mu.Lock()
		atime := d.arch.seen.atime
		d.arch.mu.Unlock()
		if !atime.IsZero() {
			out.SetTimes(&atime, &atime, &atime)
		}
	}
}

var _ = (fusefs.NodeGetattrer)((*archDir)(nil))

func (d *archDir) Getattr(ctx context.Context, fh fusefs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.fillAttr(&out.Attr)
	return 0
}

// list returns this directory's entries, or nil when the archive no longer has it.
func (d *archDir) list(ctx context.Context, op string) (*archDirList, syscall.Errno) {
	idx, err := d.arch.index(ctx)
	if err != nil {
		return nil, d.arch.fsys.errno(op, d.arch.path()+"/"+d.dir, err)
	}
	l := idx.dirs[d.dir]
	if l == nil {
		return nil, syscall.ENOENT
	}
	return l, 0
}

var _ = (fusefs.NodeReaddirer)((*archDir)(nil))

func (d *archDir) Readdir(ctx context.Context) (fusefs.DirStream, syscall.Errno) {
	l, errno := d.list(ctx, "readdir")
	if errno != 0 {
		return nil, errno
	}
	ents := make([]fuse.DirEntry, 0, len(l.names))
	for _, name := range l.names {
		mode, path := uint32(syscall.S_IFREG), d.dir+name
		if l.byName[name].isDir {
			mode, path = syscall.S_IFDIR, path+"/"
		}
		ino := direntIno(&d.Inode, name, inoOf(kindArchive, d.arch.bck, d.arch.shard()+"\x00"+path))
		ents = append(ents, fuse.DirEntry{Name: name, Mode: mode, Ino: ino})
	}
	return fusefs.NewListDirStream(ents), 0
}

var _ = (fusefs.NodeLookuper)((*archDir)(nil))

func (d *archDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	if len(name) > maxNameLen {
		return nil, syscall.ENAMETOOLONG
	}
	l, errno := d.list(ctx, "lookup")
	if errno != 0 {
		return nil, errno
	}
	e, ok := l.byName[name]
	if !ok {
		return nil, syscall.ENOENT
	}
	ch := d.GetChild(name)
	if e.isDir {
		if ch != nil {
			if sub, ok := ch.Operations().(*archDir); ok {
				sub.fillAttr(&out.Attr)
				return ch, 0
			}
		}
		sub := &archDir{arch: d.arch, dir: d.dir + name + "/"}
		sub.fillAttr(&out.Attr)
		return d.NewInode(ctx, sub, fusefs.StableAttr{Mode: syscall.S_IFDIR}), 0
	}
	if ch != nil {
		if m, ok := ch.Operations().(*archMember); ok {
			m.setSize(e.size)
			m.fillAttr(&out.Attr)
			return ch, 0
		}
	}
	m := &archMember{arch: d.arch, name: d.dir + name, size: e.size}
	m.fillAttr(&out.Attr)
	return d.NewInode(ctx, m, fusefs.StableAttr{Mode: syscall.S_IFREG}), 0
}

// markArchive is the one rule for what shows as an archive directory: with Config.Archives, a
// regular file whose name ends in an archive suffix.
func (f *FS) markArchive(e *dirent) {
	e.archive = f.arch != nil && !e.isDir && e.attr.fileType() == syscall.S_IFREG && isArchiveName(e.name)
}

// archiveChild is the inode of an archive object in d, reusing a live one.
func (d *dirNode) archiveChild(ctx context.Context, e *dirent, out *fuse.EntryOut) *fusefs.Inode {
	if ch := d.GetChild(e.name); ch != nil {
		if ad, ok := ch.Operations().(*archDir); ok {
			ad.arch.sawObject(e.attr)
			ad.fillAttr(&out.Attr)
			return ch
		}
	}
	ad := d.fsys.newArchiveDir(d.bck, d.prefix()+e.name, e.attr)
	ad.fillAttr(&out.Attr)
	return d.NewInode(ctx, ad, fusefs.StableAttr{Mode: syscall.S_IFDIR})
}
