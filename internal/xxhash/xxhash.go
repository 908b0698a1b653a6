package xxhash

import (
	"strconv"

	cxxhash "github.com/cespare/xxhash/v2"
)

// Digest is a streaming XXH64 (seed 0). It is a value: a copy continues independently, which
// writeback uses to keep the running hash of a prefix. Use New; not safe for concurrent use.
type Digest = cxxhash.Digest

// New returns a Digest ready for Write.
func New() *Digest { return cxxhash.New() }

// Sum64 is the XXH64 of b.
func Sum64(b []byte) uint64 { return cxxhash.Sum64(b) }

// Hex renders a sum the way AIS prints xxhash2 values: 16 lower-case hex digits.
func Hex(sum uint64) string {
	s := strconv.FormatUint(sum, 16)
	const zeros = "0000000000000000"
	return zeros[:16-len(s)] + s
}
