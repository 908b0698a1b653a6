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
	size, err := parseSize("disk-cache-size", c.s.diskCacheSize)
	if err != nil {
		return nil, err
	}
	return disk.Open(disk.Config{
		Dir: c.s.diskCache, Size: size, BlockSize: c.blockSize, Logger: log,
		Holder: "the mount of " + c.src.String() + " at " + c.mountpoint, Mountpoint: c.mountpoint,
	})
}
