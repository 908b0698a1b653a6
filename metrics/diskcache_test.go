package metrics

import (
	"strings"
	"testing"

	"github.com/aisfs/aisfs/cache/disk"
)

// TestDiskCacheScrape: the disk cache's stats under the aisfs_disk_cache_ names the stats
// view reads, and none of them without --disk-cache.
func TestDiskCacheScrape(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stats *disk.Stats
		want  []string
	}{
		{"on", &disk.Stats{Hits: 5, Misses: 2, ReadBytes: 5 << 20, WrittenBytes: 2 << 20, Evictions: 1,
			Errors: 3, Skipped: 4, Bytes: 7 << 20, Blocks: 7, Enabled: true}, []string{
			`aisfs_disk_cache_hits_total 5`,
			`aisfs_disk_cache_misses_total 2`,
			`aisfs_disk_cache_read_bytes_total 5.24288e+06`,
			`aisfs_disk_cache_written_bytes_total 2.097152e+06`,
			`aisfs_disk_cache_evictions_total 1`,
			`aisfs_disk_cache_errors_total 3`,
			`aisfs_disk_cache_skipped_total 4`,
			`aisfs_disk_cache_bytes 7.340032e+06`,
			`aisfs_disk_cache_blocks 7`,
			`aisfs_disk_cache_enabled 1`,
			`# TYPE aisfs_disk_cache_hits_total counter`,
			`# TYPE aisfs_disk_cache_bytes gauge`,
		}},
		{"turned off", &disk.Stats{Errors: 1}, []string{`aisfs_disk_cache_enabled 0`, `aisfs_disk_cache_errors_total 1`}},
		{"no disk cache", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			if tc.stats != nil {
				m.WatchDiskCache(func() disk.Stats { return *tc.stats })
			}
			body := scrape(t, serve(t, m))
			checkLines(t, body, tc.want...)
			if tc.stats == nil && strings.Contains(body, "aisfs_disk_cache_") {
				t.Errorf("disk cache series without a disk cache:\n%s", grep(body, "aisfs_disk_cache_"))
			}
		})
	}
}
