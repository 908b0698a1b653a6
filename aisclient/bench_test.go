package aisclient

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

// BenchmarkGetRange4K: random 4 KiB reads of one 16 MiB object by parallel readers.
func BenchmarkGetRange4K(b *testing.B) {
	c := newClient(b)
	bck := newBucket(b, c)
	const size = 16 << 20
	if _, err := c.PutObject(b.Context(), bck, "big", bytes.NewReader(make([]byte, size)), size, PutOptions{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(4096)
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		p := make([]byte, 4096)
		for pb.Next() {
			off := rand.Int64N(size/4096) * 4096
			if n, _, err := c.GetRange(b.Context(), bck, "big", off, p); err != nil || n != len(p) {
				b.Errorf("GetRange: %d, %v", n, err)
				return
			}
		}
	})
}

// BenchmarkPutObject64K: parallel writers of 64 KiB objects.
func BenchmarkPutObject64K(b *testing.B) {
	c := newClient(b)
	bck := newBucket(b, c)
	data := make([]byte, 64<<10)
	var seq atomic.Int64
	b.SetBytes(int64(len(data)))
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			name := fmt.Sprintf("o%d", seq.Add(1))
			if _, err := c.PutObject(b.Context(), bck, name, bytes.NewReader(data), int64(len(data)), PutOptions{}); err != nil {
				b.Errorf("PutObject: %v", err)
				return
			}
		}
	})
}
