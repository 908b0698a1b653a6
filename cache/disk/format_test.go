package disk

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

func TestTrailer(t *testing.T) {
	const key = "ais://b\x00obj\x001\x00abcd\x00100"
	const blockSize = 8192
	g := geom{slot: 8192, slots: 4}
	ents := []entry{{8192, 11}, {0, 0}, {100, 33}}
	good := func() ([]byte, int64) {
		tr := encodeTrailer(key, 5, g, ents)
		return tr, int64(len(ents))*g.slot + int64(len(tr))
	}
	for _, tc := range []struct {
		name   string
		seg    int64
		g      geom
		damage func(tr []byte, size int64) ([]byte, int64)
		ok     bool
	}{
		{"intact", 5, g, func(tr []byte, s int64) ([]byte, int64) { return tr, s }, true},
		{"flipped header byte", 5, g, func(tr []byte, s int64) ([]byte, int64) { tr[13] ^= 1; return tr, s }, false},
		{"flipped key byte", 5, g, func(tr []byte, s int64) ([]byte, int64) { tr[headerLen+2] ^= 1; return tr, s }, false},
		{"flipped entry byte", 5, g, func(tr []byte, s int64) ([]byte, int64) { tr[headerLen+len(key)+9] ^= 1; return tr, s }, false},
		{"truncated file", 5, g, func(tr []byte, s int64) ([]byte, int64) { return tr, s - 1 }, false},
		{"longer file", 5, g, func(tr []byte, s int64) ([]byte, int64) { return tr, s + 1 }, false},
		{"zeroed (lost in a power cut)", 5, g, func(tr []byte, s int64) ([]byte, int64) { return make([]byte, len(tr)), s }, false},
		{"another segment", 6, g, func(tr []byte, s int64) ([]byte, int64) { return tr, s }, false},
		{"another block size", 5, geom{slot: 4096, slots: 8}, func(tr []byte, s int64) ([]byte, int64) { return tr, s }, false},
		{"another cache size (fewer slots per segment)", 5, geom{slot: 8192, slots: 3}, func(tr []byte, s int64) ([]byte, int64) { return tr, s }, false},
		{"another cache size (more slots per segment)", 5, geom{slot: 8192, slots: 8}, func(tr []byte, s int64) ([]byte, int64) { return tr, s }, false},
		{"another cache size, first segment", 0, geom{slot: 8192, slots: 8}, func(tr []byte, s int64) ([]byte, int64) {
			return encodeTrailer(key, 0, g, ents), s
		}, true},
		{"flipped slots-per-segment byte", 5, g, func(tr []byte, s int64) ([]byte, int64) { tr[33] ^= 1; return tr, s }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, size := good()
			tr, size = tc.damage(tr, size)
			k, got, err := decodeTrailer(tr, size, tc.seg, tc.g, blockSize)
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, errDamaged)) {
				t.Fatalf("decodeTrailer: %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && (k != key || !slices.Equal(got, ents)) {
				t.Fatalf("decoded %q %v, want %q %v", k, got, key, ents)
			}
		})
	}
	// The footer names the trailer's length; damage there is caught before any large read.
	tr, size := good()
	if n, err := footerTrailerLen(tr[len(tr)-footerLen:], size); err != nil || n != len(tr) {
		t.Fatalf("footer: %d, %v", n, err)
	}
	binary.LittleEndian.PutUint32(tr[len(tr)-8:], 1<<30)
	if _, err := footerTrailerLen(tr[len(tr)-footerLen:], size); !errors.Is(err, errDamaged) {
		t.Fatalf("a footer asking for 1 GiB: %v", err)
	}
}

func TestNames(t *testing.T) {
	n := segName("k", 7, 0xab)
	if _, gen, _ := parseName(n); gen != 0xab {
		t.Errorf("generation %x, want ab", gen)
	}
	for _, tc := range []struct {
		name string
		seg  int64
		ok   bool
	}{
		{n, 7, true},
		{segName("another key", 0, 1), 0, true},
		{n[3:], 0, false},                         // no subdirectory
		{"zz" + n[2:], 0, false},                  // wrong subdirectory
		{n + "x", 0, false},                       // bad generation
		{n + "-1", 0, false},                      // three dashes
		{n[:3] + "G" + n[4:], 0, false},           // not hex
		{n[:36] + "07-ab", 0, false},              // leading zero: another spelling of 7
		{"tmp/seg-123", 0, false},                 // a temp file
		{n[:2] + "/" + n[3:6] + "-1-1", 0, false}, // short hash
	} {
		if seg, _, ok := parseName(tc.name); ok != tc.ok || seg != tc.seg {
			t.Errorf("parseName(%q) = %d, %v, want %d, %v", tc.name, seg, ok, tc.seg, tc.ok)
		}
	}
	if segName("k", 7, 1) == segName("k", 8, 1) || segName("k", 7, 1) == segName("l", 7, 1) || segName("k", 7, 1) == segName("k", 7, 2) {
		t.Error("names collide")
	}
}
