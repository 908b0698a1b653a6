package writeback

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

// TestRoundTrip writes new files sequentially and reads them back from AIS byte for byte.
func TestRoundTrip(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, chainOnly)
	tests := []struct {
		name   string
		size   int
		piece  int
		method Method // how Close uploads it
	}{
		{"empty", 0, 1, MethodPut},
		{"one byte", 1, 1, MethodPut},
		{"chunk-1", testChunk - 1, 128 << 10, MethodPut},
		{"chunk", testChunk, 128 << 10, MethodAppend},
		{"chunk+1", testChunk + 1, 128 << 10, MethodAppend},
		{"multi-chunk odd writes", 3*testChunk + 12345, 100_003, MethodAppend},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := objectName(t)
			data := randBytes(uint64(i), tt.size)
			f := open(t, m, bck, name, Truncate, OpenOptions{})
			writeSeq(t, f, 0, data, tt.piece)
			if got := f.Size(); got != int64(tt.size) {
				t.Fatalf("Size = %d, want %d", got, tt.size)
			}
			checkBytes(t, "ReadAt before upload", readAll(t, f), data)
			waitIdle(f) // whole pieces are on the chain: Close takes a known path
			if want := int64(tt.size) / testChunk * testChunk; chainSent(f) != want {
				t.Errorf("streamed %d bytes before Close, want %d", chainSent(f), want)
			}
			mustClose(t, f)
			if got := f.LastSync(); got.Method != tt.method || got.Size != int64(tt.size) {
				t.Errorf("LastSync = %+v, want method %v, size %d", got, tt.method, tt.size)
			}
			checkBytes(t, "object", getObject(t, c, bck, name), data)
			if _, err := f.ReadAt(make([]byte, 1), 0); err != ErrClosed {
				t.Errorf("ReadAt after Close: %v, want ErrClosed", err)
			}
		})
	}
	if left := stagingFiles(t, m.cfg.Dir); len(left) != 0 {
		t.Errorf("staging files left after clean closes: %v", left)
	}
	if s := m.Stats(); s.OpenFiles != 0 || s.StagingBytes != 0 || s.Uploads != 0 || s.InFlightBytes != 0 {
		t.Errorf("Stats after all closed = %+v", s)
	}
}

// TestLargeFile streams 1 GiB in 1 MiB writes (data from a seeded PRNG per write, so
// nothing big is held) and checks the object's sha256 from a GetObject stream.
func TestLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB upload")
	}
	const (
		total = 1 << 30
		piece = 1 << 20
	)
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, func(cfg *Config) { cfg.MaxStaging = 2 * total })
	name := objectName(t)
	f := open(t, m, bck, name, Truncate, OpenOptions{})
	want := sha256.New()
	buf := make([]byte, piece)
	for i := range total / piece {
		fillRand(uint64(i), buf)
		want.Write(buf)
		if _, err := f.WriteAt(buf, int64(i)*piece); err != nil {
			t.Fatalf("WriteAt #%d: %v", i, err)
		}
		if s := m.Stats(); s.InFlightBytes > m.cfg.MaxInFlight {
			t.Fatalf("in flight %d bytes > MaxInFlight %d", s.InFlightBytes, m.cfg.MaxInFlight)
		}
	}
	mustClose(t, f)
	if got := f.LastSync(); got.Method != MethodPut || got.Size != total || streamedPuts(f) != 1 {
		t.Errorf("LastSync = %+v after %d streaming PUTs, want one streaming PUT of %d", got, streamedPuts(f), total)
	}
	rc, attrs, err := c.GetObject(t.Context(), bck, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got := sha256.New()
	n, err := io.Copy(got, rc)
	if err != nil || n != total {
		t.Fatalf("GetObject stream: %d bytes, %v", n, err)
	}
	if string(got.Sum(nil)) != string(want.Sum(nil)) {
		t.Fatalf("sha256 of the object differs from what was written (size %d, attrs %+v)", n, attrs)
	}
}

// TestSyncThenWrite: a File keeps working after Sync, and each Sync makes the content so
// far durable, whichever way it goes up.
func TestSyncThenWrite(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, nil)
	tests := []struct {
		name   string
		first  int // bytes before the first Sync
		more   int // appended before the second Sync
		patch  bool
		method [3]Method // of the three Syncs
	}{
		{"small", 1000, 2000, true, [3]Method{MethodPut, MethodPut, MethodPut}},
		// A streaming PUT, ended by the Sync; the bytes after it go by appends.
		{"streamed then tail", 2*testChunk + 10, 1000, true, [3]Method{MethodPut, MethodAppend, MethodPut}},
		// The first Sync left less than a piece: the rest goes up as one streaming PUT.
		{"small then streamed", 10, 3 * testChunk, false, [3]Method{MethodPut, MethodPut, MethodNone}},
		{"empty then streamed", 0, 3 * testChunk, false, [3]Method{MethodPut, MethodPut, MethodNone}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := objectName(t)
			want := randBytes(uint64(100+i), tt.first)
			f := open(t, m, bck, name, Truncate, OpenOptions{})
			sync := func(k int) {
				t.Helper()
				waitIdle(f)
				if err := f.Sync(t.Context()); err != nil {
					t.Fatalf("Sync #%d: %v", k+1, err)
				}
				if f.Dirty() {
					t.Fatalf("Dirty after Sync #%d", k+1)
				}
				if tt.method[k] != MethodNone {
					if got := f.LastSync().Method; got != tt.method[k] {
						t.Errorf("Sync #%d went up by %v, want %v", k+1, got, tt.method[k])
					}
				}
				checkBytes(t, "object after Sync", getObject(t, c, bck, name), want)
			}
			writeSeq(t, f, 0, want, 64<<10)
			sync(0)
			more := randBytes(uint64(200+i), tt.more)
			writeSeq(t, f, int64(len(want)), more, 64<<10)
			want = append(want, more...)
			if !f.Dirty() {
				t.Fatal("not Dirty after a write")
			}
			sync(1)
			if tt.patch {
				patch := []byte("patched")
				writeSeq(t, f, 3, patch, 64<<10)
				copy(want[3:], patch)
				sync(2)
			}
			if err := f.Sync(t.Context()); err != nil { // clean: nothing to do
				t.Fatalf("Sync of a clean file: %v", err)
			}
			mustClose(t, f)
			checkBytes(t, "object after Close", getObject(t, c, bck, name), want)
		})
	}
}

// TestTruncateExisting replaces an existing, longer object; also when the caller did not
// say it exists, which the flush checksum catches and the PUT retry repairs.
func TestTruncateExisting(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	m, rec := newManager(t, c, chainOnly) // with a streaming PUT there is nothing to catch
	for _, exists := range []bool{true, false} {
		t.Run(map[bool]string{true: "exists", false: "not told"}[exists], func(t *testing.T) {
			name := objectName(t)
			putObject(t, c, bck, name, randBytes(1, 3*testChunk))
			data := randBytes(2, 2*testChunk+5)
			f := open(t, m, bck, name, Truncate, OpenOptions{Exists: exists})
			writeSeq(t, f, 0, data, 256<<10)
			waitIdle(f)
			if streamed := chainSent(f) > 0; streamed == exists {
				t.Errorf("streamed %v with Exists %v", streamed, exists)
			}
			mustClose(t, f)
			checkBytes(t, "object", getObject(t, c, bck, name), data)
			if got := f.LastSync().Method; got != MethodPut {
				t.Errorf("went up by %v, want a PUT", got)
			}
			if !exists {
				logs := rec.find("after resending")
				if len(logs) != 1 || !strings.Contains(logs[0]["first_err"], "ErrBadCksum") {
					t.Errorf("want one recovery after a checksum mismatch, logs: %v", logs)
				}
			}
		})
	}
}

// TestCustomMetadata: Custom from Open and SetCustom go with the PUT.
func TestCustomMetadata(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, nil)
	name := objectName(t)
	f := open(t, m, bck, name, Truncate, OpenOptions{Custom: map[string]string{"mode": "0100644"}})
	writeSeq(t, f, 0, []byte("hello"), 5)
	f.SetCustom(map[string]string{"mtime": "1700000000.5"})
	mustClose(t, f)
	attrs, err := c.HeadObject(t.Context(), bck, name)
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Custom["mode"] != "0100644" || attrs.Custom["mtime"] != "1700000000.5" {
		t.Errorf("custom metadata = %v", attrs.Custom)
	}
	if a := f.LastSync().Attrs; a == nil || a.Size != 5 {
		t.Errorf("LastSync().Attrs = %+v, want the PUT's attributes", a)
	}
}

// TestCustomFunc: CustomFunc is asked as each PUT starts, also Shutdown's, and wins over
// Custom; what it returned at open time does not matter.
func TestCustomFunc(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, nil)
	name := objectName(t)
	var mu sync.Mutex
	mtime := "1"
	f := open(t, m, bck, name, Truncate, OpenOptions{
		Custom: map[string]string{"mode": "0100644", "mtime": "0"},
		CustomFunc: func() map[string]string {
			mu.Lock()
			defer mu.Unlock()
			return map[string]string{"mtime": mtime}
		},
	})
	writeSeq(t, f, 0, []byte("hello"), 5)
	mu.Lock()
	mtime = "2"
	mu.Unlock()
	if err := m.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	attrs, err := c.HeadObject(t.Context(), bck, name)
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Custom["mode"] != "0100644" || attrs.Custom["mtime"] != "2" {
		t.Errorf("custom metadata = %v, want mode from Custom and mtime 2 from CustomFunc", attrs.Custom)
	}
}

// TestSyncCancelled: a Sync whose context ends fails without latching; the next one works.
func TestSyncCancelled(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	m, _ := newManager(t, c, nil)
	name := objectName(t)
	data := randBytes(5, 2*testChunk+3)
	f := open(t, m, bck, name, Truncate, OpenOptions{})
	writeSeq(t, f, 0, data, 256<<10)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := f.Sync(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sync with a cancelled context = %v, want context.Canceled", err)
	}
	if !f.Dirty() {
		t.Fatal("clean after a cancelled Sync")
	}
	mustClose(t, f)
	checkBytes(t, "object", getObject(t, c, bck, name), data)
}
