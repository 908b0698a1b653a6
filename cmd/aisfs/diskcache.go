package main

import (
	"log/slog"

	"github.com/aisfs/aisfs/cache/disk"
)

// openDiskCache opens --disk-cache, or returns nil when it is off. It runs before the mount,
// so a directory that cannot be used is the run's one-line error.
func openDiskCache(c *mountConfig, log *slog.Logger) (*disk.Cache, error) {
	if c.s.diskCache == "" {
		return nil, nil
	}
	return disk.Open(disk.Config{
		Dir: c.s.diskCache, Size: c.s.diskCacheSize, BlockSize: c.s.blockSize, Logger: log,
		Holder: "the mount of " + c.src.String() + " at " + c.mountpoint, Mountpoint: c.mountpoint,
	})
}
