package writeback

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/memstore"
)

var _ Store = (*memstore.Store)(nil)

// Fast unit tests of upload logic on the in-memory AIS (the real-AIS tests are beside them).

func memBucket(t *testing.T) (*memstore.Store, aisclient.Bck) {
	t.Helper()
	s := memstore.New(memstore.Options{})
	bck := aisclient.Bck{Name: "b", Provider: aisclient.ProviderAIS}
	if err := s.CreateBucket(t.Context(), bck); err != nil {
		t.Fatal(err)
	}
	return s, bck
}

func memData(t *testing.T, s *memstore.Store, bck aisclient.Bck, name string) []byte {
	t.Helper()
	data, ok := s.Data(bck, name)
	if !ok {
		t.Fatalf("%s is not in the store", name)
	}
	return data
}

func TestMemSmallFileIsOnePut(t *testing.T) {
	s, bck := memBucket(t)
	m, _ := newManager(t, s, nil)
	want := randBytes(1, testChunk/2)
	f := open(t, m, bck, "small", Truncate, OpenOptions{})
	writeSeq(t, f, 0, want, 4096)
	mustClose(t, f)
	checkBytes(t, "stored", memData(t, s, bck, "small"), want)
	if p, a := s.Calls(memstore.OpPutObject), s.Calls(memstore.OpAppend); p != 1 || a != 0 {
		t.Errorf("%d PUTs and %d appends, want one PUT", p, a)
	}
}

func TestMemSequentialFileStreams(t *testing.T) {
	s, bck := memBucket(t)
	m, _ := newManager(t, s, chainOnly)
	want := randBytes(2, 5*testChunk+123)
	f := open(t, m, bck, "big", Truncate, OpenOptions{})
	writeSeq(t, f, 0, want, 64<<10)
	// Close with nothing streamed yet may rightly send one PUT instead: let the uploader
	// catch up first, so the test is about the chain and not the machine's load.
	waitIdle(f)
	mustClose(t, f)
	checkBytes(t, "stored", memData(t, s, bck, "big"), want)
	if a, fl := s.Calls(memstore.OpAppend), s.Calls(memstore.OpFlush); a < 5 || fl != 1 {
		t.Errorf("%d appends and %d flushes, want at least 5 and 1", a, fl)
	}
	if n := s.Chains(); n != 0 {
		t.Errorf("%d append chains left unfinished", n)
	}
}

// A flush that fails once is repaired: the bytes arrive whole, by whatever path.
func TestMemFailedFlushRecovers(t *testing.T) {
	s, bck := memBucket(t)
	m, _ := newManager(t, s, nil)
	s.FailNext(memstore.OpFlush, 1, aisclient.ErrBadChecksum)
	want := randBytes(3, 3*testChunk)
	f := open(t, m, bck, "f", Truncate, OpenOptions{})
	writeSeq(t, f, 0, want, 256<<10)
	mustClose(t, f)
	checkBytes(t, "stored", memData(t, s, bck, "f"), want)
}

// An append that fails part way drops the chain; nothing partial becomes visible, and the
// file still arrives whole at close.
func TestMemFailedAppendRecovers(t *testing.T) {
	s, bck := memBucket(t)
	m, _ := newManager(t, s, nil)
	s.FailNext(memstore.OpAppend, 1, aisclient.ErrUnavailable)
	want := randBytes(4, 4*testChunk+1)
	f := open(t, m, bck, "f", Truncate, OpenOptions{})
	writeSeq(t, f, 0, want, 128<<10)
	waitIdle(f)
	if _, ok := s.Data(bck, "f"); ok {
		t.Fatal("the object is visible before close")
	}
	mustClose(t, f)
	checkBytes(t, "stored", memData(t, s, bck, "f"), want)
}

// An upload AIS refuses for good fails Sync and Close loudly with the cause, stores nothing,
// and keeps the staging file with the whole content.
func TestMemRefusedUploadIsLoud(t *testing.T) {
	s, bck := memBucket(t)
	m, rec := newManager(t, s, nil)
	s.FailNext(memstore.OpPutObject, 100, aisclient.ErrUnauthorized)
	want := randBytes(5, 1000)
	f := open(t, m, bck, "f", Truncate, OpenOptions{})
	writeSeq(t, f, 0, want, 1000)
	err := f.Sync(t.Context())
	var uerr *UploadError
	if !errors.As(err, &uerr) || !errors.Is(err, aisclient.ErrUnauthorized) {
		t.Fatalf("Sync: %v, want an *UploadError wrapping ErrUnauthorized", err)
	}
	if err := f.Close(t.Context()); !errors.Is(err, aisclient.ErrUnauthorized) {
		t.Fatalf("Close after a failed Sync: %v", err)
	}
	if _, ok := s.Data(bck, "f"); ok {
		t.Fatal("a refused upload left an object")
	}
	kept, err := os.ReadFile(uerr.Path)
	if err != nil || !bytes.Equal(kept, want) {
		t.Fatalf("staging file %s: %v, holds the content: %v", uerr.Path, err, bytes.Equal(kept, want))
	}
	if logs := rec.find("upload failed"); len(logs) != 1 || logs[0]["path"] != uerr.Path {
		t.Errorf("logged %v, want one line naming the staging file", logs)
	}
}

// O_APPEND on an existing object sends only the new bytes and never reads the old ones.
func TestMemAppendModeSendsOnlyNewBytes(t *testing.T) {
	s, bck := memBucket(t)
	old := randBytes(6, 2*testChunk)
	if _, err := s.PutObject(t.Context(), bck, "log", bytes.NewReader(old), int64(len(old)), aisclient.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	m, _ := newManager(t, s, nil)
	tail := randBytes(7, 3000)
	f := open(t, m, bck, "log", Append, OpenOptions{Size: int64(len(old))})
	writeSeq(t, f, int64(len(old)), tail, 1000)
	mustClose(t, f)
	checkBytes(t, "stored", memData(t, s, bck, "log"), append(old, tail...))
	if g, p := s.Calls(memstore.OpGetObject), s.Calls(memstore.OpPutObject); g != 0 || p != 1 {
		t.Errorf("%d GETs and %d PUTs, want none and the one that stored the old content", g, p)
	}
}

// An existing object opened for writing and closed untouched costs no request.
func TestMemUntouchedEditCostsNothing(t *testing.T) {
	s, bck := memBucket(t)
	if _, err := s.PutObject(t.Context(), bck, "x", bytes.NewReader([]byte("keep")), 4, aisclient.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	s.ResetCalls()
	m, _ := newManager(t, s, nil)
	mustClose(t, open(t, m, bck, "x", Edit, OpenOptions{Size: 4}))
	for _, op := range []memstore.Op{memstore.OpGetObject, memstore.OpPutObject, memstore.OpAppend, memstore.OpFlush} {
		if n := s.Calls(op); n != 0 {
			t.Errorf("%d calls of %s", n, op)
		}
	}
}

// An edit in the middle of an existing object fetches it once and stores old and new bytes.
func TestMemEditFetchesOnce(t *testing.T) {
	s, bck := memBucket(t)
	old := randBytes(8, testChunk+77)
	if _, err := s.PutObject(t.Context(), bck, "x", bytes.NewReader(old), int64(len(old)), aisclient.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	s.ResetCalls()
	m, _ := newManager(t, s, nil)
	f := open(t, m, bck, "x", Edit, OpenOptions{Size: int64(len(old))})
	if _, err := f.WriteAt([]byte("PATCH"), 100); err != nil {
		t.Fatal(err)
	}
	mustClose(t, f)
	want := bytes.Clone(old)
	copy(want[100:], "PATCH")
	checkBytes(t, "stored", memData(t, s, bck, "x"), want)
	if g := s.Calls(memstore.OpGetObject); g != 1 {
		t.Errorf("%d GETs, want 1", g)
	}
}
