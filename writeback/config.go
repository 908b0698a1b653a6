package writeback

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxStaging  = 8 << 30
	DefaultChunkSize   = 8 << 20
	DefaultMaxInFlight = 256 << 20
	DefaultOpTimeout   = 2 * time.Minute
	DefaultBackoff     = 250 * time.Millisecond

	// maxBackoff caps the wait between two resends: also how late a cluster that is back is used.
	maxBackoff = 2 * time.Second

	// maxChunkSize keeps one piece allocatable and one append request reasonable.
	maxChunkSize = 1 << 30
)

// ErrInvalidConfig is wrapped by every error Config.Validate returns.
var ErrInvalidConfig = errors.New("writeback: invalid config")

// Config configures a Manager. Dir is required; zero numbers mean the defaults.
type Config struct {
	// Dir holds the staging files; it is created (0700) if missing.
	Dir string
	// MaxStaging bounds the logical sizes of all staging files together; default 8 GiB.
	// A write that would exceed it fails with syscall.ENOSPC.
	MaxStaging int64
	// ChunkSize is the size of one append piece, default 8 MiB. A file smaller than this
	// when it is finalized goes up with one PUT.
	ChunkSize int64
	// MaxInFlight bounds the buffer bytes of all fetches of old content at once, i.e.
	// memory; default 256 MiB. One fetch never needs more than ChunkSize. Uploads hold no
	// buffer beyond the HTTP transport's copy buffer.
	MaxInFlight int64
	// OpTimeout bounds one Sync or Close: the upload and every resend of the staging file
	// after a transient failure (AIS restarting, a connection reset, a 5xx), default 2 min.
	// Past it the upload fails for good and the content stays in the staging file.
	OpTimeout time.Duration
	// Backoff is the first wait between two resends, doubled each time up to 2 s; default
	// 250 ms.
	Backoff time.Duration
	// NoStreamPut turns the streaming PUT of new files written in order off (putstream.go):
	// they stream with appends instead, as files after their first Sync do.
	NoStreamPut bool
	// Logger receives upload failures and kept staging files; nil discards.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.MaxStaging == 0 {
		c.MaxStaging = DefaultMaxStaging
	}
	if c.ChunkSize == 0 {
		c.ChunkSize = DefaultChunkSize
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.OpTimeout == 0 {
		c.OpTimeout = DefaultOpTimeout
	}
	if c.Backoff == 0 {
		c.Backoff = DefaultBackoff
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports whether c, with defaults applied, can make a Manager.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("staging directory is required"))
	}
	if c.MaxStaging < 0 {
		errs = append(errs, fmt.Errorf("max staging %d is negative", c.MaxStaging))
	}
	if c.ChunkSize < 0 || c.ChunkSize > maxChunkSize {
		errs = append(errs, fmt.Errorf("chunk size %d is outside (0, %d]", c.ChunkSize, maxChunkSize))
	}
	if c.MaxInFlight < 0 {
		errs = append(errs, fmt.Errorf("max in-flight %d is negative", c.MaxInFlight))
	}
	if c.OpTimeout < 0 || c.Backoff < 0 {
		errs = append(errs, fmt.Errorf("op timeout %v and backoff %v must not be negative", c.OpTimeout, c.Backoff))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
}
