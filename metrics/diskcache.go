package metrics

import "github.com/aisfs/aisfs/cache/disk"

func newDiskCacheCollector() *statsCollector[disk.Stats] {
	type S = disk.Stats
	return &statsCollector[S]{metrics: []statMetric[S]{
		counter("disk_cache_hits_total", "Blocks served from the disk cache.", func(s S) int64 { return s.Hits }),
		counter("disk_cache_misses_total", "Blocks the disk cache did not hold (or dropped as damaged).", func(s S) int64 { return s.Misses }),
		counter("disk_cache_read_bytes_total", "Bytes served from the disk cache.", func(s S) int64 { return s.ReadBytes }),
		counter("disk_cache_written_bytes_total", "Bytes of blocks written to the disk cache.", func(s S) int64 { return s.WrittenBytes }),
		counter("disk_cache_evictions_total", "Disk cache files removed to stay within its size (a file holds up to 32 MiB of one object's blocks).", func(s S) int64 { return s.Evictions }),
		counter("disk_cache_errors_total", "Damaged disk cache files dropped, and failed disk cache reads and writes.", func(s S) int64 { return s.Errors }),
		counter("disk_cache_skipped_total", "Blocks not written: the writers were behind, no room was left, or the disk cache is off.", func(s S) int64 { return s.Skipped }),
		gauge("disk_cache_bytes", "Bytes of files in the disk cache (files being written included).", func(s S) int64 { return s.Bytes }),
		gauge("disk_cache_blocks", "Blocks held in the disk cache's files.", func(s S) int64 { return s.Blocks }),
		gauge("disk_cache_enabled", "1 while the disk cache is on; 0 once a failed write turned it off.", func(s S) int64 {
			if s.Enabled {
				return 1
			}
			return 0
		}),
	}}
}
