package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/aisfs/aisfs/control"
)

// A daemon's metrics as text, with a disk cache's families (issue 11) among them.
const sampleMetrics = `# TYPE aisfs_cache_hits_total counter
aisfs_cache_hits_total 90
# TYPE aisfs_cache_misses_total counter
aisfs_cache_misses_total 10
# TYPE aisfs_cache_bytes gauge
aisfs_cache_bytes 2.097152e+06
# TYPE aisfs_cache_blocks gauge
aisfs_cache_blocks 2
# TYPE aisfs_object_read_bytes_total counter
aisfs_object_read_bytes_total 3.145728e+06
# TYPE aisfs_object_written_bytes_total counter
aisfs_object_written_bytes_total 1024
# TYPE aisfs_writeback_open_files gauge
aisfs_writeback_open_files 3
# TYPE aisfs_writeback_dirty_files gauge
aisfs_writeback_dirty_files 1
# TYPE aisfs_writeback_uploads_inflight gauge
aisfs_writeback_uploads_inflight 2
# TYPE aisfs_batch_requests_total counter
aisfs_batch_requests_total 4
# TYPE aisfs_batch_fetched_files_total counter
aisfs_batch_fetched_files_total 250
# TYPE aisfs_batch_opened_files_total counter
aisfs_batch_opened_files_total 240
# TYPE aisfs_fs_errors_total counter
aisfs_fs_errors_total{errno="ENOENT",op="read"} 2
aisfs_fs_errors_total{errno="ENOENT",op="lookup"} 5
aisfs_fs_errors_total{errno="EIO",op="read"} 1
# TYPE aisfs_request_failures_total counter
aisfs_request_failures_total{op="GetRange"} 1
# TYPE aisfs_request_duration_seconds histogram
aisfs_request_duration_seconds_bucket{class="2xx",op="GetRange",le="0.001"} 50
aisfs_request_duration_seconds_bucket{class="2xx",op="GetRange",le="0.01"} 98
aisfs_request_duration_seconds_bucket{class="2xx",op="GetRange",le="0.1"} 99
aisfs_request_duration_seconds_bucket{class="2xx",op="GetRange",le="+Inf"} 99
aisfs_request_duration_seconds_sum{class="2xx",op="GetRange"} 0.2
aisfs_request_duration_seconds_count{class="2xx",op="GetRange"} 99
aisfs_request_duration_seconds_bucket{class="5xx",op="GetRange",le="0.001"} 0
aisfs_request_duration_seconds_bucket{class="5xx",op="GetRange",le="0.01"} 0
aisfs_request_duration_seconds_bucket{class="5xx",op="GetRange",le="0.1"} 1
aisfs_request_duration_seconds_bucket{class="5xx",op="GetRange",le="+Inf"} 1
aisfs_request_duration_seconds_sum{class="5xx",op="GetRange"} 0.05
aisfs_request_duration_seconds_count{class="5xx",op="GetRange"} 1
# TYPE aisfs_disk_cache_bytes gauge
aisfs_disk_cache_bytes 1.073741824e+09
# TYPE aisfs_disk_cache_hits_total counter
aisfs_disk_cache_hits_total{kind="block"} 40
aisfs_disk_cache_hits_total{kind="meta"} 2
`

func TestPrintStats(t *testing.T) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(sampleMetrics))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	printStats(&buf, control.Mount{Point: "/mnt/x"}, control.Info{Source: "ais://b", Endpoint: "http://h:1", PID: 7, StatTTL: "10s"}, fams)
	out := buf.String()
	t.Log("\n" + out)
	for _, want := range []string{
		"/mnt/x: ais://b at http://h:1 (pid 7, stat-ttl 10s)",
		"2.0 MiB in 2 blocks; 90 hits, 10 misses (90.0% hits)",
		"read 3.0 MiB from AIS, wrote 1.0 KiB to AIS",
		"2 in flight", "3 files open for writing, 1 not yet uploaded",
		"ENOENT 7 (lookup 5, read 2); EIO 1 (read 1)",
		"disk cache  bytes 1.0 GiB", "hits_total 42",
		"4 GetBatch requests fetched 250 files; 240 opens found theirs in a batch",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lack %q", want)
		}
	}
	// GetRange: 100 requests, 1 failed, mean 2.5ms; 50 within 1ms, 98 within 10ms, so p99 within 100ms.
	var row string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "GetRange") {
			row = strings.Join(strings.Fields(l), " ")
		}
	}
	if row != "GetRange 100 1 2.5ms ≤1ms ≤100ms" {
		t.Errorf("GetRange row = %q", row)
	}
}
