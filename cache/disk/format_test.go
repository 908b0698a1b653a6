package disk

import (
	"bytes"
	"errors"
	"testing"
)

func TestVerify(t *testing.T) {
	const key = "ais://b\x00obj\x001\x00abcd\x00100"
	data := bytes.Repeat([]byte("0123456789"), 10)
	good := func() ([]byte, []byte) {
		t := make([]byte, trailerLen(key))
		encodeTrailer(t, key, 3, data)
		return t[:headerLen+len(key)], bytes.Clone(data)
	}
	full := int64(len(data) + trailerLen(key)) // the file's size
	for _, tc := range []struct {
		name   string
		key    string
		idx    int64
		damage func(h, d []byte) ([]byte, []byte, int64) // returns header, data and file size
		ok     bool
	}{
		{"intact", key, 3, func(h, d []byte) ([]byte, []byte, int64) { return h, d, full }, true},
		{"flipped data byte", key, 3, func(h, d []byte) ([]byte, []byte, int64) { d[50] ^= 1; return h, d, full }, false},
		{"flipped header byte", key, 3, func(h, d []byte) ([]byte, []byte, int64) { h[13] ^= 1; return h, d, full }, false},
		{"flipped key byte", key, 3, func(h, d []byte) ([]byte, []byte, int64) { h[headerLen+2] ^= 1; return h, d, full }, false},
		{"truncated file", key, 3, func(h, d []byte) ([]byte, []byte, int64) { return h, d, full - 1 }, false},
		{"longer file", key, 3, func(h, d []byte) ([]byte, []byte, int64) { return h, d, full + 1 }, false},
		{"zeroed (lost in a power cut)", key, 3, func(h, d []byte) ([]byte, []byte, int64) {
			return make([]byte, len(h)), make([]byte, len(d)), full
		}, false},
		{"another block", key, 4, func(h, d []byte) ([]byte, []byte, int64) { return h, d, full }, false},
		{"another version, same length", "ais://b\x00obj\x002\x00abcd\x00100", 3, func(h, d []byte) ([]byte, []byte, int64) {
			return h, d, full
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, d := good()
			h, d, size := tc.damage(h, d)
			err := verify(h, tc.key, tc.idx, d, size)
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, errDamaged)) {
				t.Fatalf("verify: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestNames(t *testing.T) {
	n := blockName("k", 7)
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{n, true},
		{blockName("another key", 0), true},
		{n[3:], false},                       // no subdirectory
		{"zz" + n[2:], false},                // wrong subdirectory
		{n + "x", false},                     // bad index
		{n + "-1", false},                    // two dashes
		{n[:3] + "G" + n[4:], false},         // not hex
		{n[:len(n)-1] + "07", false},         // leading zero: another spelling of 7
		{"tmp/blk-123", false},               // a temp file
		{n[:2] + "/" + n[3:6] + "-1", false}, // short hash
	} {
		if got := parseName(tc.name); got != tc.ok {
			t.Errorf("parseName(%q) = %v, want %v", tc.name, got, tc.ok)
		}
	}
	if blockName("k", 7) == blockName("k", 8) || blockName("k", 7) == blockName("l", 7) {
		t.Error("names collide")
	}
}
