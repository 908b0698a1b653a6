// Package bench measures aisfs against a plain HTTP client of AIS's native API on the same
// local cluster (issue 9's workloads): every figure through a fresh mount is reported next to
// the same work done directly, via the proxy and straight to the target, in the same run, with
// the ratio and the aisfs daemon's peak RSS (VmHWM) and CPU seconds. `make bench` runs it and
// prints one table at the end; `go test` without -bench runs nothing here.
//
// Issue 11's disk-cache workload (BenchmarkDiskCacheEpochs, BENCH=DiskCache) has a small
// second table after the main one: a 2 GiB data set of 32 MiB objects read in epoch 1 and, after
// unmount, drop_caches and a remount, epoch 2, once with the defaults and once with --disk-cache
// (a fresh directory per run, sized to hold the data set). Its rows give each epoch's MB/s, the
// ratio of epoch 2 to epoch 1, the bytes the AIS target served in the epoch (the target's
// ais_target_get_bytes, from before the mount to after the unmount; ≈ 0 in epoch 2 with the
// disk cache), peak RSS and CPU seconds.
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
// 1000000), AISFS_BENCH_EPOCH_DATA (bytes of the disk-cache data set, 2 GiB). Profiles of
// the daemon per workload and run: AISFS_BENCH_CPUPROFILE=prefix, AISFS_BENCH_MEMPROFILE=prefix
// (heap at unmount, with alloc_space since start).
package bench
