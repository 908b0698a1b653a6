package aisclient

import (
	"errors"
	"fmt"
	"math"
)

// List pages in MessagePack (Accept: application/msgpack), the encoding AIS's own Go API asks
// for: AIS writes cmn.LsoRes with tinylib/msgp, a map of UUID, ContinuationToken, Entries (an
// array of maps keyed n, cs, a, v, t, m, s, c, f) and Flags. Decoding it costs a fraction of the
// JSON (no reflection, no escapes, integers as integers), and every string of a page is a
// substring of one copy of the body. Keys this client does not know are skipped by their size.

const contentMsgpack = "application/msgpack"

var errMsgpack = errors.New("aisclient: malformed msgpack list page")

// mpReader reads MessagePack values from s; the first malformed or truncated value sets err,
// after which every read returns a zero value.
type mpReader struct {
	s   string
	off int
	err error
}

func (r *mpReader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("%w at byte %d of %d", errMsgpack, r.off, len(r.s))
	}
	r.off = len(r.s)
}

// take returns the next n bytes.
func (r *mpReader) take(n uint64) string {
	if r.err != nil || n > uint64(len(r.s)-r.off) {
		r.fail()
		return ""
	}
	v := r.s[r.off : r.off+int(n)]
	r.off += int(n)
	return v
}

func (r *mpReader) byte() byte {
	b := r.take(1)
	if b == "" {
		return 0
	}
	return b[0]
}

// uint reads a big-endian unsigned integer of n bytes (1, 2, 4 or 8).
func (r *mpReader) uint(n int) uint64 {
	var v uint64
	for _, c := range []byte(r.take(uint64(n))) {
		v = v<<8 | uint64(c)
	}
	return v
}

// header reads a map or array header (fix, 16 or 32 bits); nil counts as empty.
func (r *mpReader) header(fix, mask, c16, c32 byte) int {
	switch b := r.byte(); {
	case b&^mask == fix:
		return int(b & mask)
	case b == c16:
		return int(r.uint(2))
	case b == c32:
		return int(r.uint(4))
	case b == 0xc0 && r.err == nil:
		return 0
	}
	r.fail()
	return 0
}

func (r *mpReader) mapLen() int   { return r.header(0x80, 0x0f, 0xde, 0xdf) }
func (r *mpReader) arrayLen() int { return r.header(0x90, 0x0f, 0xdc, 0xdd) }

// str reads a string (or binary) value; nil reads as "".
func (r *mpReader) str() string {
	switch b := r.byte(); {
	case b&0xe0 == 0xa0:
		return r.take(uint64(b & 0x1f))
	case b == 0xd9 || b == 0xc4:
		return r.take(r.uint(1))
	case b == 0xda || b == 0xc5:
		return r.take(r.uint(2))
	case b == 0xdb || b == 0xc6:
		return r.take(r.uint(4))
	case b == 0xc0 && r.err == nil:
		return ""
	}
	r.fail()
	return ""
}

// int reads an integer of any width; nil reads as 0.
func (r *mpReader) int() int64 {
	switch b := r.byte(); {
	case b <= 0x7f:
		return int64(b)
	case b >= 0xe0:
		return int64(int8(b))
	case b >= 0xcc && b <= 0xcf:
		v := r.uint(1 << (b - 0xcc))
		if v > math.MaxInt64 {
			r.fail()
			return 0
		}
		return int64(v)
	case b == 0xd0:
		return int64(int8(r.uint(1)))
	case b == 0xd1:
		return int64(int16(r.uint(2)))
	case b == 0xd2:
		return int64(int32(r.uint(4)))
	case b == 0xd3:
		return int64(r.uint(8))
	case b == 0xc0 && r.err == nil:
		return 0
	}
	r.fail()
	return 0
}

// skip passes over one value of any type.
func (r *mpReader) skip() {
	if r.err != nil || r.off >= len(r.s) {
		r.fail()
		return
	}
	b := r.s[r.off]
	switch {
	case b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3:
		r.off++
	case b&0xe0 == 0xa0 || b == 0xd9 || b == 0xda || b == 0xdb || b == 0xc4 || b == 0xc5 || b == 0xc6:
		r.str()
	case b >= 0xcc && b <= 0xd3:
		r.int()
	case b == 0xca:
		r.take(5)
	case b == 0xcb:
		r.take(9)
	case b >= 0xd4 && b <= 0xd8: // fixext 1, 2, 4, 8, 16: type byte and data
		r.take(2 + 1<<(b-0xd4))
	case b >= 0xc7 && b <= 0xc9: // ext 8, 16, 32
		r.off++
		n := r.uint(1 << (b - 0xc7))
		r.take(1 + n)
	case b&0xf0 == 0x80 || b == 0xde || b == 0xdf:
		for n := r.mapLen(); n > 0 && r.err == nil; n-- {
			r.skip()
			r.skip()
		}
	case b&0xf0 == 0x90 || b == 0xdc || b == 0xdd:
		for n := r.arrayLen(); n > 0 && r.err == nil; n-- {
			r.skip()
		}
	default: // 0xc1: never used
		r.fail()
	}
}

// decodeLsoMsgpack decodes one list page into page: with entries false only its UUID, token and
// entry count (a quick pass that skips the entries), else its entries too, nil ones dropped.
func decodeLsoMsgpack(body string, page *lsoPage, entries bool) error {
	r := &mpReader{s: body}
	for n := r.mapLen(); n > 0 && r.err == nil; n-- {
		switch r.str() {
		case "UUID":
			page.UUID = r.str()
		case "ContinuationToken":
			page.ContinuationToken = r.str()
		case "Entries":
			cnt := r.arrayLen()
			if cnt > len(body) { // each entry takes at least one byte
				r.fail()
				break
			}
			page.count = cnt
			if entries {
				page.entries = make([]Entry, 0, cnt)
			}
			for ; cnt > 0 && r.err == nil; cnt-- {
				switch {
				case !entries:
					r.skip()
				case r.off < len(r.s) && r.s[r.off] == 0xc0:
					r.off++
				default:
					var e lsoEntry
					r.entry(&e)
					page.entries = append(page.entries, e.entry())
				}
			}
		default:
			r.skip()
		}
	}
	if r.err == nil && r.off != len(body) {
		r.fail() // trailing bytes: not one page
	}
	return r.err
}

// entry reads one cmn.LsoEnt.
func (r *mpReader) entry(e *lsoEntry) {
	for n := r.mapLen(); n > 0 && r.err == nil; n-- {
		switch r.str() {
		case "n":
			e.Name = r.str()
		case "cs":
			e.Checksum = r.str()
		case "a":
			e.Atime = r.str()
		case "v":
			e.Version = r.str()
		case "t":
			e.Location = r.str()
		case "m":
			e.Custom = r.str()
		case "s":
			e.size = r.int()
		case "c":
			e.Copies = int(r.int())
		case "f":
			e.Flags = uint32(r.int())
		default:
			r.skip()
		}
	}
}
