// Package disk is a local disk cache of blocks: the second tier below the memory block cache
// (it implements cache.Tier), so datasets larger than memory are read from AIS once and from
// local disk after, also after a remount.
//
// # Layout
//
// DIR/lock holds the flock that gives one process the whole directory, and the holder's pid
// and mount, so a second mount is refused with a message naming the first. DIR/v1/XX/NAME is
// one block: NAME is the first 128 bits of SHA-256 of the block cache's key (bucket, object,
// version, checksum, size) in hex, a dash and the block index; XX is NAME's first two
// characters, so no directory grows huge. DIR/v1/tmp holds blocks being written.
//
// # A block file
//
// The block's bytes, then a trailer: a 32-byte header (magic, key length, data length, block
// index, CRC-32C of the data, CRC-32C of the header and key) and the full key, zero-padded to
// whole 4 KiB. Data first and a padded trailer let a full block go to disk and come back with
// O_DIRECT, straight between the block's buffer and the disk. Load checks the data, the
// header, the key and index it was asked for, and the file's size: a damaged, truncated or
// foreign file is removed, counted as an error and reported as a miss, so the block is fetched
// from AIS again. Nothing unverified is ever returned.
//
// # Writes, crash safety, full disks
//
// Store queues the block for a few writer goroutines and returns; a full queue drops the
// block (counted as skipped), so a slow disk never slows reads from AIS. A writer reserves
// room first (evicting least recently used files), writes the file in DIR/v1/tmp (O_DIRECT
// while it keeps up, through the page cache when the queue is half full or the filesystem
// refuses O_DIRECT) and renames it into place, so a crash leaves only temp files (removed at
// the next Open) or whole files. Without
// fsync a power loss may leave a renamed file with lost bytes: its checksum catches that. A
// write that fails (ENOSPC, EDQUOT, EIO, a read-only remount...) turns the disk cache off for
// the rest of the mount with one log line; reads then go to AIS only.
//
// # Size and recency
//
// The sizes of block files, rounded up to 4 KiB, stay within Config.Size, files being
// written included (they are reserved before they are written). Files in DIR that are not
// block files are left alone and not counted. Recency is in memory (an LRU) and on disk as each file's mtime, set when the file
// is written and when it is read, so Open rebuilds the LRU order by sorting files by mtime
// (atime is not used: relatime and noatime mounts do not keep it).
//
// # Locks
//
// Cache.mu guards the index only; file I/O never runs under it. Races between a Load and the
// writer on one name can only cost a miss, because every Load verifies the file it read.
package disk
