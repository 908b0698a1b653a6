package metrics

import "github.com/aisfs/aisfs/cache/disk"

func newDiskCacheCollector() *statsCollector[disk.Stats] {
	type S = disk.Stats
	return &statsCollector[S]{metrics: []statMetric[S]{
		counter("disk_cache_hits_total", "Blocks served from the disk cache.", func(s S) int64 { return s.Hits }),
		counter("disk_cache_misses_total", "Blocks the disk cache did not hold (or dropped as damaged).", func(s S) int64 { return s.Misses }),
		counter("disk_cache_read_bytes_total", "Bytes served from the disk cache.", func(s S) int64 { return s.ReadBytes }),
		counter("disk_cache_written_bytes_total", "Bytes of blocks written to the disk cache.", func(s S) int64 { return s.WrittenBytes }),
		counter("disk_cache_evictions_total", "Block files removed to stay within the disk cache size.", func(s S) int64 { return s.Evictions }),
		counter("disk_cache_errors_total", "Damaged block files dropped, and failed disk cache reads and writes.", func(s S) int64 { return s.Errors }),
		counter("disk_cache_skipped_total", "Blocks not written: the writer was behind, or the disk cache is off.", func(s S) int64 { return s.Skipped }),
		gauge("disk_cache_bytes", "Bytes of block files in the disk cache.", func(s S) int64 { return s.Bytes }),
		gauge("disk_cache_blocks", "Block files in the disk cache.", func(s S) int64 { return s.Blocks }),
		gauge("disk_cache_enabled", "1 while the disk cache is on; 0 once a failed write turned it off.", func(s S) int64 {
			if s.Enabled {
				return 1
			}
			return 0
		}),
	}}
}
