package cache

import (
	"errors"
	"fmt"
	"log/slog"
)

// Defaults applied to zero Config fields.
const (
	DefaultCapacity     = 256 << 20
	DefaultBlockSize    = 1 << 20
	DefaultMaxReadahead = 64 << 20
	DefaultMaxFetches   = 16
	DefaultMaxRun       = 8

	// maxBlockSize keeps one block's buffer allocatable on every platform.
	maxBlockSize = 1 << 30
)

// ErrInvalidConfig is wrapped by every error Config.Validate returns.
var ErrInvalidConfig = errors.New("invalid cache config")

// Config tunes a Cache. The zero value is valid and means the defaults.
type Config struct {
	Capacity     int64 // bytes for cached blocks incl. in-flight ones; default 256 MiB
	BlockSize    int64 // default 1 MiB (power of two not required but typical)
	MaxReadahead int64 // max bytes a sequential reader keeps in flight ahead; default 64 MiB; < 0 disables
	MaxFetches   int   // global limit of concurrent fetches (readahead + demand); default 16
	MaxRun       int   // most readahead blocks one Object.FetchRun call reads; default 8; 1 disables runs
	Tier         Tier  // optional second tier below memory (a disk cache); nil: none
	Logger       *slog.Logger
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	if c.Capacity == 0 {
		c.Capacity = DefaultCapacity
	}
	if c.BlockSize == 0 {
		c.BlockSize = DefaultBlockSize
	}
	if c.MaxReadahead == 0 {
		c.MaxReadahead = DefaultMaxReadahead
	}
	if c.MaxFetches == 0 {
		c.MaxFetches = DefaultMaxFetches
	}
	if c.MaxRun == 0 {
		c.MaxRun = DefaultMaxRun
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports whether c, with defaults applied, describes a usable cache.
func (c Config) Validate() error {
	var errs []error
	if c.Capacity < 0 {
		errs = append(errs, fmt.Errorf("capacity %d is negative", c.Capacity))
	}
	if c.BlockSize < 0 || c.BlockSize > maxBlockSize {
		errs = append(errs, fmt.Errorf("block size %d is outside (0, %d]", c.BlockSize, maxBlockSize))
	}
	if c.MaxFetches < 0 {
		errs = append(errs, fmt.Errorf("max fetches %d is negative", c.MaxFetches))
	}
	if c.MaxRun < 0 {
		errs = append(errs, fmt.Errorf("max run %d is negative", c.MaxRun))
	}
	if d := c.withDefaults(); len(errs) == 0 && d.Capacity < d.BlockSize {
		errs = append(errs, fmt.Errorf("capacity %d is smaller than one block of %d bytes", d.Capacity, d.BlockSize))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

// readaheadBlocks is the largest window, in blocks, one sequential reader may keep ahead.
func (c Config) readaheadBlocks() int64 {
	if c.MaxReadahead < 0 {
		return 0
	}
	return max(1, min(c.MaxReadahead, c.Capacity/2)/c.BlockSize)
}

// readaheadSlots is the share of MaxFetches that readahead may hold, so demand reads always
// find a free slot.
func (c Config) readaheadSlots() int { return max(1, c.MaxFetches*3/4) }
