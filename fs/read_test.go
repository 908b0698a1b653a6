package fs

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/test/aiscluster"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		out = append(out, n)
	}
	return out
}

func TestClusterTree(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "top.txt", []byte("hello\n"))
	put(t, c, bck, "d1/d2/deep.txt", []byte("deep\n"))
	mnt := testMount(t, Config{Store: c})

	if got := names(t, mnt); !slices.Contains(got, "ais/") {
		t.Fatalf("cluster root = %v, want ais/", got)
	}
	if got := names(t, filepath.Join(mnt, "ais")); !slices.Contains(got, bck.Name+"/") {
		t.Fatalf("ais/ = %v, want %s/", got, bck.Name)
	}
	root := filepath.Join(mnt, "ais", bck.Name)
	if got, want := names(t, root), []string{"d1/", "top.txt"}; !slices.Equal(got, want) {
		t.Fatalf("bucket dir = %v, want %v", got, want)
	}
	mustEqual(t, "deep.txt", readAll(t, filepath.Join(root, "d1/d2/deep.txt")), []byte("deep\n"))
	for _, missing := range []string{"gcp", "ais/no-such-bucket-x", filepath.Join("ais", bck.Name, "nope")} {
		if _, err := os.Stat(filepath.Join(mnt, missing)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stat %s: %v, want ENOENT", missing, err)
		}
	}
}

func TestBucketTreeAndStat(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	objs := map[string]int{"a.txt": 5, "empty": 0, "dir1/b.txt": 100, "dir1/sub/c.bin": 3000, "dir2/x/y/z": 7}
	for name, size := range objs {
		put(t, c, bck, name, randBytes(t, size))
	}
	cs := &countingStore{Store: c}
	mnt := testMount(t, Config{Store: cs, Bucket: bck, FileMode: 0o640, DirMode: 0o750})

	tests := []struct {
		dir  string
		want []string
	}{
		{".", []string{"a.txt", "dir1/", "dir2/", "empty"}},
		{"dir1", []string{"b.txt", "sub/"}},
		{"dir1/sub", []string{"c.bin"}},
		{"dir2/x/y", []string{"z"}},
	}
	for _, tc := range tests {
		if got := names(t, filepath.Join(mnt, tc.dir)); !slices.Equal(got, tc.want) {
			t.Errorf("readdir %s = %v, want %v", tc.dir, got, tc.want)
		}
	}
	headsBefore := cs.heads.Load()
	for name, size := range objs {
		fi, err := os.Stat(filepath.Join(mnt, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != int64(size) || fi.Mode() != 0o640 {
			t.Errorf("stat %s: size %d mode %v, want %d -rw-r-----", name, fi.Size(), fi.Mode(), size)
		}
	}
	if fi, err := os.Stat(filepath.Join(mnt, "dir2/x")); err != nil || fi.Mode() != os.ModeDir|0o750 {
		t.Errorf("stat dir2/x: %v %v, want drwxr-x---", fi.Mode(), err)
	}
	if n := cs.heads.Load() - headsBefore; n != 0 {
		t.Errorf("stat of listed files sent %d HEADs, want 0 (attributes come from the listing)", n)
	}
	if got := readAll(t, filepath.Join(mnt, "empty")); len(got) != 0 {
		t.Errorf("empty object read %d bytes", len(got))
	}
	for _, p := range []string{"nope", "dir1/nope", "a.txt/x", "dir1/sub/c.bi"} {
		if _, err := os.Stat(filepath.Join(mnt, p)); !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("stat %s: %v, want ENOENT", p, err)
		}
	}
}

func TestPrefixMount(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "data/train/a", []byte("A"))
	put(t, c, bck, "data/train/s/b", []byte("B"))
	put(t, c, bck, "data/val/c", []byte("C"))
	mnt := testMount(t, Config{Store: c, Bucket: bck, Prefix: "data/train/"})
	if got, want := names(t, mnt), []string{"a", "s/"}; !slices.Equal(got, want) {
		t.Fatalf("prefix root = %v, want %v", got, want)
	}
	mustEqual(t, "s/b", readAll(t, filepath.Join(mnt, "s/b")), []byte("B"))
}

func TestContentByteExact(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	sizes := []int{1, 4095, 64 << 10, 1<<20 - 1, 1 << 20, 1<<20 + 1, 3<<20 + 12345}
	want := map[string][]byte{}
	for _, n := range sizes {
		name := fmt.Sprintf("obj-%d", n)
		want[name] = randBytes(t, n)
		put(t, c, bck, name, want[name])
	}
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	for name, data := range want {
		mustEqual(t, name, readAll(t, filepath.Join(mnt, name)), data)
	}
}

func TestRandomPreads(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	data := randBytes(t, 9<<20+77)
	put(t, c, bck, "r.bin", data)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	f, err := os.Open(filepath.Join(mnt, "r.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 2<<20)
	for i := 0; i < 300; i++ {
		off := rng.Int64N(int64(len(data)) + 10)
		size := 1 + rng.IntN(len(buf))
		if i%3 == 0 {
			size = 4096
		}
		n, err := f.ReadAt(buf[:size], off)
		if err != nil && err != io.EOF {
			t.Fatalf("pread(%d, %d): %v", off, size, err)
		}
		end := min(off+int64(size), int64(len(data)))
		if off > int64(len(data)) {
			end = off
		}
		if int64(n) != end-off {
			t.Fatalf("pread(%d, %d) = %d bytes, want %d", off, size, n, end-off)
		}
		mustEqual(t, "pread", buf[:n], data[off:end])
	}
}

// TestLargeFile reads a 256 MiB object sequentially and with parallel readers.
func TestLargeFile(t *testing.T) {
	const size, parts = 256 << 20, 4
	c := newClient(t)
	bck := newBucket(t, c)
	src := rand.NewChaCha8([32]byte{7})
	data := make([]byte, size)
	src.Read(data)
	put(t, c, bck, "big/file.bin", data)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	path := filepath.Join(mnt, "big/file.bin")

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if n, err := io.CopyBuffer(h, f, make([]byte, 1<<20)); err != nil || n != size {
		t.Fatalf("sequential read: %d bytes, %v", n, err)
	}
	f.Close()
	if got, want := h.Sum(nil), sha256.Sum256(data); string(got) != string(want[:]) {
		t.Fatal("sequential read: sha256 differs from what was PUT")
	}

	var wg sync.WaitGroup
	errs := make(chan error, parts)
	for p := 0; p < parts; p++ {
		wg.Go(func() {
			f, err := os.Open(path)
			if err != nil {
				errs <- err
				return
			}
			defer f.Close()
			lo, hi := int64(p)*size/parts, int64(p+1)*size/parts
			got := make([]byte, hi-lo)
			if _, err := f.ReadAt(got, lo); err != nil {
				errs <- err
				return
			}
			if string(got) != string(data[lo:hi]) {
				errs <- errors.New("parallel reader: content differs")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestRewriteSeenAfterTTL: another client rewrites an object; once the stat TTL has passed the
// mount serves the new content, never a mix (a read opened on the old version may get ESTALE).
func TestRewriteSeenAfterTTL(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	v1, v2 := randBytes(t, 300<<10), randBytes(t, 200<<10)
	put(t, c, bck, "f", v1)
	mnt := testMount(t, Config{Store: c, Bucket: bck, StatTTL: 200 * time.Millisecond})
	path := filepath.Join(mnt, "f")
	mustEqual(t, "v1", readAll(t, path), v1)
	mustEqual(t, "v1 again", readAll(t, path), v1)

	put(t, c, bck, "f", v2)
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, syscall.ESTALE) {
			t.Fatal(err)
		}
		// ESTALE: opened within the TTL on the old version, which AIS no longer has, the
		// documented answer and not a mix.
		if err == nil && string(got) == string(v2) {
			break
		}
		if err == nil && string(got) != string(v1) {
			t.Fatalf("read a mix of versions: %s", describeMix(got, v1, v2))
		}
		if time.Now().After(deadline) {
			t.Fatal("the rewritten object was still served in its old version long after the TTL")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestOpenOfRewriteTellsKernel: an open that finds the object rewritten makes the kernel forget
// the attributes it still holds for the old version. Otherwise its stale, larger size outlives
// the open: fstat reports it, and readahead past the new end, answered short and out of order,
// pads the new content with zeros up to a page boundary (what TestRewriteSeenAfterTTL caught
// under load). The mount's clock runs ahead of the kernel's: its TTL has passed, the kernel's
// has not.
func TestOpenOfRewriteTellsKernel(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	v1, v2 := randBytes(t, 300<<10), randBytes(t, 200<<10)
	put(t, c, bck, "f", v1)
	clk := &testClock{now: time.Now()}
	mnt := testMount(t, Config{Store: c, Bucket: bck, StatTTL: time.Hour, Now: clk.Now})
	path := filepath.Join(mnt, "f")
	mustEqual(t, "v1", readAll(t, path), v1)
	// From the page cache: the kernel's attributes, atime included, are now valid and stay so.
	mustEqual(t, "v1 again", readAll(t, path), v1)

	put(t, c, bck, "f", v2)
	clk.advance(2 * time.Hour)
	openSeesRewrite(t, path, v1, v2)
}

// openSeesRewrite opens path, rewritten from v1 to v2 in AIS, and checks that fstat through the
// new handle reports v2's size and that the handle reads v2, not a mix.
func openSeesRewrite(t *testing.T, path string, v1, v2 []byte) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != int64(len(v2)) {
		t.Fatalf("fstat after an open of the rewritten %s: size %d, want %d", path, fi.Size(), len(v2))
	}
	got, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(v2) {
		t.Fatalf("read after an open of the rewritten %s: %s", path, describeMix(got, v1, v2))
	}
}

// describeMix says how got relates to two versions of a file: how much of it is a prefix of
// each, and how many bytes at its end are zeros.
func describeMix(got, v1, v2 []byte) string {
	common := func(a, b []byte) int {
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		return i
	}
	zeros := 0
	for zeros < len(got) && got[len(got)-1-zeros] == 0 {
		zeros++
	}
	return fmt.Sprintf("%d bytes (v1 %d, v2 %d); the first %d are v1's, the first %d v2's, the last %d zeros",
		len(got), len(v1), len(v2), common(got, v1), common(got, v2), zeros)
}

// TestLargeDirectoryLookups: past ListLookupMax, lookups probe names one by one and still find
// files and directories and report missing names.
func TestLargeDirectoryLookups(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	for i := 0; i < 12; i++ {
		put(t, c, bck, "f"+string(rune('a'+i)), []byte{byte(i)})
	}
	put(t, c, bck, "zdir/inner", []byte("in"))
	cs := &countingStore{Store: c}
	mnt := testMount(t, Config{Store: cs, Bucket: bck, ListLookupMax: 3})
	mustEqual(t, "fk", readAll(t, filepath.Join(mnt, "fk")), []byte{10})
	if fi, err := os.Stat(filepath.Join(mnt, "zdir")); err != nil || !fi.IsDir() {
		t.Fatalf("stat zdir: %v", err)
	}
	if _, err := os.Stat(filepath.Join(mnt, "fz")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stat fz: %v, want ENOENT", err)
	}
	if cs.heads.Load() == 0 {
		t.Error("lookups in a directory over the list limit sent no HEAD")
	}
	if got := names(t, mnt); len(got) != 13 {
		t.Errorf("readdir of a large directory = %d entries, want 13", len(got))
	}
}

func TestWritesAreEROFS(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "f", []byte("x"))
	put(t, c, bck, "d/g", []byte("y"))
	mnt := testMount(t, Config{Store: c, Bucket: bck, ReadOnly: true})
	p := func(s string) string { return filepath.Join(mnt, s) }
	ops := map[string]func() error{
		"create":   func() error { _, err := os.Create(p("new")); return err },
		"open-w":   func() error { _, err := os.OpenFile(p("f"), os.O_WRONLY, 0); return err },
		"truncate": func() error { return os.Truncate(p("f"), 0) },
		"mkdir":    func() error { return os.Mkdir(p("nd"), 0o755) },
		"remove":   func() error { return os.Remove(p("f")) },
		"rmdir":    func() error { return os.Remove(p("d")) },
		"rename":   func() error { return os.Rename(p("f"), p("f2")) },
		"symlink":  func() error { return os.Symlink("f", p("l")) },
		"chmod":    func() error { return os.Chmod(p("f"), 0o600) },
	}
	for name, op := range ops {
		if err := op(); !errors.Is(err, syscall.EROFS) {
			t.Errorf("%s: %v, want EROFS", name, err)
		}
	}
	mustEqual(t, "f unchanged", readAll(t, p("f")), []byte("x"))
}

// TestUnchangedObjectReadFromMemory: reopening an unchanged object keeps the kernel page cache,
// so a second epoch over a data set sends no GET.
func TestUnchangedObjectReadFromMemory(t *testing.T) {
	aiscluster.KeepPageCache(t)
	c := newClient(t)
	bck := newBucket(t, c)
	data := randBytes(t, 2<<20)
	put(t, c, bck, "epoch.bin", data)
	cs := &countingStore{Store: c}
	// A cache too small to hold the object: only the kernel's page cache can serve it again.
	small, err := cache.New(cache.Config{Capacity: 1 << 20, BlockSize: 1 << 20, MaxReadahead: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(small.Close)
	mnt := testMount(t, Config{Store: cs, Cache: small, Bucket: bck, StatTTL: time.Hour})
	p := filepath.Join(mnt, "epoch.bin")
	mustEqual(t, "first epoch", readAll(t, p), data)
	gets := cs.gets.Load()
	if gets == 0 {
		t.Fatal("the first read sent no GET")
	}
	mustEqual(t, "second epoch", readAll(t, p), data)
	if n := cs.gets.Load() - gets; n != 0 {
		t.Errorf("reading an unchanged object again sent %d GETs, want 0 (kernel page cache kept)", n)
	}
}

// TestRewriteWhileOpenIsESTALE: a handle never mixes versions; once the object it opened was
// rewritten, reads that need AIS fail with ESTALE, and a new open reads the new version.
func TestRewriteWhileOpenIsESTALE(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	v1, v2 := randBytes(t, 4<<20), randBytes(t, 4<<20)
	put(t, c, bck, "f", v1)
	mnt := testMount(t, Config{Store: c, Bucket: bck, StatTTL: time.Millisecond})
	f, err := os.Open(filepath.Join(mnt, "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, 4096)
	if _, err := f.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "v1 head", head, v1[:4096])
	put(t, c, bck, "f", v2)
	tail := make([]byte, 4096)
	if _, err := f.ReadAt(tail, 3<<20); !errors.Is(err, syscall.ESTALE) {
		t.Fatalf("read of a rewritten object through an old handle: %v, want ESTALE", err)
	}
	mustEqual(t, "reopened", readAll(t, filepath.Join(mnt, "f")), v2)
}

// TestDirectIOReads: with DirectIOMin, large files read byte-exact around the page cache.
func TestDirectIOReads(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	data := randBytes(t, 5<<20+333)
	put(t, c, bck, "big", data)
	put(t, c, bck, "small", data[:1000])
	mnt := testMount(t, Config{Store: c, Bucket: bck, DirectIOMin: 1 << 20})
	mustEqual(t, "big", readAll(t, filepath.Join(mnt, "big")), data)
	mustEqual(t, "small", readAll(t, filepath.Join(mnt, "small")), data[:1000])
	f, err := os.Open(filepath.Join(mnt, "big"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 7777)
	for _, off := range []int64{0, 1<<20 - 5, 3 << 20, int64(len(data)) - 100} {
		n, err := f.ReadAt(buf, off)
		if err != nil && err != io.EOF {
			t.Fatalf("pread at %d: %v", off, err)
		}
		mustEqual(t, "pread", buf[:n], data[off:min(off+int64(len(buf)), int64(len(data)))])
	}
	// A shared read-only map (numpy.memmap, Python's mmap) works on a direct I/O file.
	m, err := syscall.Mmap(int(f.Fd()), 0, len(data), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatalf("mmap MAP_SHARED of a direct I/O file: %v", err)
	}
	defer syscall.Munmap(m)
	mustEqual(t, "mmap", m, data)
}

// TestReadAfterUnlink: AIS removes an unlinked object at once, so a handle open on it can read
// only what the caches hold; the rest fails with ESTALE (the handle is no longer any good), not
// ENOENT, which would say the open's path does not exist.
func TestReadAfterUnlink(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	data := randBytes(t, 32<<20)
	put(t, c, bck, "a", data)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	f, err := os.Open(filepath.Join(mnt, "a"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.ReadFull(f, make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(mnt, "a")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(f); !errors.Is(err, syscall.ESTALE) {
		t.Fatalf("read of the rest after the unlink: %v, want ESTALE", err)
	}
	if _, err := f.Stat(); err != nil {
		t.Errorf("fstat after the unlink: %v", err)
	}
}
