// Package metrics exports what an aisfs mount is doing in the Prometheus text format, on
// an HTTP endpoint the operator turns on (cmd/aisfs --metrics-addr; off by default).
//
// A Metrics owns its own prometheus.Registry (never the global one), so two mounts in one
// process, or tests, do not collide. It is fed three ways:
//
//   - ObserveRequest is an aisclient.Observer: one call per AIS request, after redirects
//     and retries. It gives request counts by op and status code, latency by op and status
//     class, body bytes each way, and the object bytes read from and written to AIS.
//   - ObserveErrno is fs.Config.OnErrno: every failed filesystem operation, by op and
//     errno name ("ENOENT").
//   - WatchCache, WatchWriteback and WatchDiskCache take the caches' and the write-back
//     manager's Stats functions, read once per scrape, so the hot paths pay nothing for them.
//
// Go runtime (go_*) and process (process_*) metrics come with every scrape.
//
// # Metrics
//
//	aisfs_requests_total{op,code}               AIS requests by client op and HTTP status ("none": no response)
//	aisfs_request_failures_total{op}            of those, the ones that returned an error to the caller
//	aisfs_request_duration_seconds{op,class}    latency histogram; class 2xx, 3xx, 4xx, 5xx or none
//	aisfs_request_sent_bytes_total{op}          request body bytes sent
//	aisfs_request_received_bytes_total{op}      response body bytes received
//	aisfs_object_read_bytes_total               object bytes received (GetRange, GetObject)
//	aisfs_object_written_bytes_total            object bytes sent (PutObject, Append)
//	aisfs_fs_errors_total{op,errno}             failed filesystem operations
//	aisfs_cache_hits_total, _misses_total, _evictions_total, _fetches_total,
//	aisfs_cache_fetched_bytes_total, _bypass_reads_total, _readaheads_total
//	aisfs_cache_bytes, aisfs_cache_blocks, aisfs_cache_inflight_bytes
//	aisfs_writeback_open_files, _dirty_files, _uploads_inflight, _inflight_bytes,
//	aisfs_writeback_staging_bytes, aisfs_writeback_uploaded_bytes_total,
//	aisfs_writeback_failed_files_total
//	aisfs_disk_cache_hits_total, _misses_total, _read_bytes_total, _written_bytes_total,
//	aisfs_disk_cache_evictions_total, _errors_total, _skipped_total
//	aisfs_disk_cache_bytes, aisfs_disk_cache_blocks, aisfs_disk_cache_enabled (with --disk-cache)
//
// Op names are aisclient's (its Observer documents them) and fs's ("lookup", "read",
// "write", ...): a few dozen values, so label cardinality stays small.
package metrics
