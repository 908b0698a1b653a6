package xxhash

import (
	"encoding/binary"
	"hash"
	"math/bits"
	"strconv"
)

// The five XXH64 primes from the specification.
const (
	prime1 uint64 = 0x9E3779B185EBCA87
	prime2 uint64 = 0xC2B2AE3D27D4EB4F
	prime3 uint64 = 0x165667B19E3779F9
	prime4 uint64 = 0x85EBCA77C2B2AE63
	prime5 uint64 = 0x27D4EB2F165667C5
)

const stripe = 32 // bytes consumed per round of the four accumulators

// Digest is a streaming XXH64 (seed 0). The zero value is not ready; use New.
// It implements hash.Hash64. A Digest is not safe for concurrent use.
type Digest struct {
	v     [4]uint64
	total uint64       // bytes written so far
	buf   [stripe]byte // pending bytes of an incomplete stripe
	n     int          // len of buf in use
}

var _ hash.Hash64 = (*Digest)(nil)

// New returns a Digest ready for Write.
func New() *Digest {
	d := &Digest{}
	d.Reset()
	return d
}

// Reset restarts the Digest as if nothing had been written.
func (d *Digest) Reset() {
	p1 := prime1 // a variable: the seeds wrap around, which constant arithmetic rejects
	d.v = [4]uint64{p1 + prime2, prime2, 0, -p1}
	d.total = 0
	d.n = 0
}

// Size is 8 bytes.
func (d *Digest) Size() int { return 8 }

// BlockSize is the stripe size; writes of multiples of it avoid internal copying.
func (d *Digest) BlockSize() int { return stripe }

// Write adds p to the hash. It never fails.
func (d *Digest) Write(p []byte) (int, error) {
	n := len(p)
	d.total += uint64(n)
	if d.n > 0 {
		c := copy(d.buf[d.n:], p)
		d.n += c
		p = p[c:]
		if d.n < stripe {
			return n, nil
		}
		d.stripes(d.buf[:])
		d.n = 0
	}
	if len(p) >= stripe {
		full := len(p) &^ (stripe - 1)
		d.stripes(p[:full])
		p = p[full:]
	}
	d.n = copy(d.buf[:], p)
	return n, nil
}

// WriteString is Write for a string.
func (d *Digest) WriteString(s string) (int, error) { return d.Write([]byte(s)) }

// Sum64 returns the hash of everything written so far; the Digest can keep going.
func (d *Digest) Sum64() uint64 {
	var h uint64
	if d.total >= stripe {
		v := d.v
		h = bits.RotateLeft64(v[0], 1) + bits.RotateLeft64(v[1], 7) +
			bits.RotateLeft64(v[2], 12) + bits.RotateLeft64(v[3], 18)
		for _, x := range v {
			h = merge(h, x)
		}
	} else {
		h = prime5
	}
	h += d.total
	return finish(h, d.buf[:d.n])
}

// Sum appends the big-endian hash to b (hash.Hash).
func (d *Digest) Sum(b []byte) []byte { return binary.BigEndian.AppendUint64(b, d.Sum64()) }

// Sum64 returns the XXH64 (seed 0) of b.
func Sum64(b []byte) uint64 {
	n := uint64(len(b))
	var h uint64
	if len(b) >= stripe {
		var d Digest
		d.Reset()
		full := len(b) &^ (stripe - 1)
		d.stripes(b[:full])
		b = b[full:]
		v := d.v
		h = bits.RotateLeft64(v[0], 1) + bits.RotateLeft64(v[1], 7) +
			bits.RotateLeft64(v[2], 12) + bits.RotateLeft64(v[3], 18)
		for _, x := range v {
			h = merge(h, x)
		}
	} else {
		h = prime5
	}
	return finish(h+n, b)
}

// Hex renders a sum the way AIS prints xxhash2 values: 16 lower-case hex digits.
func Hex(sum uint64) string {
	s := strconv.FormatUint(sum, 16)
	const zeros = "0000000000000000"
	return zeros[:16-len(s)] + s
}

// stripes folds whole 32-byte stripes of p (len(p) is a multiple of 32) into the accumulators.
func (d *Digest) stripes(p []byte) {
	v0, v1, v2, v3 := d.v[0], d.v[1], d.v[2], d.v[3]
	for ; len(p) >= stripe; p = p[stripe:] {
		v0 = round(v0, binary.LittleEndian.Uint64(p[0:8]))
		v1 = round(v1, binary.LittleEndian.Uint64(p[8:16]))
		v2 = round(v2, binary.LittleEndian.Uint64(p[16:24]))
		v3 = round(v3, binary.LittleEndian.Uint64(p[24:32]))
	}
	d.v = [4]uint64{v0, v1, v2, v3}
}

func round(acc, lane uint64) uint64 {
	acc += lane * prime2
	return bits.RotateLeft64(acc, 31) * prime1
}

func merge(h, v uint64) uint64 {
	h ^= round(0, v)
	return h*prime1 + prime4
}

// finish mixes in the tail (< 32 bytes) and applies the final avalanche.
func finish(h uint64, tail []byte) uint64 {
	for ; len(tail) >= 8; tail = tail[8:] {
		h ^= round(0, binary.LittleEndian.Uint64(tail))
		h = bits.RotateLeft64(h, 27)*prime1 + prime4
	}
	if len(tail) >= 4 {
		h ^= uint64(binary.LittleEndian.Uint32(tail)) * prime1
		h = bits.RotateLeft64(h, 23)*prime2 + prime3
		tail = tail[4:]
	}
	for _, c := range tail {
		h ^= uint64(c) * prime5
		h = bits.RotateLeft64(h, 11) * prime1
	}
	h ^= h >> 33
	h *= prime2
	h ^= h >> 29
	h *= prime3
	h ^= h >> 32
	return h
}
