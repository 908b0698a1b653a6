// Package xxhash implements XXH64 with seed 0, the hash AIStore calls "xxhash2".
//
// AIS renders the sum as 16 lower-case hex digits (see Hex); a client that sends that value
// with a PUT or an append flush lets the cluster verify the whole upload end to end.
// The package is a small, dependency-free implementation of the published XXH64
// algorithm; Digest streams, Sum64 hashes a byte slice in one call.
package xxhash
