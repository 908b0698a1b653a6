package disk

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/dustin/go-humanize"
)

// ErrUnusable is wrapped by every error that refuses a Config or its directory.
var ErrUnusable = errors.New("disk cache unusable")

// Config describes one disk cache.
type Config struct {
	Dir        string // created if missing (0700)
	Size       int64  // most bytes of segment files
	BlockSize  int64  // the block cache's block size: Size must hold at least one block
	Holder     string // who uses Dir, for the lock file: "ais://b at /mnt/b"
	Mountpoint string // optional: Dir must not be below it (the mount would cache into itself)
	Queue      int    // blocks waiting for the writer before Store drops them; default 128 MiB worth
	Logger     *slog.Logger
}

// Validate checks what can be checked without touching Dir.
func (c Config) Validate() error {
	switch {
	case c.Dir == "":
		return fmt.Errorf("%w: no directory", ErrUnusable)
	case c.BlockSize <= 0:
		return fmt.Errorf("%w: block size %d", ErrUnusable, c.BlockSize)
	case c.Size < int64(roundUp(int(c.BlockSize), fileAlign)+trailerLen("", 1)):
		return fmt.Errorf("%w: size %s is smaller than one block (%s and a 4 KiB trailer)", ErrUnusable,
			humanize.IBytes(uint64(max(c.Size, 0))), humanize.IBytes(uint64(c.BlockSize)))
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Queue <= 0 {
		c.Queue = int(max(8, (128<<20)/c.BlockSize))
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
