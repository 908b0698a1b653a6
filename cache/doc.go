// Package cache is a block LRU read cache for immutable, versioned byte objects.
//
// It knows nothing of AIS or FUSE. An [Object] is an opaque Key (which must change whenever the
// content changes: it carries the version or checksum), a Size and a [Fetcher] that fills a buffer
// from the object at an offset. The cache splits objects into blocks of Config.BlockSize bytes and
// keeps recently used blocks in memory, bounded in bytes by Config.Capacity.
//
// # Reads
//
// A [Reader] is one open file handle. Read returns the bytes at an offset. When the range lies in
// one block it returns a sub-slice of that block without copying: blocks are immutable and never
// recycled, so a slice stays valid after the block is evicted (the garbage collector reclaims it
// once nobody holds it). A range that spans blocks is copied into a new buffer.
//
// Misses on a block make exactly one call to the Fetcher; concurrent readers of that block wait
// for it. Fetches run on a context owned by the cache, not the caller's: a caller whose context is
// cancelled returns ctx.Err() at once and the fetch completes for everyone else. Fetch errors reach
// every waiter and are not cached, so the next read retries. A fetch that returns fewer bytes than
// Size promises fails with io.ErrUnexpectedEOF (the object shrank under its key).
//
// # Access patterns
//
// Each Reader classifies its reads. A read that continues the previous one is sequential; the
// Reader then keeps a window of blocks ahead in flight (readahead), doubling from one block each
// time the reader enters a new block, up to Config.MaxReadahead. Small reorders, as FUSE produces
// when the kernel issues its own readahead concurrently, keep a stream sequential. A read that
// does not continue the stream is random: a random read smaller than a quarter block of an object
// larger than one block bypasses the cache and fetches exactly the requested bytes, so small
// random reads never pull whole blocks; larger random reads go through blocks without readahead.
//
// # Budget and concurrency
//
// Capacity bounds cached bytes plus bytes reserved by fetches in flight; least recently used
// blocks are evicted first. In-flight demand is never refused: if it alone exceeds Capacity the
// cache overshoots rather than deadlock. Readahead is capped at Capacity/2 in flight so it cannot
// push out the blocks a reader is about to consume. Config.MaxFetches bounds concurrent Fetcher
// calls; readahead may hold only three quarters of those slots, so demand reads never queue behind
// it, and a demand read that needs a block still queued for readahead promotes that fetch.
//
// All methods are safe for concurrent use. Close cancels fetches in flight and waits for the
// cache's goroutines to exit.
package cache
