package fs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/test/aiscluster"
	"github.com/aisfs/aisfs/writeback"
)

// object returns what AIS holds for name.
func object(t *testing.T, c *aisclient.Client, bck aisclient.Bck, name string) []byte {
	t.Helper()
	r, _, err := c.GetObject(t.Context(), bck, name)
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWriteRoundTrip(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	for _, size := range []int{0, 1, 4096, 1<<20 - 1, 1<<20 + 1, 5<<20 + 3} {
		data := randBytes(t, size)
		name := "dir/f" + strings.Repeat("x", size%7)
		name = filepath.Join("rt", string(rune('a'+size%26))+name)
		p := filepath.Join(mnt, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o640); err != nil {
			t.Fatalf("write %d bytes: %v", size, err)
		}
		mustEqual(t, "AIS copy", object(t, c, bck, name), data)
		mustEqual(t, "read back", readAll(t, p), data)
		fi, err := os.Stat(p)
		if err != nil || fi.Size() != int64(size) || fi.Mode() != 0o640 {
			t.Fatalf("stat after write: %v %v", fi, err)
		}
	}
}

func TestTouchCreatesEmptyObject(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "keep", []byte("old"))
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	f, err := os.Create(filepath.Join(mnt, "empty"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if a, err := c.HeadObject(t.Context(), bck, "empty"); err != nil || a.Size != 0 {
		t.Fatalf("head empty: %+v %v", a, err)
	}
	// Opened for writing and never written: nothing is uploaded.
	before, _ := c.HeadObject(t.Context(), bck, "keep")
	f, err = os.OpenFile(filepath.Join(mnt, "keep"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	after, _ := c.HeadObject(t.Context(), bck, "keep")
	if after.Version != before.Version {
		t.Errorf("an unwritten open rewrote the object (version %s -> %s)", before.Version, after.Version)
	}
}

// TestRandomWrites applies the same random writes to the mount and a local file.
func TestRandomWrites(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	base := randBytes(t, 3<<20)
	put(t, c, bck, "edit.bin", base)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	ref := filepath.Join(t.TempDir(), "ref")
	os.WriteFile(ref, base, 0o644)

	mf, err := os.OpenFile(filepath.Join(mnt, "edit.bin"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	rf, _ := os.OpenFile(ref, os.O_RDWR, 0)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200; i++ {
		off := rng.Int64N(4 << 20)
		chunk := randBytes(t, 1+rng.IntN(64<<10))
		if _, err := mf.WriteAt(chunk, off); err != nil {
			t.Fatalf("pwrite: %v", err)
		}
		rf.WriteAt(chunk, off)
		if i%50 == 0 {
			// Reads of the open handle see the writes.
			got, want := make([]byte, 1000), make([]byte, 1000)
			mf.ReadAt(got, off)
			rf.ReadAt(want, off)
			mustEqual(t, "read own write", got, want)
		}
	}
	if err := mf.Truncate(3<<20 + 5); err != nil {
		t.Fatal(err)
	}
	rf.Truncate(3<<20 + 5)
	if err := mf.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	rf.Close()
	want, _ := os.ReadFile(ref)
	mustEqual(t, "AIS after random writes", object(t, c, bck, "edit.bin"), want)
	mustEqual(t, "reopened", readAll(t, filepath.Join(mnt, "edit.bin")), want)
}

func TestAppendAndTruncate(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "log", []byte("one\n"))
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	p := filepath.Join(mnt, "log")
	for _, line := range []string{"two\n", "three\n"} {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(line); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatalf("close after append: %v", err)
		}
	}
	mustEqual(t, "appended", object(t, c, bck, "log"), []byte("one\ntwo\nthree\n"))
	if err := os.Truncate(p, 3); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "truncated", object(t, c, bck, "log"), []byte("one"))
	if fi, _ := os.Stat(p); fi.Size() != 3 {
		t.Errorf("size after truncate = %d", fi.Size())
	}
}

func TestFsyncThenMoreWrites(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	f, err := os.Create(filepath.Join(mnt, "ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := randBytes(t, 3<<20), randBytes(t, 2<<20)
	f.Write(a)
	if err := f.Sync(); err != nil {
		t.Fatalf("fsync: %v", err)
	}
	mustEqual(t, "after fsync", object(t, c, bck, "ckpt"), a)
	f.Write(b)
	if err := f.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	mustEqual(t, "after close", object(t, c, bck, "ckpt"), append(slices.Clone(a), b...))
}

func TestNamespaceOps(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "d/a", []byte("A"))
	put(t, c, bck, "d/sub/b", []byte("B"))
	put(t, c, bck, "f", []byte("F"))
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	p := func(s string) string { return filepath.Join(mnt, s) }

	errnoOf := func(err error) syscall.Errno {
		var e syscall.Errno
		errors.As(err, &e)
		return e
	}
	checks := []struct {
		name string
		err  error
		want syscall.Errno
	}{
		{"rmdir non-empty", os.Remove(p("d")), syscall.ENOTEMPTY},
		{"mkdir existing", os.Mkdir(p("d"), 0o755), syscall.EEXIST},
		{"mkdir over file", os.Mkdir(p("f"), 0o755), syscall.EEXIST},
		{"link", os.Link(p("f"), p("hard")), syscall.ENOTSUP},
		{"create too long", os.WriteFile(p(strings.Repeat("n", 256)), nil, 0o644), syscall.ENAMETOOLONG},
		{"rename into file", os.Rename(p("d/a"), p("f/x")), syscall.ENOTDIR},
	}
	for _, tc := range checks {
		if got := errnoOf(tc.err); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}

	// mkdir is local until a file lands below it; rmdir of an empty one works.
	if err := os.Mkdir(p("new"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := names(t, mnt); !slices.Contains(got, "new/") {
		t.Fatalf("mkdir not listed: %v", got)
	}
	if err := os.Remove(p("new")); err != nil {
		t.Fatalf("rmdir empty: %v", err)
	}
	if err := os.MkdirAll(p("new/deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p("new/deeper/file"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "file in new dir", object(t, c, bck, "new/deeper/file"), []byte("x"))

	// Rename a file and a directory.
	if err := os.Rename(p("f"), p("g")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadObject(t.Context(), bck, "f"); !errors.Is(err, aisclient.ErrNotFound) {
		t.Errorf("old name still there: %v", err)
	}
	mustEqual(t, "renamed", readAll(t, p("g")), []byte("F"))
	if err := os.Rename(p("d"), p("e")); err != nil {
		t.Fatalf("rename dir: %v", err)
	}
	mustEqual(t, "renamed dir", readAll(t, p("e/sub/b")), []byte("B"))
	if got := names(t, mnt); slices.Contains(got, "d/") || !slices.Contains(got, "e/") {
		t.Errorf("after dir rename: %v", got)
	}

	// rm -r, and the emptied directories do not linger as ghosts.
	if err := os.RemoveAll(p("e")); err != nil {
		t.Fatal(err)
	}
	if got := names(t, mnt); slices.Contains(got, "e/") {
		t.Errorf("removed directory still listed: %v", got)
	}
	if _, err := os.Stat(p("e")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stat removed dir: %v", err)
	}
}

func TestSymlinkAndMetadata(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	mnt := testMount(t, Config{Store: c, Bucket: bck, StatTTL: time.Millisecond})
	p := func(s string) string { return filepath.Join(mnt, s) }
	os.WriteFile(p("target"), []byte("T"), 0o644)
	if err := os.Symlink("target", p("link")); err != nil {
		t.Fatal(err)
	}
	if dest, err := os.Readlink(p("link")); err != nil || dest != "target" {
		t.Fatalf("readlink = %q, %v", dest, err)
	}
	mustEqual(t, "through link", readAll(t, p("link")), []byte("T"))

	if err := os.Chmod(p("target"), 0o600); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 600, time.UTC)
	if err := os.Chtimes(p("target"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(p("target"), 1234, 5678); err != nil {
		t.Fatal(err)
	}
	// A fresh mount sees the same, from the listing alone.
	mnt2 := testMount(t, Config{Store: c, Bucket: bck})
	fi, err := os.Lstat(filepath.Join(mnt2, "target"))
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if fi.Mode() != 0o600 || !fi.ModTime().Equal(mtime) || st.Uid != 1234 || st.Gid != 5678 {
		t.Errorf("after chmod/chtimes/chown: mode %v mtime %v uid %d gid %d", fi.Mode(), fi.ModTime(), st.Uid, st.Gid)
	}
	if fi, err := os.Lstat(filepath.Join(mnt2, "link")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("symlink seen by a fresh mount as %v, %v", fi.Mode(), err)
	}
	if a, _ := c.HeadObject(t.Context(), bck, "target"); a.Version != "1" {
		t.Errorf("metadata changes rewrote the object: version %s", a.Version)
	}
}

// faultyClient is a client without retries that talks to AIS through a fault-injecting proxy.
func faultyClient(t *testing.T) (*aiscluster.FaultProxy, *aisclient.Client) {
	t.Helper()
	fp, err := aiscluster.NewFaultProxy(aiscluster.Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fp.Close)
	c, err := aisclient.New(aisclient.Config{Endpoint: fp.URL(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return fp, c
}

// TestFailedUploadIsLoud: when AIS fails every upload, close returns EIO and the bytes stay in
// the staging directory.
func TestFailedUploadIsLoud(t *testing.T) {
	fp, c := faultyClient(t)
	bck := newBucket(t, newClient(t))
	staging := t.TempDir()
	// A short budget: the upload is resent until it passes, then fails for good.
	wb, err := writeback.NewManager(writeback.Config{Dir: staging, ChunkSize: 1 << 20, OpTimeout: 2 * time.Second}, c)
	if err != nil {
		t.Fatal(err)
	}
	mnt := testMount(t, Config{Store: c, Bucket: bck, Writeback: wb})
	fp.AddRule(aiscluster.Rule{Method: http.MethodPut, PathContains: "/v1/objects/", Query: "pid=", Action: aiscluster.Status(http.StatusInternalServerError)})

	data := randBytes(t, 3<<20)
	f, err := os.Create(filepath.Join(mnt, "doomed"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); !errors.Is(err, syscall.EIO) {
		t.Fatalf("close after failed upload: %v, want EIO", err)
	}
	var kept [][]byte
	filepath.WalkDir(staging, func(path string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() {
			b, _ := os.ReadFile(path)
			kept = append(kept, b)
		}
		return nil
	})
	if !slices.ContainsFunc(kept, func(b []byte) bool { return bytes.Equal(b, data) }) {
		t.Fatalf("the unsent bytes are not in the staging directory (%d files)", len(kept))
	}
}

// TestRefusedAccessIsEACCES: a cluster that answers 401/403 gives EACCES, not EIO.
func TestRefusedAccessIsEACCES(t *testing.T) {
	fp, c := faultyClient(t)
	bck := newBucket(t, newClient(t))
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	fp.AddRule(aiscluster.Rule{Action: aiscluster.Status(http.StatusUnauthorized)})
	if _, err := os.ReadDir(mnt); !errors.Is(err, syscall.EACCES) {
		t.Errorf("readdir with access refused: %v, want EACCES", err)
	}
	if err := os.WriteFile(filepath.Join(mnt, "f"), []byte("x"), 0o644); !errors.Is(err, syscall.EACCES) {
		t.Errorf("write with access refused: %v, want EACCES", err)
	}
}

func TestClusterBucketMkdirRmdir(t *testing.T) {
	c := newClient(t)
	mnt := testMount(t, Config{Store: c})
	name := fmt.Sprintf("fs-mkdir-%d", time.Now().UnixNano()%1e9)
	bdir := filepath.Join(mnt, "ais", name)
	if err := os.Mkdir(bdir, 0o755); err != nil {
		t.Fatalf("mkdir of a bucket: %v", err)
	}
	t.Cleanup(func() {
		c.DestroyBucket(context.Background(), aisclient.Bck{Name: name, Provider: aisclient.ProviderAIS})
	})
	if _, err := c.HeadBucket(t.Context(), aisclient.Bck{Name: name, Provider: aisclient.ProviderAIS}); err != nil {
		t.Fatalf("bucket not created in AIS: %v", err)
	}
	if err := os.WriteFile(filepath.Join(bdir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(bdir); !errors.Is(err, syscall.ENOTEMPTY) {
		t.Errorf("rmdir of a non-empty bucket: %v, want ENOTEMPTY", err)
	}
	// A file moved to another bucket: EXDEV, which mv turns into copy and delete.
	other := newBucket(t, c)
	if err := os.Rename(filepath.Join(bdir, "f"), filepath.Join(mnt, "ais", other.Name, "f")); !errors.Is(err, syscall.EXDEV) {
		t.Errorf("rename across buckets: %v, want EXDEV", err)
	}
	if err := os.Remove(filepath.Join(bdir, "f")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(bdir); err != nil {
		t.Fatalf("rmdir of an empty bucket: %v", err)
	}
	if _, err := c.HeadBucket(t.Context(), aisclient.Bck{Name: name, Provider: aisclient.ProviderAIS}); !errors.Is(err, aisclient.ErrBucketNotFound) {
		t.Errorf("bucket still in AIS after rmdir: %v", err)
	}
	if err := os.Mkdir(filepath.Join(mnt, "ais", "bad name!"), 0o755); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("mkdir of an invalid bucket name: %v, want EINVAL", err)
	}
}

// TestManyCreatesOneList: writing many files into a directory does not list it again per file.
func TestManyCreatesOneList(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	cs := &countingStore{Store: c}
	mnt := testMount(t, Config{Store: cs, Bucket: bck})
	os.Mkdir(filepath.Join(mnt, "d"), 0o755)
	for i := 0; i < 50; i++ {
		if err := os.WriteFile(filepath.Join(mnt, "d", fmt.Sprintf("f%02d", i)), []byte{byte(i)}, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n := cs.lists.Load(); n > 3 {
		t.Errorf("writing 50 files listed the directory %d times", n)
	}
	if got := names(t, filepath.Join(mnt, "d")); len(got) != 50 {
		t.Errorf("readdir after the writes: %d entries, want 50", len(got))
	}
	os.Remove(filepath.Join(mnt, "d", "f07"))
	if got := names(t, filepath.Join(mnt, "d")); len(got) != 49 || slices.Contains(got, "f07") {
		t.Errorf("readdir after unlink: %v", got)
	}
}

// TestRewriteSameSizeReadsNew: rewriting a file here with new bytes of the same size (streamed,
// so AIS names no version in the reply) never serves the old bytes from the cache.
func TestRewriteSameSizeReadsNew(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	mnt := testMount(t, Config{Store: c, Bucket: bck, StatTTL: time.Hour})
	p := filepath.Join(mnt, "ckpt")
	for i := 0; i < 3; i++ {
		data := randBytes(t, 3<<20) // over the 1 MiB test chunk: a new file streams with append
		os.Remove(p)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		mustEqual(t, fmt.Sprintf("round %d", i), readAll(t, p), data)
		mustEqual(t, fmt.Sprintf("AIS round %d", i), object(t, c, bck, "ckpt"), data)
	}
}

// TestReadWhileCreating: a reader of a file another handle is still creating sees the written
// bytes, and keeps reading after the writer has closed.
func TestReadWhileCreating(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	p := filepath.Join(mnt, "growing")
	w, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	data := randBytes(t, 100<<10)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	r, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make([]byte, 1000)
	if _, err := r.ReadAt(got, 0); err != nil {
		t.Fatalf("read while the writer is open: %v", err)
	}
	mustEqual(t, "while writing", got, data[:1000])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for { // the writer's release reaches the filesystem shortly after close returns
		if _, err := r.ReadAt(got, 50<<10); err != nil {
			t.Fatalf("read after the writer closed: %v", err)
		}
		mustEqual(t, "after close", got, data[50<<10:50<<10+1000])
		if time.Now().After(deadline) {
			break
		}
		if _, err := c.HeadObject(t.Context(), bck, "growing"); err == nil {
			time.Sleep(100 * time.Millisecond)
			if _, err := r.ReadAt(got, 60<<10); err != nil {
				t.Fatalf("read after the upload: %v", err)
			}
			mustEqual(t, "after upload", got, data[60<<10:60<<10+1000])
			break
		}
	}
}

// TestRedirectedWriteStreams: a shell redirection or dd opens the file, dup2s it and closes
// the first descriptor, so FUSE flushes (and uploads) the file before any write; for an
// existing file the kernel also turns O_TRUNC into a SETATTR of size 0 after an open without
// it. The writes after that still go up as one streaming PUT, not a chain of appends.
func TestRedirectedWriteStreams(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	mnt, fsys := testMountFS(t, Config{Store: c, Bucket: bck})
	for _, tt := range []struct {
		name string
		old  int // bytes of the object before; -1: none
	}{
		{"new", -1},
		{"existing empty", 0},
		{"existing", 3<<20 + 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name := strings.ReplaceAll(tt.name, " ", "-")
			p := filepath.Join(mnt, name)
			if tt.old >= 0 {
				if err := os.WriteFile(p, randBytes(t, tt.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			fd, err := syscall.Open(p, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_TRUNC, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			dup, err := syscall.Dup(fd)
			if err != nil {
				t.Fatal(err)
			}
			if err := syscall.Close(fd); err != nil { // FLUSH: the empty object is stored
				t.Fatalf("close of the first descriptor: %v", err)
			}
			if got := object(t, c, bck, name); len(got) != 0 {
				t.Fatalf("after the first close AIS holds %d bytes, want an empty object", len(got))
			}
			before := fsys.wb.Stats().StreamPuts
			f := os.NewFile(uintptr(dup), p)
			data := randBytes(t, 5<<20+7) // five pieces of the test mount's 1 MiB and a bit
			for off := 0; off < len(data); off += 1 << 20 {
				if _, err := f.Write(data[off:min(off+1<<20, len(data))]); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
			if n := fsys.wb.Stats().StreamPuts - before; n != 1 {
				t.Errorf("the writes after the flush started %d streaming PUTs, want 1", n)
			}
			mustEqual(t, "AIS copy", object(t, c, bck, name), data)
			mustEqual(t, "read back", readAll(t, p), data)
		})
	}
}
