package bench

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
)

// Object content is deterministic, so every read can be checked without keeping the data: object
// id k is a sequence of 1 MiB blocks, block j a window of a random template chosen by (k, j)
// whose first 8 bytes are overwritten with k<<24|j. A read from the wrong object, the wrong
// offset or a stale block shows up as a mismatch; generating the expectation is a memcpy.
const (
	blockShift = 20
	blockSize  = 1 << blockShift
	windowMax  = 1 << 16
)

var template = func() []byte {
	b := make([]byte, blockSize+windowMax)
	rand.NewChaCha8([32]byte{'a', 'i', 's', 'f', 's'}).Read(b)
	return b
}()

func window(k uint64, j int64) int64 {
	return int64((k*0x9e3779b97f4a7c15 + uint64(j)*0xbf58476d1ce4e5b9) >> 48 % windowMax)
}

// contentAt fills p with object k's bytes from offset off.
func contentAt(k uint64, off int64, p []byte) {
	for len(p) > 0 {
		j, in := off>>blockShift, off&(blockSize-1)
		n := copy(p, template[window(k, j)+in:window(k, j)+blockSize])
		if in < 8 {
			var stamp [8]byte
			binary.LittleEndian.PutUint64(stamp[:], k<<24|uint64(j))
			copy(p[:n], stamp[in:])
		}
		p, off = p[n:], off+int64(n)
	}
}

// verify reports whether got is object k's content at off, comparing against the template in
// place (no copy).
func verify(k uint64, off int64, got []byte) error {
	for pos := 0; pos < len(got); {
		o := off + int64(pos)
		j, in := o>>blockShift, o&(blockSize-1)
		n := min(len(got)-pos, int(blockSize-in))
		seg, w := got[pos:pos+n], window(k, j)+in
		start := 0
		if in < 8 {
			var stamp [8]byte
			binary.LittleEndian.PutUint64(stamp[:], k<<24|uint64(j))
			start = min(n, int(8-in))
			if !bytes.Equal(seg[:start], stamp[in:int(in)+start]) {
				return fmt.Errorf("object %d: wrong data at offset %d (block stamp)", k, o)
			}
		}
		if !bytes.Equal(seg[start:], template[w+int64(start):w+int64(n)]) {
			i := start
			for seg[i] == template[w+int64(i)] {
				i++
			}
			return fmt.Errorf("object %d: wrong data at offset %d", k, o+int64(i))
		}
		pos += n
	}
	return nil
}

// genReader streams object k's content of the given size.
type genReader struct {
	k        uint64
	off, end int64
}

func newGen(k uint64, size int64) *genReader { return &genReader{k: k, end: size} }

func (g *genReader) Read(p []byte) (int, error) {
	if g.off >= g.end {
		return 0, io.EOF
	}
	if rest := g.end - g.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	contentAt(g.k, g.off, p)
	g.off += int64(len(p))
	return len(p), nil
}

// content returns object k's whole content (for small objects).
func content(k uint64, size int) []byte {
	p := make([]byte, size)
	contentAt(k, 0, p)
	return p
}

// splitmix is a cheap deterministic hash for per-file sizes and shuffles.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
