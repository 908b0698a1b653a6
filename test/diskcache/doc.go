// Package diskcache tests the local disk cache (--disk-cache) end to end: the aisfs binary
// mounts a bucket of a real local AIS, and what AIS served is counted at the target, from its
// Prometheus counter ais_target_get_bytes, never from aisfs's own numbers.
package diskcache
