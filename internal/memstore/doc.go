// Package memstore is an in-memory AIS for fast unit tests of the filesystem and writeback
// logic, beside the tests that run against a real local cluster. Like restic's mem backend it
// is small and complete rather than clever: one mutex, whole objects as byte slices.
//
// A [Store] behaves as the parts of AIS v1.5.0 that aisfs uses were observed to behave:
//
//   - objects carry a decimal version bumped by every write (not by a custom-metadata PATCH),
//     the xxhash2 checksum of their content, an atime, and custom metadata that an overwriting
//     PUT merges into rather than replaces;
//   - a PUT or a flush with a checksum fails with aisclient.ErrBadChecksum on a mismatch;
//   - an object and a "directory" of the same name cannot coexist (aisclient.ErrNameConflict);
//   - one-level listings show subdirectories as entries ending in "/", and keep showing a
//     directory whose last object was deleted or renamed away (a "ghost") until ClearGhosts,
//     and a ghost still refuses an object of its name (ErrNameConflict);
//   - an append chain starts from the object's current content, every Append returns a new
//     handle (only the latest is accepted), nothing is visible until Flush, a failed Flush can
//     be repeated and repeating a completed one succeeds;
//   - rename copies and deletes, silently replacing the destination and its metadata.
//
// Errors wrap the aisclient sentinels, so errors.Is works as it does on a real client.
//
// Failure injection: FailNext fails the next n calls of one operation before they have any
// effect; SetHook runs a function at the start of every call of one operation (to fail some
// names only, or to block a call while a test looks at the state in between). Calls counts
// calls per operation, failed ones included, so tests can check what an operation cost.
package memstore
