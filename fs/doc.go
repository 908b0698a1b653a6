// Package fs is the go-fuse node tree of aisfs: it turns an AIStore cluster, or one bucket below an
// optional prefix, into directories and files.
//
// # Tree
//
// In cluster mode the root lists providers ("ais" always, others when they have buckets), each
// provider lists its buckets, and each bucket is an object directory. In bucket mode the root is the
// bucket (below Config.Prefix). Inside a bucket, "/" in object names makes implicit directories: AIS
// has no directory objects and cannot hold an object "x" and objects under "x/" at once, so a name is
// either a file or a directory, never both.
//
// # Metadata and caching
//
// A directory is read with one paged, non-recursive list-objects call; its result (names, sizes,
// versions, checksums, atimes) is kept for Config.StatTTL and answers lookups, so `ls -l` and a
// training script opening thousands of files in one directory cost one LIST, not a HEAD per file.
// READDIRPLUS lookups are answered from the directory handle's own listing. A directory with more
// than Config.ListLookupMax entries is not listed for lookups; lookups there use one HEAD each.
// The kernel caches entries and attributes for Config.StatTTL too.
//
// Consistency is close-to-open: open(2) revalidates attributes older than StatTTL with one HEAD.
// File data is read through the shared block cache (package cache) keyed by object version and
// checksum, so a rewritten object never serves old blocks. When an object is unchanged since its
// previous open the kernel page cache is kept (FOPEN_KEEP_CACHE), so a second epoch over a data set
// is served from memory; when it changed, the page cache is dropped.
//
// # Locks
//
// fs has these mutexes, besides go-fuse's tree lock (taken inside Inode methods: Parent,
// GetChild, NewInode, RmChild...):
//
//   - fileUsed.metaMu serializes one file's metadata PATCHes (writemeta.go);
//   - fileNode.mu guards a file's attributes and write state;
//   - dirNode.metaMu guards a directory's mode, owner and times;
//   - overlay.mu, listCache.mu and namer.mu guard one directory's view, its listing and a
//     node's last name;
//   - bucketList.mu (the cluster's bucket list) and stagedReader.mu, and a directory rename's
//     local error mutex, are leaves.
//   - renames.mu guards the renames the tree does not show yet (renames.go); under it only the
//     tree walk and namer.mu of a renamed node are taken.
//
// Order: fileUsed.metaMu, then go-fuse's tree lock, then overlay.mu. fileNode.mu, dirNode.metaMu,
// listCache.mu, namer.mu and the leaves are held only for a copy or an update of what they guard:
// no other lock is taken and no network call or go-fuse call is made under them, except that
// namer.mu is taken after the tree walk (Parent) has returned. A file reaches its directory's
// view only through dirNode methods (dirview.go), never under fileNode.mu. writeback calls
// fileNode.currentMeta with its File's gate held; fs never holds fileNode.mu while calling into
// a writeback.File.
//
// # Cancellation
//
// Work done for a FUSE request runs under patient (interrupt.go): Go programs are interrupted by
// SIGURG all the time, so a request gives up only once it stayed interrupted for a grace (2 s;
// 30 s for the upload close(2) and fsync(2) wait for), then returns EINTR. Work no caller waits
// for (a release, a listing or block fetch shared by several callers) is detached with
// context.WithoutCancel and bounded by the operation budgets of aisclient and writeback.
//
// # Errors
//
// Every operation returns a syscall.Errno produced by toErrno, which sorts aisclient's typed errors
// with errors.Is; anything unexpected becomes EIO and is logged once with the operation and path.
package fs
