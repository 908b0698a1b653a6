package aisclient

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// TestStreamResumes: a GetObject body that breaks off is continued with a Range GET from
// the byte where it stopped; the reader sees every byte once and no error.
func TestStreamResumes(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<12) // 64 KiB
	var (
		mu     sync.Mutex
		ranges []string
	)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		mu.Lock()
		ranges = append(ranges, r.Header.Get("Range"))
		n := len(ranges)
		mu.Unlock()
		switch n {
		case 1: // the whole object, cut after 10,000 bytes
			w.Header().Set("Ais-Version", "1")
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.Write(data[:10000])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		case 2: // the rest, cut again
			serveRange(w, r, data, "1", 5000)
		default:
			serveRange(w, r, data, "1", 0)
		}
	})
	c := fakeClient(t, f.URL)
	rc, a, err := c.GetObject(t.Context(), Bck{Name: "b"}, "o")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, data) || a.Size != int64(len(data)) {
		t.Fatalf("read %d bytes, %v (equal: %v)", len(got), err, bytes.Equal(got, data))
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"", "bytes=10000-65535", "bytes=15000-65535"}
	if len(ranges) != len(want) || ranges[1] != want[1] || ranges[2] != want[2] {
		t.Errorf("ranges %q, want %q", ranges, want)
	}
}

// TestStreamResumeChangedObject: if the object has another version when the rest is asked
// for, Read fails with ErrObjectChanged instead of mixing versions.
func TestStreamResumeChangedObject(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 8192)
	var calls atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if noSmap(w, r) {
			return
		}
		if calls.Add(1) == 1 {
			w.Header().Set("Ais-Version", "1")
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.Write(data[:1000])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		serveRange(w, r, data, "2", 0)
	})
	c := fakeClient(t, f.URL)
	rc, _, err := c.GetObject(t.Context(), Bck{Name: "b"}, "o")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if !errors.Is(err, ErrObjectChanged) || len(got) != 1000 {
		t.Fatalf("read %d bytes, %v; want 1000 and ErrObjectChanged", len(got), err)
	}
	if _, err := rc.Read(make([]byte, 1)); !errors.Is(err, ErrObjectChanged) {
		t.Errorf("Read after the failure: %v, want it again", err)
	}
}
