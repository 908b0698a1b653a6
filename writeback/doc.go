// Package writeback is the engine behind every file opened for writing on an aisfs mount.
// It knows nothing of FUSE or inodes: a [Manager] hands out [File]s, each the content of one
// object being written, and uploads that content to AIS through a narrow [Store].
//
// # Staging
//
// Every byte written lands in a local staging file first (pwrite), so the File always holds
// what it needs to finish the upload even when the network fails half way. Staging files live
// in Config.Dir as <Dir>/<bucket>/<object name, '%' and '/' percent-encoded>.<random>.aisfs,
// so a person can tell what each one was. Their logical sizes together are bounded by
// Config.MaxStaging: a write or truncate that would cross it fails with syscall.ENOSPC. A
// staging file is removed when its File closes cleanly and kept (and logged) when the upload
// failed. NewManager logs staging files left over from an earlier run; it never deletes them.
//
// # Modes
//
//   - [Truncate] (new file, O_TRUNC): the content starts empty.
//   - [Edit] (an existing object opened for writing): the content is the object's. It is fetched
//     into the staging file on the first ReadAt, WriteAt or Truncate (Truncate(0) fetches
//     nothing), so a file opened read-write and never touched costs no GET.
//   - [Append] (O_APPEND on an existing object of known size): the existing bytes stay in AIS;
//     only the bytes written after them are staged and sent with AIS append. A read below the
//     old size, or a change to the old bytes, fetches them first.
//
// # Uploads
//
// AIS append (a serial chain of requests, each passing the latest handle, finished by a flush)
// is used while it can only produce the right object: the AIS object, or an unfinished chain,
// always holds a prefix of the File's content, and a background uploader per File sends each
// completed Config.ChunkSize piece of the content after that prefix. A write or truncate that
// changes bytes already sent abandons the chain: it is never flushed, so readers never see a
// partial object. Writes beyond the end (holes) and small reorders do not stop streaming; a
// piece is sent only once it has been written completely.
//
// A new file written in order (Truncate mode, never synced) does not use the chain: once a
// chunk of it is written, ONE PUT opens whose chunked body reads the staging file just behind
// the writer (putstream.go), so the bytes leave as they are written without a request per
// piece. Writes never wait for it. Sync ends its body and checks the checksum AIS computed
// against the running XXH64; a change to bytes it already sent gives it up (cancelled before
// its body ends, so AIS stores nothing and an older object stays), and Sync then PUTs the
// staging file. Custom metadata goes in its headers as of its start; what changed later is
// reported by SyncResult.NeedsMeta. After the first Sync, later writes use the chain.
//
// Sync finalizes: it sends what is left and flushes the chain, or, when nothing was streamed
// (a small file, or a file whose chain was abandoned), sends the whole staging file with ONE
// PUT. Both carry the XXH64 ("xxhash2") of the whole content, so AIS verifies the upload end
// to end; the one exception is an Append-mode chain, whose older bytes were never local. After
// a successful Sync the File is clean and writes keep working: a later Sync appends to the
// object it left (for a prefix of at least one chunk, AIS copies it server side) or PUTs
// again.
//
// The checksum is computed as the bytes are written: a write that extends the hashed prefix
// of the content is folded into a running XXH64, so an upload of a file written in order
// never reads it back; bytes written out of order (or everything, after a change below the
// hashed prefix) are read once when the upload needs the sum.
//
// Memory is bounded: appends send from the staging file with sendfile(2), page cache to
// socket, and PUTs through the HTTP transport's copy buffer (32 KiB per request; faster
// than sendfile for one large body, aisclient's bodyOf says by how much); fetches of old content read into buffers from a pool, and
// hold at most Config.MaxInFlight bytes together.
//
// # Failures
//
// When an upload fails, Sync sends the content again from the staging file with what the
// failure left possible: a PUT of the whole content, or for an Append-mode file a fresh
// append chain. It keeps resending after each transient failure (a broken chain, a lost
// handle, a reset, a 5xx, AIS's 400 ErrNoNodes while a target rejoins), with backoff from
// Config.Backoff up to 2 s, until Config.OpTimeout has passed since Sync began; so an upload
// across an AIS restart finishes. Failures a resend cannot fix (access refused, no space,
// a bad name, a missing bucket, the staging file unreadable) end it at once. Every success
// is verified: the flush and the PUT carry the checksum of the whole content, which AIS
// checks, and the PUT's reply must name that checksum and size.
//
// A final failure is latched: this and every later Sync and Close of the File return an
// *UploadError that names the staging file, which is kept, and it is logged ONCE, with op,
// bucket, object and path; later calls that return it log nothing. AIS errors stay visible
// to errors.Is, but not the context deadline of an upload that ran out of time (the caller
// sees an I/O error, not a timeout of its own). A Sync that fails because its context ended
// latches nothing: the File stays dirty.
//
// # Concurrency
//
// All File methods may be called concurrently. Reads never wait for the network unless they
// need the object's old bytes. Writes and truncates run under a per-File mutex that is not held
// across network calls, except that Sync and Close keep writers out while they upload, so what
// a Sync sends is the content as of its start.
package writeback
