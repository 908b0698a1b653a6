package writeback

import (
	"errors"
	"syscall"
	"testing"

	"github.com/aisfs/aisfs/aisclient"
)

// TestStagingLimit: writes, truncates and fetches beyond MaxStaging fail with ENOSPC, and
// Close gives the space back.
func TestStagingLimit(t *testing.T) {
	const C = testChunk
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, func(cfg *Config) { cfg.MaxStaging = 3 * C })
	isNoSpace := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("%s: %v, want ENOSPC", what, err)
		}
	}
	f1 := open(t, m, bck, "f1", Truncate, OpenOptions{})
	writeSeq(t, f1, 0, randBytes(1, 2*C), 256<<10)
	f2 := open(t, m, bck, "f2", Truncate, OpenOptions{})
	writeSeq(t, f2, 0, randBytes(2, C), 256<<10)
	if got := m.Stats().StagingBytes; got != 3*C {
		t.Fatalf("StagingBytes = %d, want %d", got, 3*C)
	}
	_, err := f2.WriteAt([]byte{1}, C)
	isNoSpace("WriteAt past the limit", err)
	isNoSpace("Truncate past the limit", f2.Truncate(C+1))
	if _, err := f2.WriteAt([]byte{1}, 0); err != nil { // overwrite needs no space
		t.Fatalf("overwrite at the limit: %v", err)
	}
	if f2.Size() != C {
		t.Fatalf("Size after failed writes = %d, want %d", f2.Size(), C)
	}

	// An Edit file whose object does not fit fails its first write, and changes nothing.
	putObject(t, c, bck, "big", randBytes(3, C+1))
	e := open(t, m, bck, "big", Edit, OpenOptions{Size: C + 1})
	_, err = e.WriteAt([]byte{1}, 0)
	isNoSpace("fetch past the limit", err)
	mustClose(t, e)

	if err := f2.Truncate(C / 2); err != nil { // shrinking gives space back at once
		t.Fatal(err)
	}
	if _, err := f2.WriteAt(make([]byte, C/2), C/2); err != nil {
		t.Fatalf("write into space freed by a truncate: %v", err)
	}
	mustClose(t, f1)
	if got := m.Stats().StagingBytes; got != C {
		t.Fatalf("StagingBytes after Close = %d, want %d", got, C)
	}
	writeSeq(t, f2, C, randBytes(4, 2*C), 256<<10)
	mustClose(t, f2)
	if got := m.Stats().StagingBytes; got != 0 {
		t.Fatalf("StagingBytes after all closed = %d", got)
	}
}

// TestLeftoversLogged: staging files of an earlier run are reported, not deleted.
func TestLeftoversLogged(t *testing.T) {
	dir := t.TempDir()
	c, err := aisclient.New(aisclient.Config{Endpoint: "http://127.0.0.1:1"}) // never contacted
	if err != nil {
		t.Fatal(err)
	}
	crashed, err := createStaging(dir, aisclient.Bck{Name: "b"}, "a/b") // as a crashed run leaves it
	if err != nil {
		t.Fatal(err)
	}
	crashed.Close()
	path := crashed.Name()

	_, rec := newManager(t, c, func(cfg *Config) { cfg.Dir = dir })
	logs := rec.find("left over")
	if len(logs) != 1 || logs[0]["path"] != path {
		t.Fatalf("leftover logs = %v, want one naming %s", logs, path)
	}
	if left := stagingFiles(t, dir); len(left) != 1 {
		t.Fatalf("staging files = %v, want the leftover kept", left)
	}
}

// TestDiscard drops a File (its object was unlinked): nothing is uploaded, the staging file
// and its space are gone, even mid-stream.
func TestDiscard(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, nil)
	name := objectName(t)
	f := open(t, m, bck, name, Truncate, OpenOptions{})
	writeSeq(t, f, 0, randBytes(1, 2*testChunk+1), 256<<10)
	if err := f.Discard(); err != nil {
		t.Fatalf("Discard: %v", err)
	}
	if left := stagingFiles(t, m.cfg.Dir); len(left) != 0 {
		t.Errorf("staging files after Discard: %v", left)
	}
	if s := m.Stats(); s.StagingBytes != 0 || s.OpenFiles != 0 {
		t.Errorf("Stats after Discard = %+v", s)
	}
	if _, _, err := c.GetObject(t.Context(), bck, name); !errors.Is(err, aisclient.ErrNotFound) {
		t.Errorf("GetObject after Discard: %v, want ErrNotFound", err)
	}
	if err := f.Close(t.Context()); err != nil {
		t.Errorf("Close after Discard: %v", err)
	}
}
