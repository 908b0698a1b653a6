// Package bench measures aisfs against a plain HTTP client of AIS's native API on the same
// local cluster (issue 9's workloads): every figure through a fresh mount is reported next to
// the same work done directly, via the proxy and straight to the target, in the same run, with
// the ratio and the aisfs daemon's peak RSS (VmHWM) and CPU seconds. `make bench` runs it and
// prints one table at the end; `go test` without -bench runs nothing here.
//
// Every cell is the median of AISFS_BENCH_RUNS (default 3) cold runs: a fresh mount (the aisfs
// binary in its own process, with the product's default flags plus AISFS_BENCH_FLAGS) and
// drop_caches before each. Every byte read is checked against the object's known content.
// Data sets are created once and reused (make bench keeps its cluster in .state/bench).
//
// Sizes can be scaled down for a quick look: AISFS_BENCH_LARGE (bytes of the large object,
// default 1 GiB), AISFS_BENCH_FILES (small files, 10000), AISFS_BENCH_PREADS (random reads,
// 2000), AISFS_BENCH_LIST (listing, 100000), AISFS_BENCH_WRITES (small writes, 2000),
// AISFS_BENCH_LOADER_FILES (loader tree, 10240), AISFS_BENCH_LIST_LARGE (BENCH_LARGE=1 listing,
// 1000000). Profiles of the daemon per workload and run: AISFS_BENCH_CPUPROFILE=prefix,
// AISFS_BENCH_MEMPROFILE=prefix (heap at unmount, with alloc_space since start).
package bench
