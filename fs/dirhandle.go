package fs

import (
	"context"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// dirHandle streams one listing snapshot to readdir and answers READDIRPLUS lookups from it, so
// `ls -l` costs one LIST and no HEADs.
type dirHandle struct {
	dir    *dirNode
	prefix string
	l      *listing
	pos    int // next index into the virtual list ".", "..", l.names...
}

func (h *dirHandle) entry(i int) *fuse.DirEntry {
	switch i {
	case 0:
		return &fuse.DirEntry{Name: ".", Mode: syscall.S_IFDIR, Ino: h.dir.StableAttr().Ino, Off: 1}
	case 1:
		ino := uint64(1)
		if _, parent := h.dir.Parent(); parent != nil {
			ino = parent.StableAttr().Ino
		}
		return &fuse.DirEntry{Name: "..", Mode: syscall.S_IFDIR, Ino: ino, Off: 2}
	}
	name := h.l.names[i-2]
	e := h.l.byName[name]
	de := &fuse.DirEntry{Name: name, Off: uint64(i + 1)}
	if e.isDir {
		de.Mode, de.Ino = syscall.S_IFDIR, direntIno(&h.dir.Inode, name, inoOf(kindDir, h.dir.bck, h.prefix+name+"/"))
	} else {
		de.Mode, de.Ino = e.attr.fileType(), direntIno(&h.dir.Inode, name, inoOf(kindFile, h.dir.bck, h.prefix+name))
	}
	return de
}

var _ = (fusefs.FileReaddirenter)((*dirHandle)(nil))

func (h *dirHandle) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	if h.pos >= len(h.l.names)+2 {
		return nil, 0
	}
	de := h.entry(h.pos)
	h.pos++
	return de, 0
}

var _ = (fusefs.FileSeekdirer)((*dirHandle)(nil))

func (h *dirHandle) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	h.pos = int(off)
	return 0
}

var _ = (fusefs.FileLookuper)((*dirHandle)(nil))

func (h *dirHandle) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	e, ok := h.l.get(name)
	if !ok {
		return nil, syscall.ENOENT
	}
	if !e.isDir && h.dir.fsys.nodes.full() && h.dir.GetChild(name) == nil {
		// A plain entry (no node id): the kernel looks the name up if it is ever stat'ed.
		return nil, syscall.EAGAIN
	}
	return h.dir.child(ctx, e, h.l.at, out), 0
}

var _ = (fusefs.FileReleasedirer)((*dirHandle)(nil))

func (h *dirHandle) Releasedir(ctx context.Context, releaseFlags uint32) {}
