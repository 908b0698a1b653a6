package xxhash

import (
	"strings"
	"testing"
)

// Reference values from the XXH64 reference implementation (seed 0); they pin the
// dependency to what AIS computes.
var vectors = []struct {
	in   string
	want string
}{
	{"", "ef46db3751d8e999"},
	{"a", "d24ec4f1a98c6e5b"},
	{"abc", "44bc2cf5ad770999"},
	{"hello world, this is a test object\n", "40cf699f405b9eb2"}, // as AIS reports it
	{strings.Repeat("x", 31), "60dd0d01083b99f0"},                // one byte short of a stripe
	{strings.Repeat("0123456789", 4), "ca6fc80cbde1a931"},        // one stripe and a tail
	{strings.Repeat("The quick brown fox jumps over the lazy dog. ", 23), "87a91e3899414f35"},
}

func TestSum64(t *testing.T) {
	for _, v := range vectors {
		if got := Hex(Sum64([]byte(v.in))); got != v.want {
			t.Errorf("Sum64(len %d) = %s, want %s", len(v.in), got, v.want)
		}
	}
}

// TestDigestSplits feeds every vector in two writes split at every offset, then byte by byte.
func TestDigestSplits(t *testing.T) {
	for _, v := range vectors {
		for i := 0; i <= len(v.in); i++ {
			d := New()
			d.Write([]byte(v.in[:i]))
			d.WriteString(v.in[i:])
			if got := Hex(d.Sum64()); got != v.want {
				t.Fatalf("len %d split at %d: %s, want %s", len(v.in), i, got, v.want)
			}
		}
		d := New()
		for i := range len(v.in) {
			d.Write([]byte{v.in[i]})
		}
		if got := Hex(d.Sum64()); got != v.want {
			t.Errorf("len %d byte by byte: %s, want %s", len(v.in), got, v.want)
		}
	}
}

func TestDigestContinuesAfterSum(t *testing.T) {
	in := vectors[len(vectors)-1].in
	d := New()
	d.WriteString(in[:100])
	_ = d.Sum64()
	d.WriteString(in[100:])
	if got, want := d.Sum64(), Sum64([]byte(in)); got != want {
		t.Fatalf("after intermediate Sum64: %x, want %x", got, want)
	}
	d.Reset()
	if got := Hex(d.Sum64()); got != "ef46db3751d8e999" {
		t.Fatalf("after Reset: %s", got)
	}
	if got := d.Sum([]byte{1}); len(got) != 9 || got[0] != 1 || got[1] != 0xef || got[8] != 0x99 {
		t.Fatalf("Sum appends big-endian: %x", got)
	}
}

func TestHex(t *testing.T) {
	for _, c := range []struct {
		in   uint64
		want string
	}{{0, "0000000000000000"}, {0xab, "00000000000000ab"}, {^uint64(0), "ffffffffffffffff"}} {
		if got := Hex(c.in); got != c.want {
			t.Errorf("Hex(%x) = %s, want %s", c.in, got, c.want)
		}
	}
}

func BenchmarkSum64(b *testing.B) {
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		Sum64(buf)
	}
}
