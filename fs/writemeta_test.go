package fs

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/writeback"
)

// aisMeta is what AIS holds for name: the filesystem's metadata keys, read with a HEAD.
func aisMeta(t *testing.T, c *aisclient.Client, bck aisclient.Bck, name string) posixMeta {
	t.Helper()
	a, err := c.HeadObject(t.Context(), bck, name)
	if err != nil {
		t.Fatalf("head %s: %v", name, err)
	}
	return metaFromMap(a.Custom)
}

// holdRelease opens path a second time, so that close(2) of the first descriptor flushes (and
// uploads) while the kernel's release waits until the returned func closes the second.
func holdRelease(t *testing.T, f *os.File) func() {
	t.Helper()
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := syscall.Close(fd); err != nil {
			t.Errorf("close of the held descriptor: %v", err)
		}
	}
}

// TestMetadataOrderings: mode and modification time reach AIS whatever the order of writes,
// close, utimens, chmod, rename and the kernel's release. Every case ends with the file closed
// and released; AIS then holds mode 0640 and mtime `set`, or, where a write came last, a time
// no earlier than that write.
func TestMetadataOrderings(t *testing.T) {
	set := time.Date(2019, 8, 7, 6, 5, 4, 321000, time.UTC) // µs: futimes has no nanoseconds
	cases := []struct {
		name  string
		size  int // above the 1 MiB test piece, the upload is an append chain and flush
		steps func(t *testing.T, p string, f *os.File) (final string)
		// wroteLast: a write came after utimens, so mtime is that write's time.
		wroteLast bool
	}{
		{name: "setattr between flush and release", size: 100 << 10, steps: func(t *testing.T, p string, f *os.File) string {
			release := holdRelease(t, f)
			mustClose(t, f)
			setMeta(t, p, set)
			release()
			return p
		}},
		{name: "setattr between flush and release, appended", size: 3 << 20, steps: func(t *testing.T, p string, f *os.File) string {
			release := holdRelease(t, f)
			mustClose(t, f)
			setMeta(t, p, set)
			release()
			return p
		}},
		{name: "rsync: setattr and rename before release", size: 64 << 10, steps: func(t *testing.T, p string, f *os.File) string {
			release := holdRelease(t, f)
			mustClose(t, f)
			setMeta(t, p, set)
			final := p + ".renamed"
			if err := os.Rename(p, final); err != nil {
				t.Fatal(err)
			}
			release()
			return final
		}},
		{name: "cp -p: futimens and fchmod before close", size: 128 << 10, steps: func(t *testing.T, p string, f *os.File) string {
			tv := []unix.Timeval{unix.NsecToTimeval(set.UnixNano()), unix.NsecToTimeval(set.UnixNano())}
			if err := unix.Futimes(int(f.Fd()), tv); err != nil {
				t.Fatal(err)
			}
			if err := f.Chmod(0o640); err != nil {
				t.Fatal(err)
			}
			mustClose(t, f)
			return p
		}},
		{name: "tar: close, then utimens and chmod by path", size: 1, steps: func(t *testing.T, p string, f *os.File) string {
			mustClose(t, f)
			setMeta(t, p, set)
			return p
		}},
		{name: "setattr on a file not uploaded yet", size: 0, steps: func(t *testing.T, p string, f *os.File) string {
			setMeta(t, p, set)
			mustClose(t, f)
			return p
		}},
		{name: "fsync, setattr, close", size: 2 << 20, steps: func(t *testing.T, p string, f *os.File) string {
			if err := f.Sync(); err != nil {
				t.Fatal(err)
			}
			setMeta(t, p, set)
			mustClose(t, f)
			return p
		}},
		{name: "a write after utimens sets mtime again", size: 10, wroteLast: true, steps: func(t *testing.T, p string, f *os.File) string {
			setMeta(t, p, set)
			if _, err := f.Write([]byte("more")); err != nil {
				t.Fatal(err)
			}
			mustClose(t, f)
			return p
		}},
		{name: "a getxattr while rewriting keeps the write's mtime", size: 10, wroteLast: true, steps: func(t *testing.T, p string, f *os.File) string {
			mustClose(t, f)
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			setMeta(t, p, set)
			if _, err := f.Write([]byte("new")); err != nil {
				t.Fatal(err)
			}
			// HEADs the old object, whose attributes are older than the node's.
			unix.Getxattr(p, "user.none", make([]byte, 64))
			mustClose(t, f)
			return p
		}},
	}
	c := newClient(t)
	bck := newBucket(t, c)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "o" + string(rune('a'+i))
			p := filepath.Join(mnt, name)
			before := time.Now()
			f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(randBytes(t, tc.size)); err != nil {
				t.Fatal(err)
			}
			final := tc.steps(t, p, f)
			key, _ := filepath.Rel(mnt, final)
			got := aisMeta(t, c, bck, key)
			if got.mode != syscall.S_IFREG|0o640 {
				t.Errorf("AIS holds mode %o, want %o", got.mode, syscall.S_IFREG|0o640)
			}
			switch {
			case tc.wroteLast && got.mtime.Before(before):
				t.Errorf("AIS holds mtime %v, before the last write (%v)", got.mtime, before)
			case !tc.wroteLast && !got.mtime.Equal(set):
				t.Errorf("AIS holds mtime %v, want %v", got.mtime, set)
			}
			fi, err := os.Stat(final)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != 0o640 || !fi.ModTime().Equal(got.mtime) {
				t.Errorf("the mount shows mode %v mtime %v; AIS holds %o %v", fi.Mode(), fi.ModTime(), got.mode, got.mtime)
			}
		})
	}
}

func mustClose(t *testing.T, f *os.File) {
	t.Helper()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// setMeta sets what rsync, tar and cp -p set after the content: times and mode, by path.
func setMeta(t *testing.T, p string, mtime time.Time) {
	t.Helper()
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
}

// gatedStore holds the PUT of one object until let is closed, so that a test can act while
// the upload is in flight.
type gatedStore struct {
	writeback.Store
	name    string
	started chan struct{}
	let     chan struct{}
	once    sync.Once
}

func (g *gatedStore) PutObject(ctx context.Context, bck aisclient.Bck, name string, r io.Reader, size int64, opts aisclient.PutOptions) (*aisclient.ObjAttrs, error) {
	if name == g.name {
		g.once.Do(func() { close(g.started) })
		<-g.let
	}
	return g.Store.PutObject(ctx, bck, name, r, size, opts)
}

// TestSetattrDuringUpload: a chmod and utimens that arrive while the PUT of the file is on the
// wire are not undone by it, for a new file and for a rewrite of an existing object (whose
// setattr PATCH lands before the PUT).
func TestSetattrDuringUpload(t *testing.T) {
	set := time.Date(2018, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, existing := range []bool{false, true} {
		name := map[bool]string{false: "new", true: "rewritten"}[existing]
		t.Run(name, func(t *testing.T) {
			c := newClient(t)
			bck := newBucket(t, c)
			if existing {
				put(t, c, bck, name, []byte("old content"))
			}
			g := &gatedStore{Store: c, name: name, started: make(chan struct{}), let: make(chan struct{})}
			wb, err := writeback.NewManager(writeback.Config{Dir: t.TempDir(), ChunkSize: 1 << 20}, g)
			if err != nil {
				t.Fatal(err)
			}
			mnt := testMount(t, Config{Store: c, Bucket: bck, Writeback: wb})
			p := filepath.Join(mnt, name)
			f, err := os.OpenFile(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(randBytes(t, 50<<10)); err != nil {
				t.Fatal(err)
			}
			closed := make(chan error, 1)
			go func() { closed <- f.Close() }()
			<-g.started
			setMeta(t, p, set)
			close(g.let)
			if err := <-closed; err != nil {
				t.Fatal(err)
			}
			got := aisMeta(t, c, bck, name)
			if got.mode != syscall.S_IFREG|0o640 || !got.mtime.Equal(set) {
				t.Fatalf("AIS holds mode %o mtime %v, want %o %v", got.mode, got.mtime, syscall.S_IFREG|0o640, set)
			}
		})
	}
}
