package fs

import (
	"log/slog"
	"sync/atomic"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/writeback"
)

// FS is one mounted tree. Every node points back to it for shared configuration.
type FS struct {
	cfg     Config
	store   patientStore
	arch    ArchiveStore // nil unless Config.Archives
	cache   *cache.Cache
	wb      *writeback.Manager // nil when read-only
	log     *slog.Logger
	mounted time.Time // times shown on directories, which AIS does not have

	nodes      *nodeCap
	large      *largeDirs
	renames    renames
	bcks       bckRefs
	bucketList bucketList
	pf         *prefetcher // nil: no batched reads
	remoteList remoteList
	authWarned atomic.Bool
	// remotesWarned: the one log line for a cluster whose remote clusters cannot be listed.
	remotesWarned atomic.Bool
	onErrno       func(op string, errno syscall.Errno) // Config.OnErrno
}

// New validates cfg and returns a filesystem ready to mount with Root and Options.
func New(cfg Config) (*FS, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	f := &FS{nodes: newNodeCap(cfg.MaxFileNodes), large: newLargeDirs(), onErrno: cfg.OnErrno, cfg: cfg, store: patientStore{cfg.Store}, cache: cfg.Cache, wb: cfg.Writeback, log: cfg.Logger, mounted: cfg.Now()}
	if !cfg.NoBatchReads {
		f.pf = newPrefetcher(f, cfg.Store, cfg.Cache)
	}
	if cfg.Archives {
		f.arch = cfg.Store.(ArchiveStore)
	}
	return f, nil
}

// Root returns the root node: the cluster in cluster mode, else the bucket (below the prefix).
func (f *FS) Root() fusefs.InodeEmbedder {
	if f.cfg.Bucket.Name == "" {
		return &clusterNode{fsys: f}
	}
	return f.newDir(f.cfg.Bucket, true)
}

// Options returns go-fuse options with the kernel cache timeouts this filesystem relies on, built
// on the given mount options.
func (f *FS) Options(mo fuse.MountOptions) *fusefs.Options {
	ttl := f.cfg.StatTTL
	// Files opened with direct I/O (DirectIOMin) can still be mapped shared, as numpy.memmap
	// and Python's mmap do; kernels before 6.6 ignore the flag and refuse such maps (ENODEV).
	mo.ExtraCapabilities |= fuse.CAP_DIRECT_IO_ALLOW_MMAP
	return &fusefs.Options{
		MountOptions:    mo,
		EntryTimeout:    &ttl,
		AttrTimeout:     &ttl,
		NegativeTimeout: &ttl,
		// Every node reports its own owner and mode: go-fuse's defaults would turn owner 0
		// (root) into the mount's owner and mode 0000 into 0644.
		NullPermissions: true,
		RootStableAttr:  &fusefs.StableAttr{Ino: 1},
		Logger:          slog.NewLogLogger(f.log.Handler(), slog.LevelWarn),
	}
}

func (f *FS) now() time.Time { return f.cfg.Now() }

// readOnly is the one rule for refusing changes with EROFS: a read-only mount, or one without a
// writeback manager (Validate allows that only when read-only).
func (f *FS) readOnly() bool { return f.cfg.ReadOnly || f.wb == nil }

// fresh reports whether something fetched at t is still within the stat TTL.
func (f *FS) fresh(t time.Time) bool { return !t.IsZero() && f.now().Sub(t) < f.cfg.StatTTL }
