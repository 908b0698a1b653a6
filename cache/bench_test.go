package cache

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchObject serves data like a network store: every fetch copies, after an optional latency.
func benchObject(key string, data []byte, latency time.Duration) Object {
	return Object{Key: key, Size: int64(len(data)), Fetch: func(ctx context.Context, off int64, p []byte) (int, error) {
		if latency > 0 {
			time.Sleep(latency) // a benchmark, not a test: stands in for a network round trip
		}
		n := copy(p, data[off:])
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{42}).Read(b)
	return b
}

// BenchmarkSequential reads a 256 MiB object front to back through a cold cache (a new key each
// iteration) in FUSE-sized requests; Read returns cached sub-slices, ReadAt copies out as the
// kernel would.
func BenchmarkSequential(b *testing.B) {
	data := randomBytes(256 << 20)
	for _, bc := range []struct {
		name    string
		req     int
		copyOut bool
		latency time.Duration
		readers int // concurrent requests on one handle, as FUSE async reads deliver them
	}{
		{"Read128K", 128 << 10, false, 0, 1},
		{"Read1M", 1 << 20, false, 0, 1},
		{"ReadAt128K", 128 << 10, true, 0, 1},
		{"ReadAt128K/latency=1ms", 128 << 10, true, time.Millisecond, 1},
		{"ReadAt128K/latency=1ms/concurrent=4", 128 << 10, true, time.Millisecond, 4},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := New(Config{Capacity: 256 << 20})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			ctx := context.Background()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			iter := 0
			for b.Loop() {
				iter++
				r := c.NewReader(benchObject(fmt.Sprint("obj#", iter), data, bc.latency))
				var next atomic.Int64 // requests are taken in order, and may complete out of order
				var wg sync.WaitGroup
				for range bc.readers {
					wg.Go(func() {
						buf := make([]byte, bc.req)
						for {
							off := next.Add(int64(bc.req)) - int64(bc.req)
							if off >= int64(len(data)) {
								return
							}
							var err error
							if bc.copyOut {
								_, err = r.ReadAt(buf, off)
							} else {
								_, err = r.Read(ctx, off, bc.req)
							}
							if err != nil && err != io.EOF {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				r.Close()
			}
			s := c.Stats()
			b.ReportMetric(float64(s.Misses)/float64(b.N), "misses/op")
			if s.BypassReads != 0 {
				b.Errorf("%d sequential reads were taken as random", s.BypassReads)
			}
		})
	}
}

// BenchmarkSmallFiles opens and reads whole 64 KiB objects, each a cold miss.
func BenchmarkSmallFiles(b *testing.B) {
	const size = 64 << 10
	data := randomBytes(size)
	c, err := New(Config{Capacity: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	b.SetBytes(size)
	iter := 0
	for b.Loop() {
		iter++
		r := c.NewReader(benchObject(fmt.Sprint("small#", iter), data, 0))
		if p, err := r.Read(ctx, 0, 128<<10); err != nil || len(p) != size {
			b.Fatal(len(p), err)
		}
		r.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkRandom4K makes small random reads in a 256 MiB object: each bypasses the cache.
func BenchmarkRandom4K(b *testing.B) {
	data := randomBytes(256 << 20)
	c, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	r := c.NewReader(benchObject("obj", data, 0))
	defer r.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	b.SetBytes(4 << 10)
	for b.Loop() {
		off := rng.Int64N(int64(len(data))/4096-1) * 4096
		if p, err := r.Read(ctx, off+1, 4<<10); err != nil || len(p) != 4<<10 {
			b.Fatal(len(p), err)
		}
	}
	// A random offset that happens to continue the previous read looks sequential and fetches
	// blocks (1 in 65536 here); later reads may then hit them.
	if s := c.Stats(); float64(s.Misses) > 0.001*float64(b.N) {
		b.Errorf("%d of %d random 4K reads fetched blocks", s.Misses, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}
