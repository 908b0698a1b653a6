package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/writeback"
)

// racingStore plays another host and a failing cluster for the HEADs of one object once armed:
// the first HEAD finds nothing, then the object is created; later HEADs fail when fail is set,
// as an overloaded or restarting cluster's do.
type racingStore struct {
	Store
	name   string
	fail   bool
	create func() // what the other host does
	armed  atomic.Bool
	heads  atomic.Int32
}

var errInjected = fmt.Errorf("injected failure: %w", aisclient.ErrUnavailable)

func (s *racingStore) HeadObject(ctx context.Context, bck aisclient.Bck, name string) (*aisclient.ObjAttrs, error) {
	if name != s.name || !s.armed.Load() {
		return s.Store.HeadObject(ctx, bck, name)
	}
	if s.heads.Add(1) == 1 {
		a, err := s.Store.HeadObject(ctx, bck, name)
		s.create()
		return a, err
	}
	if s.fail {
		return nil, errInjected
	}
	return s.Store.HeadObject(ctx, bck, name)
}

// TestRenameNoReplace: RENAME_NOREPLACE onto a name that another host creates right after the
// kernel's lookup of it found nothing. The rename asks AIS again: EEXIST when the name is there
// now, the error when AIS cannot say; in neither case is the other object replaced.
func TestRenameNoReplace(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail bool
		want error
	}{
		{"target exists", false, syscall.EEXIST},
		{"lookup fails", true, syscall.EIO},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t)
			bck := newBucket(t, c)
			for _, n := range []string{"a", "b", "src"} {
				put(t, c, bck, n, []byte(n))
			}
			createErr := make(chan error, 1) // from a FUSE server goroutine
			s := &racingStore{Store: c, name: "zz", fail: tc.fail, create: func() {
				_, err := c.PutObject(context.Background(), bck, "zz", strings.NewReader("theirs"), 6, aisclient.PutOptions{})
				createErr <- err
			}}
			wb, err := writeback.NewManager(writeback.Config{Dir: t.TempDir()}, c)
			if err != nil {
				t.Fatal(err)
			}
			// A lookup lists one entry at most, so other names are probed with a HEAD.
			mnt := testMount(t, Config{Store: s, Bucket: bck, Writeback: wb, ListLookupMax: 1, StatTTL: time.Minute})
			src := filepath.Join(mnt, "src")
			if _, err := os.Lstat(src); err != nil {
				t.Fatal(err)
			}
			s.armed.Store(true)
			err = unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, filepath.Join(mnt, "zz"), unix.RENAME_NOREPLACE)
			select {
			case err := <-createErr:
				if err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatal("the kernel's lookup did not HEAD the target")
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("rename with RENAME_NOREPLACE: %v, want %v", err, tc.want)
			}
			if s.heads.Load() < 2 {
				t.Errorf("the rename did not ask AIS about the target (%d HEADs)", s.heads.Load())
			}
			mustEqual(t, "the other host's object", object(t, c, bck, "zz"), []byte("theirs"))
			mustEqual(t, "the source", object(t, c, bck, "src"), []byte("src"))
		})
	}
}

// TestRenameOpenFile: a file renamed while a handle writes it keeps every byte under the new
// name, and the old name stays gone: the writer uploads under the name the object has now.
func TestRenameOpenFile(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	for _, tc := range []struct {
		name        string
		first, more int
		fsync       bool
		dir         bool // rename the directory the file is in, not the file
	}{
		{name: "synced", first: 6, more: 5, fsync: true},
		{name: "not in AIS yet", first: 6, more: 5},
		{name: "streaming", first: 12 << 20, more: 12 << 20},
		{name: "in a renamed directory", first: 6, more: 5, fsync: true, dir: true},
		{name: "new in a renamed directory", first: 6, more: 5, dir: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(mnt, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			from, to := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			if tc.dir {
				from, to = filepath.Join(dir, "d", "f"), filepath.Join(dir, "e", "f")
				if err := os.Mkdir(filepath.Dir(from), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			want := randBytes(t, tc.first+tc.more)
			f, err := os.Create(from)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.Write(want[:tc.first]); err != nil {
				t.Fatal(err)
			}
			if tc.fsync {
				if err := f.Sync(); err != nil {
					t.Fatal(err)
				}
			}
			if tc.dir {
				err = os.Rename(filepath.Dir(from), filepath.Dir(to))
			} else {
				err = os.Rename(from, to)
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(want[tc.first:]); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatalf("close after the rename: %v", err)
			}
			mustEqual(t, "the new name", readAll(t, to), want)
			rel := func(p string) string { r, _ := filepath.Rel(mnt, p); return r }
			mustEqual(t, "the new name in AIS", object(t, c, bck, rel(to)), want)
			if _, err := os.Stat(from); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("stat of the old name: %v, want ENOENT", err)
			}
			if _, _, err := c.GetObject(t.Context(), bck, rel(from)); !errors.Is(err, aisclient.ErrNotFound) {
				t.Errorf("GetObject of the old name: %v, want ErrNotFound", err)
			}
		})
	}
}

// TestRenameOverOpenFile: a rename over a file that a handle still writes unlinks that file
// for the handle as unlink(2) would: what it writes and closes afterwards never replaces the
// renamed file.
func TestRenameOverOpenFile(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	from, to := filepath.Join(mnt, "a"), filepath.Join(mnt, "b")
	old, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if _, err := old.Write([]byte("the old b")); err != nil {
		t.Fatal(err)
	}
	if err := old.Sync(); err != nil {
		t.Fatal(err)
	}
	want := []byte("a, renamed over b")
	if err := os.WriteFile(from, want, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Write([]byte(", written on")); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatalf("close of the replaced file: %v", err)
	}
	mustEqual(t, "b", readAll(t, to), want)
	mustEqual(t, "b in AIS", object(t, c, bck, "b"), want)
}

// TestReadAcrossRename: a handle open for reading goes on reading a file renamed under it, by
// itself or with its directory: what it has not read yet is fetched under the new name.
func TestReadAcrossRename(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	data := randBytes(t, 32<<20)
	put(t, c, bck, "file/a", data)
	put(t, c, bck, "dir/d/f", data)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	for _, tc := range []struct{ name, from, to, open string }{
		{"file", "file/a", "file/b", "file/a"},
		{"directory", "dir/d", "dir/e", "dir/d/f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := os.Open(filepath.Join(mnt, tc.open))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got := make([]byte, len(data))
			if _, err := io.ReadFull(f, got[:4096]); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(mnt, tc.from), filepath.Join(mnt, tc.to)); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(f, got[4096:]); err != nil {
				t.Fatalf("read after the rename: %v", err)
			}
			mustEqual(t, "what the handle read", got, data)
		})
	}
}

// TestDetachedFile: a file unlinked or renamed over while open has left the tree. fstat on its
// handle keeps working past the TTL, and what is done through the handle never reaches the
// object now at its old name: fchmod stays local, fsetxattr fails with ESTALE.
func TestDetachedFile(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "gone", []byte("removed while open"))
	put(t, c, bck, "over", []byte("renamed over while open"))
	put(t, c, bck, "src", []byte("renamed there"))
	clk := &testClock{now: time.Now()}
	mnt := testMount(t, Config{Store: c, Bucket: bck, StatTTL: time.Second, Now: clk.Now})
	gone, err := os.Open(filepath.Join(mnt, "gone"))
	if err != nil {
		t.Fatal(err)
	}
	defer gone.Close()
	over, err := os.Open(filepath.Join(mnt, "over"))
	if err != nil {
		t.Fatal(err)
	}
	defer over.Close()
	if err := os.Remove(filepath.Join(mnt, "gone")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(mnt, "src"), filepath.Join(mnt, "over")); err != nil {
		t.Fatal(err)
	}
	before := aisMeta(t, c, bck, "over")
	clk.advance(time.Hour)
	time.Sleep(1100 * time.Millisecond) // the kernel's attributes expire too

	for _, f := range []*os.File{gone, over} {
		fi, err := f.Stat()
		if err != nil {
			t.Fatalf("fstat of %s after the TTL: %v", f.Name(), err)
		}
		if fi.Size() == 0 {
			t.Errorf("fstat of %s: size 0", f.Name())
		}
	}
	if err := over.Chmod(0o600); err != nil {
		t.Fatalf("fchmod of the file renamed over: %v", err)
	}
	if got := aisMeta(t, c, bck, "over"); got.mode != before.mode {
		t.Errorf("fchmod through the old handle changed the renamed file's mode in AIS: %o, was %o", got.mode, before.mode)
	}
	if err := unix.Fsetxattr(int(over.Fd()), "user.k", []byte("v"), 0); !errors.Is(err, syscall.ESTALE) {
		t.Errorf("fsetxattr of the file renamed over: %v, want ESTALE", err)
	}
	if h, err := c.HeadObject(t.Context(), bck, "over"); err != nil || h.Custom["k"] != "" {
		t.Errorf("the renamed file's custom metadata: %v, %v", h, err)
	}
	mustEqual(t, "the renamed file", readAll(t, filepath.Join(mnt, "over")), []byte("renamed there"))
}

// TestOpenDuringRename: a file opened for writing while a rename of it runs, after the rename
// looked for writers and before the kernel's tree shows the new name, writes under the new
// name. Before, its bytes went up under the old one at close.
func TestOpenDuringRename(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	old := randBytes(t, 4096)
	put(t, c, bck, "a", old)
	from, to := filepath.Join(mnt, "a"), filepath.Join(mnt, "b")
	if _, err := os.Stat(from); err != nil {
		t.Fatal(err)
	}

	type result struct {
		f   *os.File
		err error
	}
	got := make(chan result, 1)
	hook := func(f, _ string) {
		if f != "a" {
			return
		}
		done := make(chan result, 1)
		go func() { // as another process would, while the kernel's rename runs
			f, err := os.OpenFile(from, os.O_WRONLY, 0)
			done <- result{f, err}
		}()
		select {
		case r := <-done:
			got <- r
		case <-time.After(10 * time.Second):
			t.Error("an open of the file being renamed did not return")
		}
	}
	renamedHook.Store(&hook)
	defer renamedHook.Store(nil)
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
	renamedHook.Store(nil)
	var r result
	select {
	case r = <-got:
	default:
		t.Fatal("the rename did not run the hook")
	}
	if r.err != nil {
		t.Fatalf("open during the rename: %v", r.err)
	}
	opened := r.f
	defer opened.Close()
	edit := []byte("written after the open")
	if _, err := opened.WriteAt(edit, 0); err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := opened.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	want := append(slices.Clone(edit), old[len(edit):]...)
	mustEqual(t, "the new name in AIS", object(t, c, bck, "b"), want)
	if _, err := c.HeadObject(t.Context(), bck, "a"); !errors.Is(err, aisclient.ErrNotFound) {
		t.Errorf("the old name in AIS: %v, want ErrNotFound", err)
	}
}
