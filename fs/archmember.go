package fs

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/cache"
)

// archMember is one file inside an archive. Its bytes come from AIS's archpath GET and are
// cached like an object's, keyed by the archive object's version: a rewritten archive never
// serves old members.
type archMember struct {
	fusefs.Inode
	readOnly
	arch *archive
	name string // path inside the archive

	mu      sync.Mutex
	size    int64        // GUARDED_BY(mu): from the latest member listing
	lastKey string       // GUARDED_BY(mu): cache key of the previous open, for FOPEN_KEEP_CACHE
	spool   *memberSpool // GUARDED_BY(mu): of the version open now, shared by its handles
}

func (m *archMember) path() string { return m.arch.path() + "/" + m.name }

func (m *archMember) setSize(size int64) {
	m.mu.Lock()
	m.size = size
	m.mu.Unlock()
}

func (m *archMember) fillAttr(out *fuse.Attr) {
	m.mu.Lock()
	size := m.size
	m.mu.Unlock()
	m.arch.mu.Lock()
	atime := m.arch.seen.atime
	m.arch.mu.Unlock()
	m.arch.fsys.fileAttr(objAttr{size: size, atime: atime, meta: noMeta}, out)
	out.Mode &^= 0o222
	out.Ino = m.StableAttr().Ino
}

// entry is the member in the current listing; ENOENT once the archive no longer holds it.
func (m *archMember) entry(ctx context.Context, op string) (*archIndex, archEntry, syscall.Errno) {
	idx, err := m.arch.index(ctx)
	if err != nil {
		return nil, archEntry{}, m.arch.fsys.errno(op, m.path(), err)
	}
	e, ok := idx.member(m.name)
	if !ok {
		return nil, archEntry{}, syscall.ENOENT
	}
	m.setSize(e.size)
	return idx, e, 0
}

var _ = (fusefs.NodeGetattrer)((*archMember)(nil))

func (m *archMember) Getattr(ctx context.Context, fh fusefs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if _, _, errno := m.entry(ctx, "getattr"); errno != 0 {
		return errno
	}
	m.fillAttr(&out.Attr)
	return 0
}

var _ = (fusefs.NodeOpener)((*archMember)(nil))

// Open lists the archive again when the listing is older than the stat TTL (close-to-open) and
// reads the member of the version that listing saw.
func (m *archMember) Open(ctx context.Context, flags uint32) (fusefs.FileHandle, uint32, syscall.Errno) {
	if flags&syscall.O_ACCMODE != syscall.O_RDONLY || flags&syscall.O_TRUNC != 0 {
		return nil, 0, syscall.EROFS
	}
	m.mu.Lock()
	told := m.size
	m.mu.Unlock()
	idx, e, errno := m.entry(ctx, "open")
	if errno != 0 {
		return nil, 0, errno
	}
	if e.size != told {
		m.NotifyContent(-1, 0) // the kernel's old size would outlive the open (fileNode.Open)
	}
	s := idx.shard
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%d\x00archive\x00%s", m.arch.bck, m.arch.shard(), s.version, s.cksum, s.size, m.name)
	m.mu.Lock()
	sp := m.spool
	if sp == nil || sp.key != key {
		sp = &memberSpool{arch: m.arch, member: m.name, key: key, size: e.size}
		m.spool = sp
	}
	sp.refs++
	keep := m.lastKey == key && s.version != ""
	m.lastKey = key
	m.mu.Unlock()
	flagsOut := uint32(fuse.FOPEN_NOFLUSH)
	if keep {
		flagsOut |= fuse.FOPEN_KEEP_CACHE
	}
	// As for objects: the archive's checksum makes the key safe to keep across mounts (disk tier).
	r := m.arch.fsys.cache.NewReader(cache.Object{Key: key, Size: e.size, Fetch: sp.fetch, Volatile: s.cksum == ""})
	return &memberHandle{m: m, sp: sp, r: r}, flagsOut, 0
}

// release drops a handle's hold on its spool; the last one closes it.
func (m *archMember) release(sp *memberSpool) {
	m.mu.Lock()
	sp.refs--
	last := sp.refs == 0
	if last && m.spool == sp {
		m.spool = nil
	}
	m.mu.Unlock()
	if last {
		sp.close()
	}
}

// memberHandle reads one opened version of a member through the block cache.
type memberHandle struct {
	m      *archMember
	sp     *memberSpool
	r      *cache.Reader
	logged atomic.Bool // a broken member logs once per open, not once per read(2)
}

var _ = (fusefs.FileReader)((*memberHandle)(nil))

func (h *memberHandle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	ctx, done := patient(ctx)
	defer done()
	data, release, err := h.r.ReadRef(ctx, off, len(dest))
	if err != nil {
		fsys := h.m.arch.fsys
		if errno := toErrno(err); errno == syscall.EINTR || h.logged.Swap(true) {
			if fsys.onErrno != nil {
				fsys.onErrno("read", errno)
			}
			return nil, errno
		}
		return nil, fsys.errno("read", h.m.path(), err)
	}
	if release == nil {
		return fuse.ReadResultData(data), 0
	}
	return &blockResult{data: data, release: release}, 0
}

var _ = (fusefs.FileReleaser)((*memberHandle)(nil))

func (h *memberHandle) Release(ctx context.Context) syscall.Errno {
	h.r.Close()
	h.m.release(h.sp)
	return 0
}
