package aisclient

import (
	"bytes"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
)

// TestGetRangeV: one Range GET fills consecutive buffers, hands each over as soon as it is
// complete, resumes a broken body from the byte where it stopped, and refuses to mix versions
// once a buffer was handed over.
func TestGetRangeV(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<10) // 16 KiB
	tests := []struct {
		name    string
		serve   func(call int64, w http.ResponseWriter, r *http.Request)
		want    error
		handed  []int
		ranges  int64
		refuseI int // filled refuses this buffer; -1 never
	}{
		{"one request", func(_ int64, w http.ResponseWriter, r *http.Request) { serveRange(w, r, data, "1", 0) },
			nil, []int{0, 1, 2}, 1, -1},
		{"broken body resumes", func(n int64, w http.ResponseWriter, r *http.Request) {
			cut := 0
			if n == 1 {
				cut = 5000 // inside buffer 1: buffer 0 was handed over, 1 is continued
			}
			serveRange(w, r, data, "1", cut)
		}, nil, []int{0, 1, 2}, 2, -1},
		{"changed after a handed buffer", func(n int64, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				serveRange(w, r, data, "1", 5000)
				return
			}
			serveRange(w, r, data, "2", 0)
		}, ErrObjectChanged, []int{0}, 2, -1},
		{"filled refuses", func(_ int64, w http.ResponseWriter, r *http.Request) { serveRange(w, r, data, "1", 0) },
			errRefused, []int{0, 1}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				if noSmap(w, r) {
					return
				}
				tt.serve(calls.Add(1), w, r)
			})
			c := fakeClient(t, f.URL)
			const off = 1000
			bufs := [][]byte{make([]byte, 4096), make([]byte, 4096), make([]byte, 100)}
			var handed []int
			n, _, err := c.GetRangeV(t.Context(), Bck{Name: "b"}, "o", off, bufs, func(i int, a *ObjAttrs) error {
				handed = append(handed, i)
				pos := off
				for _, b := range bufs[:i] {
					pos += len(b)
				}
				if !bytes.Equal(bufs[i], data[pos:pos+len(bufs[i])]) || a.Version == "" {
					t.Errorf("buffer %d handed over with wrong bytes or no version %+v", i, a)
				}
				if i == tt.refuseI {
					return errRefused
				}
				return nil
			})
			if !errors.Is(err, tt.want) || (err == nil && n != 8292) {
				t.Errorf("GetRangeV = %d, %v; want 8292, %v", n, err, tt.want)
			}
			if len(handed) != len(tt.handed) || (len(handed) > 0 && handed[len(handed)-1] != tt.handed[len(tt.handed)-1]) {
				t.Errorf("handed %v, want %v", handed, tt.handed)
			}
			if calls.Load() != tt.ranges {
				t.Errorf("%d requests, want %d", calls.Load(), tt.ranges)
			}
		})
	}
}

var errRefused = errors.New("refused")
