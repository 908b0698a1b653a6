package disk

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/aisfs/aisfs/cache"
)

var _ cache.Tier = (*Cache)(nil)

const bs = 64 << 10 // block size of these tests

func open(t *testing.T, dir string, size int64) *Cache {
	t.Helper()
	c, err := Open(Config{Dir: dir, Size: size, BlockSize: bs, Holder: "test " + t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func block(key string, idx int64) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("%s/%d;", key, idx)), bs)[:bs]
}

// store offers blocks and checks that each done runs exactly once.
func store(t *testing.T, c *Cache, key string, idxs ...int64) {
	t.Helper()
	for _, i := range idxs {
		var calls atomic.Int32
		c.Store(key, i, block(key, i), false, func() {
			if calls.Add(1) != 1 {
				t.Errorf("done of %s/%d called twice", key, i)
			}
		})
	}
}

func load(c *Cache, key string, idx int64) ([]byte, bool) {
	p := make([]byte, bs)
	ok := c.Load(key, idx, p)
	return p, ok
}

// blockFiles returns the number and size, as the bound counts it, of every file below DIR/v2
// (temp files included).
func blockFiles(t *testing.T, dir string) (n int, bytes int64) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join(dir, "v2"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n++
		bytes += (fi.Size() + fileAlign - 1) / fileAlign * fileAlign
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, bytes
}

// fileOf is the path of the segment file holding block idx of key.
func fileOf(t *testing.T, c *Cache, dir, key string, idx int64) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.blocks[blockID{key, idx}]
	if f == nil {
		t.Fatalf("block %s/%d is not held", key, idx)
	}
	return filepath.Join(dir, "v2", f.name)
}

// oneBlockFile is the size of a segment file of one block of a short key.
const oneBlockFile = bs + fileAlign

func TestRoundTripAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir, 1<<20)
	if _, ok := load(c, "k", 0); ok {
		t.Fatal("an empty cache had a block")
	}
	store(t, c, "k", 0, 1, 2)
	c.Close() // writes what was queued
	c = open(t, dir, 1<<20)
	defer c.Close()
	for i := range int64(3) {
		got, ok := load(c, "k", i)
		if !ok || !bytes.Equal(got, block("k", i)) {
			t.Fatalf("block %d after reopen: ok=%v, right bytes=%v", i, ok, bytes.Equal(got, block("k", i)))
		}
	}
	if _, ok := load(c, "other version of k", 0); ok {
		t.Fatal("a block was served for another key")
	}
	s := c.Stats()
	if s.Hits != 3 || s.Misses != 1 || s.ReadBytes != 3*bs || s.Blocks != 3 || !s.Enabled {
		t.Fatalf("stats %+v", s)
	}
}

// TestReopenAtAnotherSize: a cache under 128 MiB has fewer slots per segment, so a segment file
// written at one size holds other blocks at another. Reopened at another size, no block is served
// as another's (each passed its own checksum, so only the geometry can tell).
func TestReopenAtAnotherSize(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir, 2<<20) // 8 slots per segment: blocks 8 and 9 are segment 1's slots 0 and 1
	store(t, c, "k", 8, 9)
	c.Close()
	c = open(t, dir, 1<<20) // 4 slots per segment: segment 1 would be blocks 4 to 7
	defer c.Close()
	for i := range int64(16) {
		if got, ok := load(c, "k", i); ok && !bytes.Equal(got, block("k", i)) {
			t.Fatalf("block %d after reopening at another size holds another block's bytes", i)
		}
	}
}

// TestDamagedFiles: every way a segment file can go wrong on disk is caught (at Open for
// its trailer, at Load for its data), the file is removed and its blocks are misses. A block
// whose data is damaged goes alone: the file's other blocks are checked on their own.
func TestDamagedFiles(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(path, other string) error
		kept   []bool // blocks 0 and 1 still served; nil: neither, and the file is gone
		errs   int64
	}{
		{"flipped data byte", func(p, _ string) error { return flip(p, 100) }, []bool{false, true}, 1},
		{"both blocks' data", func(p, _ string) error {
			return errors.Join(flip(p, 100), flip(p, bs+100))
		}, nil, 2},
		{"flipped trailer byte", func(p, _ string) error { return flip(p, 2*bs+12) }, nil, 1},
		{"flipped footer byte", func(p, _ string) error { return flip(p, -10) }, nil, 1},
		{"truncated in the data", func(p, _ string) error { return os.Truncate(p, bs+10) }, nil, 1},
		{"truncated in the trailer", func(p, _ string) error { return os.Truncate(p, 2*bs+100) }, nil, 1},
		{"empty", func(p, _ string) error { return os.Truncate(p, 0) }, nil, 1},
		{"grown", func(p, _ string) error {
			f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			if err == nil {
				_, err = f.Write([]byte("x"))
				f.Close()
			}
			return err
		}, nil, 1},
		{"another key's file", func(p, other string) error { return os.Rename(other, p) }, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := open(t, dir, 1<<20)
			store(t, c, "k", 0, 1)
			store(t, c, "other", 0)
			c.Close()
			c = open(t, dir, 1<<20)
			path, other := fileOf(t, c, dir, "k", 0), fileOf(t, c, dir, "other", 0)
			c.Close()
			if err := tc.damage(path, other); err != nil {
				t.Fatal(err)
			}
			c = open(t, dir, 1<<20)
			defer c.Close()
			hits := int64(0)
			for i := range int64(2) {
				want := tc.kept != nil && tc.kept[i]
				got, ok := load(c, "k", i)
				if ok != want || (ok && !bytes.Equal(got, block("k", i))) {
					t.Fatalf("block %d: served=%v, want %v (right bytes: %v)", i, ok, want, bytes.Equal(got, block("k", i)))
				}
				if ok {
					hits++
				}
			}
			if _, err := os.Stat(path); (tc.kept == nil) != errors.Is(err, os.ErrNotExist) {
				t.Errorf("the damaged file: %v, want it gone=%v", err, tc.kept == nil)
			}
			if s := c.Stats(); s.Errors != tc.errs || s.Hits != hits {
				t.Errorf("stats %+v, want %d errors, %d hits", s, tc.errs, hits)
			}
		})
	}
}

// TestVanishedFile: a file gone between the lookup and the open (evicted by a writer, or
// removed by hand) is a plain miss, not an error, and leaves the index.
func TestVanishedFile(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir, 1<<20)
	store(t, c, "k", 0)
	c.Close()
	c = open(t, dir, 1<<20)
	defer c.Close()
	os.Remove(fileOf(t, c, dir, "k", 0))
	if _, ok := load(c, "k", 0); ok {
		t.Fatal("a removed file was served")
	}
	if s := c.Stats(); s.Errors != 0 || s.Misses != 1 || s.Blocks != 0 || s.Bytes != 0 {
		t.Fatalf("stats %+v: want one miss, no error, nothing held", s)
	}
}

func flip(path string, off int64) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if off < 0 {
		fi, _ := f.Stat()
		off += fi.Size()
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		return err
	}
	b[0] ^= 0x40
	_, err = f.WriteAt(b, off)
	return err
}

// TestSizeBoundAndRecency: the files stay within the size while 1.5 times as much is
// stored, the least recently used go first, and recency survives a reopen through mtimes.
// Each key has one block here, so each file is one block.
func TestSizeBoundAndRecency(t *testing.T) {
	dir := t.TempDir()
	limit := int64(8 * oneBlockFile)
	key := func(i int) string { return "k" + strconv.Itoa(i) }
	c := open(t, dir, limit)
	for i := range 8 {
		store(t, c, key(i), 0)
	}
	c.Close()
	c = open(t, dir, limit)
	paths := make([]string, 8)
	for i := range paths {
		paths[i] = fileOf(t, c, dir, key(i), 0)
	}
	c.Close()
	old := time.Now().Add(-time.Hour)
	for i, p := range paths { // oldest first: 0 < 1 < ... < 7
		os.Chtimes(p, old, old.Add(time.Duration(i)*time.Second))
	}
	// Make block 0 the most recent one the way a read does, through its mtime, then reopen:
	// the order must come from the files.
	c = open(t, dir, limit)
	if _, ok := load(c, key(0), 0); !ok {
		t.Fatal("block 0 missing")
	}
	c.Close()
	c = open(t, dir, limit)
	for i := 8; i < 12; i++ { // 12 blocks stored in all: 1.5 times the size
		store(t, c, key(i), 0)
	}
	c.Close()
	if n, b := blockFiles(t, dir); b > limit || n != 8 {
		t.Fatalf("%d files of %d bytes, want 8 within %d", n, b, limit)
	}
	c = open(t, dir, limit)
	defer c.Close()
	for i, want := range []bool{true, false, false, false, false, true, true, true, true, true, true, true} {
		if _, ok := load(c, key(i), 0); ok != want {
			t.Errorf("block of %s held=%v, want %v", key(i), ok, want)
		}
	}
	// A smaller size at the next open evicts down to it.
	c.Close()
	c = open(t, dir, 3*oneBlockFile)
	if s := c.Stats(); s.Blocks != 3 || s.Bytes > 3*oneBlockFile {
		t.Fatalf("after reopening smaller: %+v", s)
	}
}

func TestLeftoversOfACrashAreRemoved(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir, 1<<20)
	c.Close()
	tmp := filepath.Join(dir, "v2", "tmp", "seg-123")
	if err := os.WriteFile(tmp, block("k", 0), 0o600); err != nil {
		t.Fatal(err)
	}
	c = open(t, dir, 1<<20)
	defer c.Close()
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a half-written temp file survived Open: %v", err)
	}
}

func TestBadDirectories(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	locked := t.TempDir()
	holder, err := Open(Config{Dir: locked, Size: 1 << 20, BlockSize: bs, Holder: "the mount of ais://x at /mnt/x"})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	mnt := t.TempDir()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"not a directory", Config{Dir: file}, "is not a directory"},
		{"below a file", Config{Dir: file + "/sub"}, "not a directory"},
		{"proc", Config{Dir: "/proc/self"}, "on proc, a pseudo filesystem"},
		{"sysfs", Config{Dir: "/sys/kernel"}, "on sysfs, a pseudo filesystem"},
		{"smaller than a block", Config{Dir: t.TempDir(), Size: bs}, "smaller than one block"},
		{"inside the mountpoint", Config{Dir: mnt + "/cache", Mountpoint: mnt}, "inside the mountpoint"},
		{"locked by another mount", Config{Dir: locked}, "in use by pid " + strconv.Itoa(os.Getpid()) + ", the mount of ais://x at /mnt/x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.BlockSize = bs
			if cfg.Size == 0 {
				cfg.Size = 1 << 20
			}
			c, err := Open(cfg)
			if err == nil {
				c.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, ErrUnusable) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Open: %v, want one line with %q", err, tc.want)
			}
		})
	}
}

// requireRoot skips a test that mounts or sets attributes, except under CI=true.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatal("CI=true, so this fails instead of skipping: needs root")
	}
	t.Skip("needs root")
}

func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	requireRoot(t)
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Fatalf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

func TestReadOnlyAndUnwritableDirectories(t *testing.T) {
	ro := mountTmpfs(t, "size=1m")
	if err := unix.Mount("", ro, "", unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Config{Dir: ro, Size: 1 << 20, BlockSize: bs}); err == nil || !strings.Contains(err.Error(), "read-only filesystem") {
		t.Errorf("read-only tmpfs: %v", err)
	}
	// Root passes permission bits, not an immutable directory (ext4, xfs, btrfs... not tmpfs).
	immutable := filepath.Join(t.TempDir(), "imm")
	os.Mkdir(immutable, 0o700)
	if out, err := exec.Command("chattr", "+i", immutable).CombinedOutput(); err != nil {
		t.Skipf("chattr +i: %v %s", err, out)
	}
	defer exec.Command("chattr", "-i", immutable).Run()
	if _, err := Open(Config{Dir: immutable, Size: 1 << 20, BlockSize: bs}); err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Errorf("immutable directory: %v", err)
	}
}

// TestFullDiskTurnsItOff: a tmpfs smaller than the configured size fills up; the cache turns
// itself off with one log line, serves nothing more, and every done still runs.
func TestFullDiskTurnsItOff(t *testing.T) {
	dir := mountTmpfs(t, "size=512k")
	var log bytes.Buffer
	c, err := Open(Config{Dir: dir, Size: 64 << 20, BlockSize: bs, Logger: newLogger(&log)})
	if err != nil {
		t.Fatal(err)
	}
	var dones atomic.Int32
	for i := range int64(32) { // 2 MiB into 512 KiB
		c.Store("k", i, block("k", i), false, func() { dones.Add(1) })
	}
	c.Close()
	if dones.Load() != 32 {
		t.Fatalf("%d of 32 done calls", dones.Load())
	}
	s := c.Stats()
	if s.Enabled || s.Errors < 1 || s.WrittenBytes >= 32*bs {
		t.Fatalf("stats %+v: want off after a failed write", s)
	}
	if n := strings.Count(log.String(), "disk cache off"); n != 1 || !strings.Contains(log.String(), "no space left on device") {
		t.Fatalf("log has %d 'disk cache off' lines, want 1 naming ENOSPC:\n%s", n, log.String())
	}
	if _, ok := load(c, "k", 0); ok {
		t.Fatal("a cache that is off served a block")
	}
	if n, _ := blockFiles(t, dir); n != 0 {
		t.Fatalf("%d files after the failed segment: it was left behind", n)
	}
}
