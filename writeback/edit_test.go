package writeback

import (
	"testing"
)

// TestEdit changes existing objects in place: content is fetched on first access.
func TestEdit(t *testing.T) {
	const C = testChunk
	c := newClient(t)
	bck := newBucket(t, c)
	store := &countingStore{Store: c}
	m, _ := newManager(t, store, nil)
	big := randBytes(9, 2*C+C/2)
	tests := []struct {
		name   string
		base   []byte
		size   int64 // OpenOptions.Size; -1: len(base)
		apply  func(t *testing.T, f *File, want []byte) []byte
		gets   int64  // GETs expected
		method Method // of the Close
	}{
		{"read only", big, -1, func(t *testing.T, f *File, want []byte) []byte {
			checkBytes(t, "ReadAt", readAll(t, f), want)
			return want
		}, 1, MethodNone},
		{"patch middle", big, -1, func(t *testing.T, f *File, want []byte) []byte {
			p := randBytes(1, 1000)
			writeSeq(t, f, C, p, 1000)
			copy(want[C:], p)
			return want
		}, 1, MethodPut},
		{"patch small", big[:100], -1, func(t *testing.T, f *File, want []byte) []byte {
			writeSeq(t, f, 10, []byte("xyz"), 3)
			copy(want[10:], "xyz")
			return want
		}, 1, MethodPut},
		{"extend", big, -1, func(t *testing.T, f *File, want []byte) []byte {
			p := randBytes(2, C+C/2)
			writeSeq(t, f, int64(len(want)), p, 64<<10)
			waitIdle(f)
			return append(want, p...)
		}, 1, MethodAppend},
		{"truncate shorter", big, -1, func(t *testing.T, f *File, want []byte) []byte {
			if err := f.Truncate(C / 3); err != nil {
				t.Fatal(err)
			}
			return want[:C/3]
		}, 1, MethodPut},
		{"truncate longer", big, -1, func(t *testing.T, f *File, want []byte) []byte {
			if err := f.Truncate(3 * C); err != nil {
				t.Fatal(err)
			}
			return append(want, make([]byte, 3*C-len(want))...)
		}, 1, MethodAppend},
		{"truncate to zero then write", big, -1, func(t *testing.T, f *File, want []byte) []byte {
			if err := f.Truncate(0); err != nil {
				t.Fatal(err)
			}
			writeSeq(t, f, 0, []byte("new"), 3)
			return []byte("new")
		}, 0, MethodPut},
		{"stale size", big, 10, func(t *testing.T, f *File, want []byte) []byte {
			if f.Size() != 10 {
				t.Errorf("Size before fetch = %d, want the caller's 10", f.Size())
			}
			writeSeq(t, f, 0, []byte("A"), 1)
			if f.Size() != int64(len(want)) {
				t.Errorf("Size after fetch = %d, want the object's %d", f.Size(), len(want))
			}
			want[0] = 'A'
			return want
		}, 1, MethodPut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := objectName(t)
			putObject(t, c, bck, name, tt.base)
			before, err := c.HeadObject(t.Context(), bck, name)
			if err != nil {
				t.Fatal(err)
			}
			size := tt.size
			if size < 0 {
				size = int64(len(tt.base))
			}
			gets := store.gets.Load()
			f := open(t, m, bck, name, Edit, OpenOptions{Size: size})
			if f.Dirty() {
				t.Error("Edit file Dirty before any change")
			}
			want := tt.apply(t, f, append([]byte(nil), tt.base...))
			mustClose(t, f)
			if got := store.gets.Load() - gets; got != tt.gets {
				t.Errorf("%d GETs, want %d", got, tt.gets)
			}
			if got := f.LastSync().Method; got != tt.method {
				t.Errorf("went up by %v, want %v", got, tt.method)
			}
			checkBytes(t, "object", getObject(t, c, bck, name), want)
			after, err := c.HeadObject(t.Context(), bck, name)
			if err != nil {
				t.Fatal(err)
			}
			if changed := after.Version != before.Version; changed != (tt.method != MethodNone) {
				t.Errorf("version %s -> %s, but method %v", before.Version, after.Version, tt.method)
			}
		})
	}
}

// TestAppendMode adds to existing objects without fetching them, unless old bytes are
// read or changed.
func TestAppendMode(t *testing.T) {
	const C = testChunk
	c := newClient(t)
	bck := newBucket(t, c)
	store := &countingStore{Store: c}
	m, _ := newManager(t, store, nil)
	tests := []struct {
		name   string
		base   int
		add    int   // bytes appended
		readAt int64 // >= 0: read the old bytes from here midway
		below  bool  // then also write below the old size
		gets   int64
		method Method
	}{
		{"small", 1000, 500, -1, false, 0, MethodAppend},
		{"onto empty object", 0, 1000, -1, false, 0, MethodPut},
		{"multi-chunk", 2*C + C/2, 2*C + C/2, -1, false, 0, MethodAppend},
		{"read new bytes only", 1000, 2000, 1000, false, 0, MethodAppend},
		{"read old bytes", 1000, 2 * C, 10, false, 1, MethodAppend},
		{"write below", 2*C + C/2, 100, -1, true, 1, MethodPut},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := objectName(t)
			base := randBytes(uint64(300+i), tt.base)
			putObject(t, c, bck, name, base)
			add := randBytes(uint64(400+i), tt.add)
			want := append(append([]byte(nil), base...), add...)
			gets := store.gets.Load()

			f := open(t, m, bck, name, Append, OpenOptions{Size: int64(tt.base)})
			if f.Dirty() || f.Size() != int64(tt.base) {
				t.Fatalf("fresh Append file: Dirty %v, Size %d", f.Dirty(), f.Size())
			}
			half := len(add) / 2
			writeSeq(t, f, int64(tt.base), add[:half], 64<<10)
			if tt.readAt >= 0 {
				got := make([]byte, int64(tt.base+half)-tt.readAt)
				if n, err := f.ReadAt(got, tt.readAt); n != len(got) {
					t.Fatalf("ReadAt(%d) = %d, %v", tt.readAt, n, err)
				}
				checkBytes(t, "ReadAt", got, want[tt.readAt:tt.base+half])
			}
			writeSeq(t, f, int64(tt.base+half), add[half:], 64<<10)
			if tt.below {
				writeSeq(t, f, 5, []byte("below"), 5)
				copy(want[5:], "below")
			}
			if got := store.gets.Load() - gets; got != tt.gets {
				t.Errorf("%d GETs, want %d", got, tt.gets)
			}
			// The new bytes read back without a fetch.
			got := make([]byte, tt.add)
			if n, err := f.ReadAt(got, int64(tt.base)); n != tt.add {
				t.Fatalf("ReadAt(new bytes) = %d, %v", n, err)
			}
			checkBytes(t, "ReadAt of the new bytes", got, want[tt.base:])
			waitIdle(f)
			mustClose(t, f)
			checkBytes(t, "object", getObject(t, c, bck, name), want)
			if got := f.LastSync().Method; got != tt.method {
				t.Errorf("went up by %v, want %v", got, tt.method)
			}
		})
	}
}
