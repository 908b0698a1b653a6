package diskcache

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const block = 1 << 20 // aisfs's default --block-size

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// dataset puts objects of assorted sizes (several blocks, one, less, an odd tail) and returns
// their contents by name.
func (e *env) dataset(t *testing.T, sizes ...int) map[string][]byte {
	t.Helper()
	objs := map[string][]byte{}
	for i, n := range sizes {
		name := "d/obj" + string(rune('a'+i))
		objs[name] = randBytes(n)
		e.put(t, name, objs[name])
	}
	return objs
}

// readAll reads every object through the mount and checks its bytes.
func readAll(t *testing.T, mnt string, objs map[string][]byte) {
	t.Helper()
	for name, want := range objs {
		got, err := os.ReadFile(filepath.Join(mnt, name))
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: read %d bytes that differ from the %d in AIS", name, len(got), len(want))
		}
	}
}

func total(objs map[string][]byte) (n int64) {
	for _, b := range objs {
		n += int64(len(b))
	}
	return n
}

// blockFiles lists the files the disk cache keeps (temp files included) and their bytes, as
// its size bound counts them (4 KiB units).
func blockFiles(t *testing.T, dir string) (files []string, size int64) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join(dir, "v2"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if errors.Is(err, os.ErrNotExist) {
			return nil // evicted or renamed while we walked
		}
		if err != nil {
			return err
		}
		files = append(files, p)
		size += (fi.Size() + 4095) / 4096 * 4096
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, size
}

// TestRemountReadsFromDisk: a second epoch after a remount and drop_caches is served from the
// disk cache: the target serves not one byte of it, while the first epoch cost all of them.
func TestRemountReadsFromDisk(t *testing.T) {
	e := newEnv(t)
	objs := e.dataset(t, 5*block+123, block, 100<<10, 2*block)
	dir := t.TempDir()
	flags := []string{"--disk-cache", dir, "--disk-cache-size", "64MiB"}

	before := e.servedBytes(t)
	m := e.mount(t, flags...)
	readAll(t, m.dir, objs)
	m.stop(t)
	if got := e.servedBytes(t) - before; got < total(objs) {
		t.Fatalf("the first epoch cost the target %d bytes, want at least the %d read: is the counter right?", got, total(objs))
	}
	if files, _ := blockFiles(t, dir); len(files) != 4 {
		t.Errorf("%d cache files for 4 objects of at most 6 blocks, want one segment file each: %v", len(files), files)
	}

	for epoch := 2; epoch <= 3; epoch++ {
		dropCaches(t)
		before = e.servedBytes(t)
		m = e.mount(t, flags...)
		readAll(t, m.dir, objs)
		m.stop(t)
		if got := e.servedBytes(t) - before; got != 0 {
			t.Fatalf("epoch %d after a remount: the target served %d bytes, want 0 (all from disk)", epoch, got)
		}
	}
}

// TestRewrittenObjectIsFresh: an object rewritten out of band, in place and with the same
// size, is read in its new version, after a remount and within one mount.
func TestRewrittenObjectIsFresh(t *testing.T) {
	e := newEnv(t)
	const name = "d/obj"
	v1 := randBytes(3*block + 7)
	e.put(t, name, v1)
	dir := t.TempDir()
	flags := []string{"--disk-cache", dir, "--disk-cache-size", "64MiB", "--stat-ttl", "100ms"}
	m := e.mount(t, flags...)
	readAll(t, m.dir, map[string][]byte{name: v1})
	m.stop(t)

	v2 := randBytes(len(v1))
	e.put(t, name, v2)
	dropCaches(t)
	before := e.servedBytes(t)
	m = e.mount(t, flags...)
	readAll(t, m.dir, map[string][]byte{name: v2})
	if got := e.servedBytes(t) - before; got < int64(len(v2)) {
		t.Errorf("the rewritten object cost the target %d bytes, want its %d: old blocks served?", got, len(v2))
	}
	// And within this mount, now that v2 is on disk too: an open after the stat TTL revalidates.
	v3 := randBytes(len(v1))
	e.put(t, name, v3)
	time.Sleep(300 * time.Millisecond) // past --stat-ttl
	readAll(t, m.dir, map[string][]byte{name: v3})
}

// TestDamagedFileIsRefetched: a cache file damaged while aisfs was down is detected, the read
// returns AIS's bytes, and the block is cached again.
func TestDamagedFileIsRefetched(t *testing.T) {
	e := newEnv(t)
	objs := e.dataset(t, 2*block, 2*block)
	dir := t.TempDir()
	flags := []string{"--disk-cache", dir, "--disk-cache-size", "64MiB"}
	m := e.mount(t, flags...)
	readAll(t, m.dir, objs)
	m.stop(t)

	files, _ := blockFiles(t, dir)
	if len(files) != 2 {
		t.Fatalf("%d cache files, want 2 (one segment per object)", len(files))
	}
	damage := []func(string) error{
		func(p string) error { return flipByte(p, 1000) },      // a data byte
		func(p string) error { return os.Truncate(p, 100000) }, // cut short
	}
	for i, d := range damage {
		if err := d(files[i]); err != nil {
			t.Fatal(err)
		}
	}
	dropCaches(t)
	before := e.servedBytes(t)
	m = e.mount(t, flags...)
	readAll(t, m.dir, objs)
	m.stop(t)
	// The flipped byte costs its block (the file's other block checks out on its own); the
	// truncated file loses its trailer, so both its blocks.
	if got := e.servedBytes(t) - before; got != 3*block {
		t.Errorf("the target served %d bytes, want the 3 damaged blocks (%d)", got, 3*block)
	}
	if n := strings.Count(m.logText(t), "disk cache: dropped"); n != 2 {
		t.Errorf("%d log lines about dropped cache files or blocks, want 2", n)
	}
	before = e.servedBytes(t)
	m = e.mount(t, flags...)
	readAll(t, m.dir, objs)
	m.stop(t)
	if got := e.servedBytes(t) - before; got != 0 {
		t.Errorf("after the refetch the target still served %d bytes, want 0", got)
	}
}

func flipByte(path string, off int64) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		return err
	}
	b[0] ^= 0xff
	_, err = f.WriteAt(b, off)
	return err
}

// TestSizeBound: while a dataset 1.5 times the disk cache is read, its files never take more
// than the size; the blocks read last are the ones kept.
func TestSizeBound(t *testing.T) {
	e := newEnv(t)
	const size = 16 * block
	var sizes []int
	for range 12 {
		sizes = append(sizes, 2*block) // 24 blocks into room for 16 (less the trailers)
	}
	objs := e.dataset(t, sizes...)
	dir := t.TempDir()
	m := e.mount(t, "--disk-cache", dir, "--disk-cache-size", "16MiB")
	stop := make(chan struct{})
	over := make(chan int64, 1)
	go func() { // watch the bound while reads go on
		defer close(over)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			if _, n := blockFiles(t, dir); n > size {
				over <- n
				return
			}
		}
	}()
	for _, name := range []string{"d/obja", "d/objb", "d/objc", "d/objd", "d/obje", "d/objf", "d/objg", "d/objh", "d/obji", "d/objj", "d/objk", "d/objl"} {
		readAll(t, m.dir, map[string][]byte{name: objs[name]})
		if _, n := blockFiles(t, dir); n > size {
			t.Fatalf("after reading %s the disk cache holds %d bytes, more than its %d", name, n, size)
		}
	}
	m.stop(t)
	close(stop)
	if n, ok := <-over; ok {
		t.Fatalf("the disk cache held %d bytes while reads went on, more than its %d", n, size)
	}
	files, n := blockFiles(t, dir)
	if n > size || len(files) < 6 { // files of 2 blocks (one segment per object)
		t.Fatalf("%d files of %d bytes after the epoch: want within %d and most of it used", len(files), n, size)
	}
	// The last files read are on disk: reading them again costs the target nothing.
	dropCaches(t)
	recent := map[string][]byte{"d/objk": objs["d/objk"], "d/objl": objs["d/objl"]}
	before := e.servedBytes(t)
	m = e.mount(t, "--disk-cache", dir, "--disk-cache-size", "16MiB")
	readAll(t, m.dir, recent)
	if got := e.servedBytes(t) - before; got != 0 {
		t.Errorf("re-reading the most recent files cost the target %d bytes, want 0", got)
	}
}
