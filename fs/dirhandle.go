package fs

import (
	"context"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// dirHandle streams one listing to readdir as AIS lists it and answers READDIRPLUS lookups from
// it, so `ls -l` costs one LIST and no HEADs, and its first entries reach the kernel while AIS
// still lists the rest.
type dirHandle struct {
	dir    *dirNode
	prefix string
	l      *listing
	cur    *viewCursor
	pos    int       // entries handed out, "." and ".." included: the next one's offset
	recent []*dirent // a ring of the entries handed out last, for READDIRPLUS's lookups
	newest int       // recent's newest entry
}

// recentMax bounds dirHandle.recent: a READDIRPLUS reply holds far fewer entries.
const recentMax = 1024

// remember adds e to the ring of recent entries.
func (h *dirHandle) remember(e *dirent) {
	if len(h.recent) < recentMax {
		h.recent = append(h.recent, e)
		h.newest = len(h.recent) - 1
		return
	}
	h.newest = (h.newest + 1) % recentMax
	h.recent[h.newest] = e
}

// recalled finds name among the recent entries, newest first: READDIRPLUS looks up each entry
// right after taking it, so the newest is nearly always the one.
func (h *dirHandle) recalled(name string) *dirent {
	for i := range h.recent {
		if e := h.recent[(h.newest-i+len(h.recent))%len(h.recent)]; e.name == name {
			return e
		}
	}
	return nil
}

func (d *dirNode) newDirHandle(l *listing) *dirHandle {
	return &dirHandle{dir: d, prefix: d.prefix(), l: l, cur: newViewCursor(&d.ov, l)}
}

// next is the entry at h.pos, nil at the end.
func (h *dirHandle) next(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	switch h.pos {
	case 0:
		return &fuse.DirEntry{Name: ".", Mode: syscall.S_IFDIR, Ino: h.dir.StableAttr().Ino, Off: 1}, 0
	case 1:
		ino := uint64(1)
		if _, parent := h.dir.Parent(); parent != nil {
			ino = parent.StableAttr().Ino
		}
		return &fuse.DirEntry{Name: "..", Mode: syscall.S_IFDIR, Ino: ino, Off: 2}, 0
	}
	e, err := h.cur.next(ctx)
	if err != nil {
		return nil, h.dir.fsys.errno("readdir", h.dir.path(""), err)
	}
	if e == nil {
		return nil, 0
	}
	h.remember(e)
	if !h.cur.tail { // listed, not one of the overlay's own
		h.dir.noteHanded(h.l, e)
	}
	de := &fuse.DirEntry{Name: e.name, Off: uint64(h.pos + 1)}
	switch {
	case e.archive:
		de.Mode, de.Ino = syscall.S_IFDIR, direntIno(&h.dir.Inode, e.name, inoOf(kindArchive, h.dir.bck, h.prefix, e.name, "\x00"))
	case e.isDir:
		de.Mode, de.Ino = syscall.S_IFDIR, direntIno(&h.dir.Inode, e.name, inoOf(kindDir, h.dir.bck, h.prefix, e.name, "/"))
	default:
		de.Mode, de.Ino = e.attr.fileType(), direntIno(&h.dir.Inode, e.name, inoOf(kindFile, h.dir.bck, h.prefix, e.name))
	}
	return de, 0
}

var _ = (fusefs.FileReaddirenter)((*dirHandle)(nil))

func (h *dirHandle) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	de, errno := h.next(ctx)
	if de != nil {
		h.pos++
	}
	return de, errno
}

var _ = (fusefs.FileSeekdirer)((*dirHandle)(nil))

// Seekdir walks the same listing again from its start to off (rewinddir, or a reader that went
// back).
func (h *dirHandle) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	if off == uint64(h.pos) {
		return 0
	}
	h.cur, h.pos = newViewCursor(&h.dir.ov, h.l), 0
	for uint64(h.pos) < off {
		de, errno := h.Readdirent(ctx)
		if errno != 0 {
			return errno
		}
		if de == nil {
			break
		}
	}
	return 0
}

var _ = (fusefs.FileLookuper)((*dirHandle)(nil))

func (h *dirHandle) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	e, at := h.recalled(name), h.l.at
	if e == nil { // not handed out lately (a re-read after an interrupt): look it up
		var errno syscall.Errno
		if e, at, errno = h.dir.resolve(ctx, name); errno != 0 {
			return nil, errno
		}
	} else if e.at.After(at) {
		at = e.at
	}
	if !e.isDir && h.dir.fsys.nodes.full() && h.dir.GetChild(name) == nil {
		// A plain entry (no node id): the kernel looks the name up if it is ever stat'ed.
		return nil, syscall.EAGAIN
	}
	return h.dir.child(ctx, e, at, out), 0
}

var _ = (fusefs.FileReleasedirer)((*dirHandle)(nil))

func (h *dirHandle) Releasedir(ctx context.Context, releaseFlags uint32) {}
