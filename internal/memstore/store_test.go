package memstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/xxhash"
	"github.com/aisfs/aisfs/test/aiscluster"
)

func TestMain(m *testing.M) { aiscluster.Main(m) }

// backend is what the contract below needs; both *Store and *aisclient.Client satisfy it.
type backend interface {
	CreateBucket(ctx context.Context, bck aisclient.Bck) error
	DestroyBucket(ctx context.Context, bck aisclient.Bck) error
	ListObjects(ctx context.Context, bck aisclient.Bck, opts aisclient.ListOptions) ([]aisclient.Entry, bool, error)
	HeadObject(ctx context.Context, bck aisclient.Bck, name string) (*aisclient.ObjAttrs, error)
	GetRange(ctx context.Context, bck aisclient.Bck, name string, off int64, p []byte) (int, *aisclient.ObjAttrs, error)
	GetObject(ctx context.Context, bck aisclient.Bck, name string) (io.ReadCloser, *aisclient.ObjAttrs, error)
	PutObject(ctx context.Context, bck aisclient.Bck, name string, r io.Reader, size int64, opts aisclient.PutOptions) (*aisclient.ObjAttrs, error)
	Append(ctx context.Context, bck aisclient.Bck, name, handle string, p []byte) (string, error)
	Flush(ctx context.Context, bck aisclient.Bck, name, handle, cksumType, cksumValue string) error
	PatchCustom(ctx context.Context, bck aisclient.Bck, name string, md map[string]string, replace bool) error
	DeleteObject(ctx context.Context, bck aisclient.Bck, name string) error
	RenameObject(ctx context.Context, bck aisclient.Bck, from, to string) error
}

var (
	_ backend = (*Store)(nil)
	_ backend = (*aisclient.Client)(nil)
)

// errClass names the sentinel an error matches, so two backends' errors can be compared.
func errClass(err error) string {
	if err == nil {
		return "ok"
	}
	for _, s := range []error{aisclient.ErrNotFound, aisclient.ErrBucketNotFound, aisclient.ErrExists,
		aisclient.ErrNameConflict, aisclient.ErrInvalidName, aisclient.ErrRangeNotSatisfiable,
		aisclient.ErrBadChecksum, aisclient.ErrInvalidArgument} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "other error"
}

// contract runs the behaviour the fake promises and returns a transcript of what the backend
// answered: the fake is only worth its tests while its transcript equals real AIS's.
func contract(ctx context.Context, b backend, bck aisclient.Bck) []string {
	var out []string
	say := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	put := func(name, data string, custom map[string]string) {
		_, err := b.PutObject(ctx, bck, name, strings.NewReader(data), int64(len(data)), aisclient.PutOptions{Custom: custom})
		say("put %s: %s", name, errClass(err))
	}
	head := func(name string) {
		a, err := b.HeadObject(ctx, bck, name)
		if err != nil {
			say("head %s: %s", name, errClass(err))
			return
		}
		keys := make([]string, 0, len(a.Custom))
		for k, v := range a.Custom {
			keys = append(keys, k+"="+v)
		}
		slices.Sort(keys)
		say("head %s: size %d cksum %s custom %v", name, a.Size, a.CksumValue, keys)
	}
	list := func(prefix string, flat bool) {
		ents, _, err := b.ListObjects(ctx, bck, aisclient.ListOptions{Prefix: prefix, NoRecursion: !flat, Props: []string{"name", "size"}})
		names := []string{}
		for _, e := range ents {
			names = append(names, fmt.Sprintf("%s:%d", e.Name, e.Size))
		}
		say("list %q flat=%v: %s %v", prefix, flat, errClass(err), names)
	}

	if err := b.CreateBucket(ctx, bck); err != nil {
		say("create: %v", err)
		return out
	}
	defer b.DestroyBucket(context.WithoutCancel(ctx), bck)
	say("create again: %s", errClass(b.CreateBucket(ctx, bck)))

	put("a/b/c", "abc", map[string]string{"k": "1"})
	put("a/top", "t", nil)
	put("a", "conflict", nil)       // an object where a directory is
	put("a/top/x", "conflict", nil) // a directory where an object is
	put("a/b/c", "abcd", map[string]string{"j": "2"})
	head("a/b/c") // the overwrite merged the metadata
	head("nope")
	list("", false)
	list("a/", false)
	list("a/", true)

	p := make([]byte, 10)
	n, _, err := b.GetRange(ctx, bck, "a/b/c", 1, p)
	say("range 1: %d %q %s", n, p[:n], errClass(err))
	_, _, err = b.GetRange(ctx, bck, "a/b/c", 4, p)
	say("range at end: %s", errClass(err))
	put("empty", "", nil)
	if _, a, err := b.GetRange(ctx, bck, "empty", 0, p); a != nil {
		say("range of empty: %s size %d", errClass(err), a.Size)
	} else {
		say("range of empty: %s", errClass(err))
	}

	say("patch: %s", errClass(b.PatchCustom(ctx, bck, "a/b/c", map[string]string{"k": "3"}, false)))
	head("a/b/c")
	say("patch replace: %s", errClass(b.PatchCustom(ctx, bck, "a/b/c", map[string]string{"z": "9"}, true)))
	head("a/b/c")
	say("patch missing: %s", errClass(b.PatchCustom(ctx, bck, "nope", map[string]string{"z": "9"}, false)))

	// Rename replaces the destination, metadata and all.
	put("r/src", "source", map[string]string{"s": "1"})
	put("r/dst", "old destination", map[string]string{"d": "1"})
	say("rename: %s", errClass(b.RenameObject(ctx, bck, "r/src", "r/dst")))
	head("r/dst")
	head("r/src")
	say("rename missing: %s", errClass(b.RenameObject(ctx, bck, "r/src", "r/x")))

	// Deleting the last object of a directory leaves a ghost in one-level listings.
	say("delete: %s", errClass(b.DeleteObject(ctx, bck, "a/b/c")))
	say("delete again: %s", errClass(b.DeleteObject(ctx, bck, "a/b/c")))
	list("a/", false)
	list("a/b/", false)
	list("a/", true)
	put("a/b", "file over a ghost", nil)
	list("a/", false)
	head("a/b")

	// Append chains: invisible until flushed, built on the existing object, verified.
	put("ap", "base-", nil)
	h, err := b.Append(ctx, bck, "ap", "", []byte("one-"))
	say("append: %s", errClass(err))
	h, err = b.Append(ctx, bck, "ap", h, []byte("two"))
	say("append: %s", errClass(err))
	head("ap")
	say("flush bad cksum: %s", errClass(b.Flush(ctx, bck, "ap", h, CksumType, "0000000000000000")))
	good := xxhash.Hex(xxhash.Sum64([]byte("base-one-two")))
	say("flush: %s", errClass(b.Flush(ctx, bck, "ap", h, CksumType, good)))
	head("ap")
	say("flush again: %s", errClass(b.Flush(ctx, bck, "ap", h, CksumType, good)))

	put("ck", "data", nil)
	_, err = b.PutObject(ctx, bck, "ck", strings.NewReader("data2"), 5, aisclient.PutOptions{CksumType: CksumType, CksumValue: "0000000000000000"})
	say("put bad cksum: %s", errClass(err))
	r, _, err := b.GetObject(ctx, bck, "ck")
	if err == nil {
		got, _ := io.ReadAll(r)
		r.Close()
		say("get after bad put: %q", got)
	}
	return out
}

// TestContract runs the contract on the fake and on a real local AIS and compares them line by
// line. Without a cluster only the fake runs (and the comparison is skipped, or fails in CI).
func TestContract(t *testing.T) {
	bck := aisclient.Bck{Name: fmt.Sprintf("memstore-%d", time.Now().UnixNano()%1e9), Provider: aisclient.ProviderAIS}
	fake := contract(t.Context(), New(Options{}), bck)
	c, err := aisclient.New(aisclient.Config{Endpoint: aiscluster.Endpoint(t)})
	if err != nil {
		t.Fatal(err)
	}
	real := contract(t.Context(), c, bck)
	for i := range max(len(fake), len(real)) {
		var f, r string
		if i < len(fake) {
			f = fake[i]
		}
		if i < len(real) {
			r = real[i]
		}
		if f != r {
			t.Errorf("step %d:\n fake: %s\n AIS:  %s", i, f, r)
		}
	}
	if testing.Verbose() {
		t.Logf("transcript:\n%s", strings.Join(real, "\n"))
	}
}

func TestFailureInjection(t *testing.T) {
	ctx := t.Context()
	s := New(Options{})
	bck := aisclient.Bck{Name: "b"}
	if err := s.CreateBucket(ctx, bck); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	s.FailNext(OpPutObject, 2, aisclient.ErrUnavailable)
	for i := range 3 {
		_, err := s.PutObject(ctx, bck, "x", bytes.NewReader([]byte("hi")), 2, aisclient.PutOptions{})
		if want := i == 2; (err == nil) != want {
			t.Fatalf("put %d: %v", i, err)
		}
		if i < 2 && !errors.Is(err, aisclient.ErrUnavailable) {
			t.Fatalf("put %d: %v does not match the injected error", i, err)
		}
	}
	s.SetHook(OpHeadObject, func(_ aisclient.Bck, name string) error {
		if name == "x" {
			return boom
		}
		return nil
	})
	if _, err := s.HeadObject(ctx, bck, "x"); !errors.Is(err, boom) {
		t.Fatalf("hooked head: %v", err)
	}
	if _, err := s.HeadObject(ctx, bck, "y"); !errors.Is(err, aisclient.ErrNotFound) {
		t.Fatalf("unhooked name: %v", err)
	}
	s.SetHook(OpHeadObject, nil)
	if _, err := s.HeadObject(ctx, bck, "x"); err != nil {
		t.Fatal(err)
	}
	if got := s.Calls(OpPutObject); got != 3 {
		t.Errorf("Calls(put) = %d, want 3", got)
	}
	if got := s.Calls(OpHeadObject); got != 3 {
		t.Errorf("Calls(head) = %d, want 3", got)
	}
	if data, _ := s.Data(bck, "x"); string(data) != "hi" {
		t.Errorf("data = %q", data)
	}
}
