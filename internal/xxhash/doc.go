// Package xxhash is the checksum AIStore calls "xxhash2": XXH64 with seed 0, rendered as 16
// lower-case hex digits (see Hex). A client that sends that value with a PUT or an append flush
// lets the cluster verify the whole upload end to end.
//
// The hashing is github.com/cespare/xxhash/v2 (the implementation AIS itself uses, with
// assembly for amd64 and arm64); this package pins the seed and AIS's rendering in one place.
package xxhash
