// Package bench measures aisfs against the plain AIS client on the same local cluster: every
// figure through the mount is reported next to the same work done straight through aisclient, so
// the ratio shows what the filesystem costs. Run with `make bench`.
//
// Sizes follow the project's targets and can be scaled down with environment variables:
// AISFS_BENCH_LARGE (bytes of the large object, default 1 GiB), AISFS_BENCH_FILES (small files,
// default 10000), AISFS_BENCH_LIST (objects in the listing test, default 100000).
package bench
