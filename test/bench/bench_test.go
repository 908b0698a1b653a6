package bench

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aisfs/aisfs/aisclient"
)

// BenchmarkLargeRead reads one large object start to end.
func BenchmarkLargeRead(b *testing.B) {
	size := envInt("AISFS_BENCH_LARGE", 1<<30)
	e := newEnv(b)
	e.ensure(b, "large/", 1, size)
	name := objName("large/", 0)
	b.Run("client", func(b *testing.B) {
		b.SetBytes(int64(size))
		buf := make([]byte, 1<<20)
		for b.Loop() {
			r, _, err := e.c.GetObject(context.Background(), e.bck, name)
			if err != nil {
				b.Fatal(err)
			}
			if n, err := drain(r, buf); err != nil || n != int64(size) {
				b.Fatalf("read %d bytes: %v", n, err)
			}
			r.Close()
		}
	})
	b.Run("aisfs", func(b *testing.B) {
		dir := e.mount(b)
		b.SetBytes(int64(size))
		buf := make([]byte, 1<<20)
		for b.Loop() {
			f, err := os.Open(filepath.Join(dir, name))
			if err != nil {
				b.Fatal(err)
			}
			if n, err := drain(f, buf); err != nil || n != int64(size) {
				b.Fatalf("read %d bytes: %v", n, err)
			}
			f.Close()
		}
	})
}

// BenchmarkSmallFiles reads many 64 KiB objects with 16 parallel readers.
func BenchmarkSmallFiles(b *testing.B) {
	const size, readers = 64 << 10, 16
	n := envInt("AISFS_BENCH_FILES", 10000)
	e := newEnv(b)
	e.ensure(b, "small/", n, size)
	run := func(b *testing.B, read func(i int, buf []byte) error) {
		for b.Loop() {
			var next atomic.Int64
			var wg sync.WaitGroup
			var failed atomic.Value
			for r := 0; r < readers; r++ {
				wg.Go(func() {
					buf := make([]byte, size+1)
					for {
						i := int(next.Add(1) - 1)
						if i >= n {
							return
						}
						if err := read(i, buf); err != nil {
							failed.Store(err)
							return
						}
					}
				})
			}
			wg.Wait()
			if err, _ := failed.Load().(error); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
		b.SetBytes(int64(n) * size)
	}
	b.Run("client", func(b *testing.B) {
		run(b, func(i int, buf []byte) error {
			r, _, err := e.c.GetObject(context.Background(), e.bck, objName("small/", i))
			if err != nil {
				return err
			}
			defer r.Close()
			_, err = io.ReadFull(r, buf[:size])
			return err
		})
	})
	readFile := func(dir string) func(i int, buf []byte) error {
		return func(i int, buf []byte) error {
			f, err := os.Open(filepath.Join(dir, objName("small/", i)))
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.ReadFull(f, buf[:size])
			return err
		}
	}
	b.Run("aisfs", func(b *testing.B) {
		run(b, readFile(e.mount(b)))
	})
	b.Run("aisfs-biglist", func(b *testing.B) {
		run(b, readFile(e.mount(b, "--list-lookup-max", "100000")))
	})
	// A second epoch over the same files: served from the kernel page cache.
	b.Run("aisfs-epoch2", func(b *testing.B) {
		dir := e.mount(b)
		for i := 0; i < n; i++ {
			if err := readFile(dir)(i, make([]byte, size)); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		run(b, readFile(dir))
	})
}

// BenchmarkRandomRead4K does 4 KiB reads at random offsets of a 1 GiB-class object, 8 readers.
func BenchmarkRandomRead4K(b *testing.B) {
	const readers, perReader = 8, 2000
	size := envInt("AISFS_BENCH_LARGE", 1<<30)
	e := newEnv(b)
	e.ensure(b, "large/", 1, size)
	name := objName("large/", 0)
	run := func(b *testing.B, read func(buf []byte, off int64) error) {
		for b.Loop() {
			var wg sync.WaitGroup
			var failed atomic.Value
			for r := 0; r < readers; r++ {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(r), 9))
					buf := make([]byte, 4096)
					for i := 0; i < perReader; i++ {
						if err := read(buf, rng.Int64N(int64(size)/4096)*4096); err != nil {
							failed.Store(err)
							return
						}
					}
				})
			}
			wg.Wait()
			if err, _ := failed.Load().(error); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(readers*perReader)*float64(b.N)/b.Elapsed().Seconds(), "reads/s")
	}
	b.Run("client", func(b *testing.B) {
		run(b, func(buf []byte, off int64) error {
			_, _, err := e.c.GetRange(context.Background(), e.bck, name, off, buf)
			return err
		})
	})
	b.Run("aisfs", func(b *testing.B) {
		dir := e.mount(b)
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		run(b, func(buf []byte, off int64) error {
			_, err := f.ReadAt(buf, off)
			return err
		})
	})
}

// BenchmarkList lists one directory of many objects: names and sizes.
func BenchmarkList(b *testing.B) {
	n := envInt("AISFS_BENCH_LIST", 100000)
	e := newEnv(b)
	e.ensure(b, "list/", n, 1)
	b.Run("client", func(b *testing.B) {
		for b.Loop() {
			ents, _, err := e.c.ListObjects(context.Background(), e.bck, aisclient.ListOptions{
				Prefix: "list/", NoRecursion: true, Props: []string{"name", "size"},
			})
			if err != nil || len(ents) != n {
				b.Fatalf("listed %d: %v", len(ents), err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	})
	b.Run("aisfs", func(b *testing.B) {
		dir := e.mount(b)
		for b.Loop() {
			// ls -l: readdir plus a stat of every entry.
			ents, err := os.ReadDir(filepath.Join(dir, "list"))
			if err != nil || len(ents) != n {
				b.Fatalf("listed %d: %v", len(ents), err)
			}
			for _, de := range ents {
				if _, err := de.Info(); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	})
}

// drain reads r to its end in len(buf) reads, as an application with a 1 MiB buffer does.
// (io.Copy into io.Discard would read 8 KiB at a time.)
func drain(r io.Reader, buf []byte) (int64, error) {
	var total int64
	for {
		n, err := r.Read(buf)
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
