// Package disk is a local disk cache of blocks: the second tier below the memory block cache
// (it implements cache.Tier), so datasets larger than memory are read from AIS once and from
// local disk after, also after a remount.
//
// # Layout
//
// DIR/lock holds the flock that gives one process the whole directory, and the holder's pid
// and mount, so a second mount is refused with a message naming the first. DIR/v2/XX/NAME is
// one segment file: up to 32 MiB of consecutive blocks of one object (at most a quarter of
// the cache). NAME is HASH-SEG-GEN: HASH the first 128 bits of SHA-256 of the block cache's
// key (bucket, object, version, checksum, size) in hex, SEG the segment's index, GEN a number
// that tells apart files of one segment written at different times; XX is HASH's first two
// characters, so no directory grows huge. DIR/v2/tmp holds segments being written. The first
// layout (DIR/v1, one file per block) is removed at Open: one file per block cost an inode
// allocation per MiB, a fifth of the daemon's CPU while it read from AIS.
//
// # A segment file
//
// Slot i (block SEG×slots+i) at i × the block size rounded up to 4 KiB; slots never written
// are holes. Then a trailer: a 40-byte header (magic, key length, slot count, segment, slot
// size, CRC-32C of the whole trailer, slots per segment: fewer in a cache under 128 MiB, so a
// file of a later segment made at another cache size is dropped), the full key, one entry per slot (data length, 0 for
// none, and xxhash64 of the data), zero padding to whole 4 KiB and a footer (magic and the
// trailer's length) in the last 16 bytes. Open reads each file's footer and trailer and
// checks them against the file's name and size; Load checks each block it reads against its
// entry's checksum. A damaged, truncated or foreign file is removed, counted as an error and
// its blocks are misses, fetched from AIS again; a block whose data fails its checksum goes
// alone (the file's other blocks are checked on their own). Nothing unverified is ever
// returned. When files of one segment hold the same block (one stored again after its copy
// was dropped), the newest file, by GEN, is the one read.
//
// # Writes, crash safety, full disks
//
// Store queues the block (128 MiB of them at most) for 16 writer goroutines and returns.
// While the queue is over a quarter full, a Load that misses (what comes before every fetch
// from AIS) waits up to a second for the writers: reads from AIS slow to what the disk takes
// instead of losing blocks. A full queue still drops the block (counted as skipped), so a
// stalled disk never stalls reads. A writer puts the block in its segment's temp file in DIR/v2/tmp with one O_DIRECT
// pwrite from the block's own buffer (no copy; a short last block through a padded copy),
// reserving room first (evicting least recently used files). A segment is sealed, its
// trailer written after the data and the file renamed into place, when all its slots are in,
// when the object's last block and all before it are in, when no block came for half a
// second, or at Close. So a crash leaves only temp files (removed at the next Open) or whole
// files. Without fsync a power loss may leave a renamed file with lost bytes: the trailer's
// and the blocks' checksums catch that. A write that fails (ENOSPC, EDQUOT, EIO, a read-only
// remount...) turns the disk cache off for the rest of the mount with one log line; reads
// then go to AIS only.
//
// # Size and recency
//
// The sizes of segment files (holes included) stay within Config.Size, files being written
// included (room is reserved before each slot is written; a block that finds no room while
// other segments are being written is skipped). Files in DIR that are not segment files are
// left alone and not counted. Recency is per file, in memory (an LRU) and on disk as the
// file's mtime, set when the file is sealed and when it is read (at most once a second), so
// Open rebuilds the LRU order by sorting files by mtime (atime is not used: relatime and
// noatime mounts do not keep it).
//
// # Locks
//
// Cache.mu guards the index (files, blocks, LRU); Cache.wmu the segments being written.
// Neither is held while the other is taken, and file I/O never runs under mu. A Load that
// races an eviction reads a file that is gone: a miss.
package disk
