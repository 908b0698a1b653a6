package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Workloads 5 and 6: writes through the mount (close returns once the object is stored) against
// direct PUTs through the proxy. Every written object is checked by its listed size after the
// timed part, then deleted.

// BenchmarkSeqWrite: 1 GiB written in 1 MiB writes, then close, against one streaming PUT.
func BenchmarkSeqWrite(b *testing.B) {
	if !once(b) {
		return
	}
	e := newEnv(b)
	size := int64(envInt("AISFS_BENCH_LARGE", 1<<30))
	e.clean(b, "wseq-")
	r := result(5, fmt.Sprintf("sequential write, %s in 1 MiB writes + close", sizeName(size)), "MB/s")
	ctx := context.Background()
	for run := range runs() {
		inOrder(run, func() {
			o := obj{name: fmt.Sprintf("wseq-run%d-direct", run), k: 2, size: size}
			measureDirect(b, r, &r.proxy, func() error {
				return e.d.put(ctx, o.name, o.size, func() io.Reader { return newGen(o.k, o.size) })
			}, mbps(size))
			e.checkWritten(b, "wseq-", []obj{o})
		}, func() {
			o := obj{name: fmt.Sprintf("wseq-run%d-aisfs", run), k: 2, size: size}
			e.measure(b, r, label(b, run, "aisfs"), nil, func(dir string) error {
				return writeFile(filepath.Join(dir, o.name), o, 1<<20)
			}, mbps(size))
			e.checkWritten(b, "wseq-", []obj{o})
		})
	}
}

// writeFile creates a new file with object o's content in writes of chunk bytes, then closes it.
func writeFile(path string, o obj, chunk int) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	buf := make([]byte, chunk)
	for off := int64(0); off < o.size; off += int64(chunk) {
		p := buf[:min(int64(chunk), o.size-off)]
		contentAt(o.k, off, p)
		if _, err := f.Write(p); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// BenchmarkSmallWrite: 2,000 new files of 64 KiB, 16 writers, against 16 parallel PUTs.
func BenchmarkSmallWrite(b *testing.B) {
	if !once(b) {
		return
	}
	const writers, size = 16, 64 << 10
	n := envInt("AISFS_BENCH_WRITES", 2000)
	e := newEnv(b)
	e.clean(b, "wsmall/")
	r := result(6, fmt.Sprintf("%s new 64 KiB files, %d writers", count(n), writers), "files/s")
	ctx := context.Background()
	objsIn := func(prefix string) []obj {
		objs := make([]obj, n)
		for i := range objs {
			objs[i] = obj{name: fmt.Sprintf("%sf%05d", prefix, i), k: 3_000_000 + uint64(i), size: size}
		}
		return objs
	}
	for run := range runs() {
		// A new directory each time: AIS keeps a directory whose objects were deleted as a
		// "ghost" that a later mkdir would find existing.
		nonce := time.Now().UnixNano()
		inOrder(run, func() {
			prefix := fmt.Sprintf("wsmall/%d-run%d-direct/", nonce, run)
			objs := objsIn(prefix)
			measureDirect(b, r, &r.proxy, func() error {
				return parallel(writers, n, func(i int) error {
					o := objs[i]
					return e.d.put(ctx, o.name, o.size, func() io.Reader { return newGen(o.k, o.size) })
				})
			}, perSec(n))
			e.checkWritten(b, prefix, objs)
		}, func() {
			prefix := fmt.Sprintf("wsmall/%d-run%d-aisfs/", nonce, run)
			objs := objsIn(prefix)
			e.measure(b, r, label(b, run, "aisfs"), func(dir string) error {
				return os.MkdirAll(filepath.Join(dir, prefix), 0o755)
			}, func(dir string) error {
				return parallel(writers, n, func(i int) error {
					return writeFile(filepath.Join(dir, objs[i].name), objs[i], size)
				})
			}, perSec(n))
			e.checkWritten(b, prefix, objs)
		})
	}
}

// checkWritten lists prefix, checks every object of objs is there with its size, and deletes
// them (untimed).
func (e *env) checkWritten(b *testing.B, prefix string, objs []obj) {
	b.Helper()
	ctx := context.Background()
	have := map[string]int64{}
	err := e.d.list(ctx, prefix, "name,size", false, func(ents []entry) error {
		for _, en := range ents {
			have[en.Name], _ = strconv.ParseInt(en.Size, 10, 64)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, o := range objs {
		if sz, ok := have[o.name]; !ok || sz != o.size {
			b.Fatalf("written %s: listed %v size %d, want size %d", o.name, ok, sz, o.size)
		}
	}
	if err := parallel(16, len(objs), func(i int) error { return e.d.delete(ctx, objs[i].name) }); err != nil {
		b.Fatal(err)
	}
}

// clean deletes whatever an interrupted earlier run left under prefix.
func (e *env) clean(b *testing.B, prefix string) {
	b.Helper()
	ctx := context.Background()
	var names []string
	err := e.d.list(ctx, prefix, "name", false, func(ents []entry) error {
		for _, en := range ents {
			if en.Flags&256 == 0 { // not a virtual directory
				names = append(names, en.Name)
			}
		}
		return nil
	})
	if err == nil {
		err = parallel(16, len(names), func(i int) error { return e.d.delete(ctx, names[i]) })
	}
	if err != nil {
		b.Fatal(err)
	}
}
