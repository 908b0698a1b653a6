package fs

import (
	"hash/fnv"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/aisclient"
)

// blksize is the I/O size stat(2) suggests; large so cp and friends read in big chunks.
const blksize = 1 << 20

// objAttr is what the filesystem knows of an object, from a listing or a HEAD.
type objAttr struct {
	size    int64
	version string
	cksum   string
	atime   time.Time
}

func attrFromEntry(e *aisclient.Entry) objAttr {
	return objAttr{size: e.Size, version: e.Version, cksum: e.Checksum, atime: e.Atime}
}

func attrFromHead(a *aisclient.ObjAttrs) objAttr {
	return objAttr{size: a.Size, version: a.Version, cksum: a.CksumValue, atime: a.Atime}
}

// sameContent reports whether two attribute sets describe the same object content.
func (a objAttr) sameContent(b objAttr) bool {
	return a.size == b.size && a.version == b.version && a.cksum == b.cksum
}

func (f *FS) fileAttr(a objAttr, out *fuse.Attr) {
	out.Mode = syscall.S_IFREG | uint32(f.cfg.FileMode)
	out.Nlink = 1
	out.Size = uint64(a.size)
	out.Blocks = (out.Size + 511) / 512
	out.Blksize = blksize
	out.Owner = fuse.Owner{Uid: f.cfg.UID, Gid: f.cfg.GID}
	t := a.atime
	if t.IsZero() {
		t = f.mounted
	}
	out.SetTimes(&t, &t, &t)
}

func (f *FS) dirAttr(out *fuse.Attr) {
	out.Mode = syscall.S_IFDIR | uint32(f.cfg.DirMode)
	out.Nlink = 2
	out.Size = 4096
	out.Blocks = 8
	out.Blksize = blksize
	out.Owner = fuse.Owner{Uid: f.cfg.UID, Gid: f.cfg.GID}
	out.SetTimes(&f.mounted, &f.mounted, &f.mounted)
}

// inoOf derives a stable inode number from what a node is, so numbers survive remounts and
// forgotten inodes; 0 and 1 (root) are reserved.
func inoOf(kind byte, bck aisclient.Bck, path string) uint64 {
	h := fnv.New64a()
	h.Write([]byte{kind})
	h.Write([]byte(bck.Provider + "\x00" + bck.Namespace + "\x00" + bck.Name + "\x00" + path))
	ino := h.Sum64()
	if ino < 2 {
		ino += 2
	}
	return ino
}

const (
	kindFile     = 'f'
	kindDir      = 'd'
	kindProvider = 'p'
)
