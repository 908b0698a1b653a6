package fs

import (
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
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
	meta    posixMeta
}

func attrFromEntry(e *aisclient.Entry) objAttr {
	return objAttr{size: e.Size, version: e.Version, cksum: e.Checksum, atime: e.Atime, meta: metaFromListing(e.CustomRaw)}
}

func attrFromHead(a *aisclient.ObjAttrs) objAttr {
	return objAttr{size: a.Size, version: a.Version, cksum: a.CksumValue, atime: a.Atime, meta: metaFromMap(a.Custom)}
}

// fileType is the S_IFMT bits of the node, as the metadata says (a regular file without it).
func (a objAttr) fileType() uint32 { return a.meta.fileType() }

// sameContent reports whether two attribute sets describe the same object content.
func (a objAttr) sameContent(b objAttr) bool {
	return a.size == b.size && a.version == b.version && a.cksum == b.cksum
}

func (f *FS) fileAttr(a objAttr, out *fuse.Attr) {
	out.Mode = syscall.S_IFREG | uint32(f.cfg.FileMode)
	if a.meta.mode != 0 {
		out.Mode = a.meta.fileType() | a.meta.mode&0o7777
	}
	out.Rdev = a.meta.rdev
	out.Nlink = 1
	out.Size = uint64(a.size)
	out.Blocks = (out.Size + 511) / 512
	out.Blksize = blksize
	out.Owner = fuse.Owner{Uid: f.cfg.UID, Gid: f.cfg.GID}
	if a.meta.uid >= 0 {
		out.Uid = uint32(a.meta.uid)
	}
	if a.meta.gid >= 0 {
		out.Gid = uint32(a.meta.gid)
	}
	atime, mtime, ctime := a.atime, a.meta.mtime, a.meta.ctime
	if !a.meta.atime.IsZero() {
		atime = a.meta.atime // set by utimens
	}
	if atime.IsZero() {
		atime = f.mounted
	}
	if mtime.IsZero() {
		mtime = atime // AIS keeps no modification time; the access time is the closest it has
	}
	if ctime.IsZero() {
		ctime = mtime
	}
	out.SetTimes(&atime, &mtime, &ctime)
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

// Inode numbers: go-fuse identifies inodes by their number, so two live inodes must never share
// one; a renamed file keeps its number while a new file takes its old name. Files and object
// directories therefore get numbers that go-fuse hands out, unique for the mount's life. inoOf
// gives readdir a number for names not looked up yet, and the stable providers theirs.

// direntIno is the number readdir reports for name: the live child's, else a derived one.
func direntIno(parent *fusefs.Inode, name string, derived uint64) uint64 {
	if ch := parent.GetChild(name); ch != nil {
		return ch.StableAttr().Ino
	}
	return derived
}

// inoOf derives an inode number from what a node is; 0 and 1 (root) are reserved. It is FNV-1a
// of kind, then provider, namespace, bucket and path (the concatenation of its parts) each after
// a NUL, hashed in place: readdir computes one per entry.
func inoOf(kind byte, bck aisclient.Bck, path ...string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	h = (h ^ uint64(kind)) * prime
	for i, s := range [...]string{bck.Provider, bck.Namespace, bck.Name} {
		if i > 0 {
			h *= prime // the NUL before each part after the first: h ^ 0 is h
		}
		for j := 0; j < len(s); j++ {
			h = (h ^ uint64(s[j])) * prime
		}
	}
	h *= prime
	for _, s := range path {
		for j := 0; j < len(s); j++ {
			h = (h ^ uint64(s[j])) * prime
		}
	}
	if h < 2 {
		h += 2
	}
	return h
}

const (
	kindFile     = 'f'
	kindDir      = 'd'
	kindProvider = 'p'
	kindArchive  = 'a'
)
