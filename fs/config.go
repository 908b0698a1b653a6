package fs

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/writeback"
)

// Config is everything the node tree needs. Zero values of the optional fields take the defaults
// documented on each field.
type Config struct {
	Store Store        // required
	Cache *cache.Cache // required: shared block cache for all open files
	// Writeback takes every file opened for writing; required unless ReadOnly.
	Writeback *writeback.Manager

	// Bucket selects bucket mode; a zero Bucket.Name mounts the whole cluster.
	Bucket aisclient.Bck
	// Prefix roots a bucket mount below an object-name prefix ("" or ending in "/").
	Prefix string

	// StatTTL is how long listings, attributes and kernel entries are trusted. Default 10s.
	StatTTL time.Duration
	// ListLookupMax bounds how many entries a lookup lists in a directory it has not read yet
	// before it falls back to one HEAD per name. Default 10000.
	ListLookupMax int
	// MaxFileNodes bounds the file inodes the mount keeps: past it, the least recently looked-up
	// idle files are pruned from the kernel's cache and readdirplus hands out plain entries, so
	// memory stays flat in directory size. Default 131072 (a node costs about 1 KiB).
	MaxFileNodes int

	// DirectIOMin, when positive, reads files of at least this size without the kernel page
	// cache: one copy less per byte (a third faster on a 2-core machine), but later reads of the
	// file come from AIS again and shared mmap(2) of it fails. 0 (the default) keeps the page cache.
	DirectIOMin int64

	// NoBatchReads turns off batched reads of small files (prefetch.go): each file is then read
	// with its own GET.
	NoBatchReads bool

	// Archives shows every object named *.tar, *.tgz, *.tar.gz, *.tar.lz4 or *.zip as a read-only
	// directory of its members (archive.go); Store must then be an ArchiveStore.
	Archives bool

	// ReadOnly refuses every change, custom metadata included, with EROFS.
	ReadOnly bool

	UID, GID uint32      // owner shown for every node; default: the mounting process's
	FileMode os.FileMode // permission bits of files; default 0644
	DirMode  os.FileMode // permission bits of directories; default 0755

	Logger *slog.Logger // default: discard
	// OnErrno, if set, sees every failed operation's errno (metrics).
	OnErrno func(op string, errno syscall.Errno)
	Now     func() time.Time // default: time.Now (tests inject a clock)
}

// DefaultMaxFileNodes is Config.MaxFileNodes's default.
const DefaultMaxFileNodes = 128 << 10

// DefaultStatTTL is Config.StatTTL's default.
const DefaultStatTTL = 10 * time.Second

func (c *Config) setDefaults() {
	if c.StatTTL == 0 {
		c.StatTTL = DefaultStatTTL
	}
	if c.ListLookupMax == 0 {
		c.ListLookupMax = 10000
	}
	if c.MaxFileNodes == 0 {
		c.MaxFileNodes = DefaultMaxFileNodes
	}
	if c.FileMode == 0 {
		c.FileMode = 0o644
	}
	if c.DirMode == 0 {
		c.DirMode = 0o755
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports the first problem with c.
func (c *Config) Validate() error {
	switch {
	case c.Store == nil:
		return errors.New("fs: Config.Store is required")
	case c.Cache == nil:
		return errors.New("fs: Config.Cache is required")
	case c.Writeback == nil && !c.ReadOnly:
		return errors.New("fs: Config.Writeback is required unless ReadOnly")
	case c.MaxFileNodes < 0:
		return fmt.Errorf("fs: negative MaxFileNodes %d", c.MaxFileNodes)
	case c.StatTTL < 0:
		return fmt.Errorf("fs: negative stat TTL %v", c.StatTTL)
	case c.Prefix != "" && c.Bucket.Name == "":
		return errors.New("fs: a prefix needs a bucket")
	case c.Prefix != "" && (!strings.HasSuffix(c.Prefix, "/") || strings.HasPrefix(c.Prefix, "/")):
		return fmt.Errorf("fs: prefix %q must end in \"/\" and not start with one", c.Prefix)
	case c.Archives && !isArchiveStore(c.Store):
		return errors.New("fs: Config.Archives needs a Store that reads archives (ArchiveStore)")
	case c.FileMode&^os.ModePerm != 0 || c.DirMode&^os.ModePerm != 0:
		return errors.New("fs: file and directory modes take permission bits only")
	}
	return nil
}

func isArchiveStore(s Store) bool {
	_, ok := s.(ArchiveStore)
	return ok
}
