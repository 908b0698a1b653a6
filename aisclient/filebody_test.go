package aisclient

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileBody: an *os.File body sends size bytes from its current offset, for PUT and
// append alike, and a file shorter than the size announced fails the request.
func TestFileBody(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	content := strings.Repeat("0123456789abcdef", 80<<10) // 1.25 MiB: several copy buffers
	path := filepath.Join(t.TempDir(), "staged")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		off, size int64
		wantErr   bool
	}{
		{"whole", 0, int64(len(content)), false},
		{"from an offset", 1000, int64(len(content)) - 1000, false},
		{"a middle part", 4096, 300_001, false},
		{"one byte", 17, 1, false},
		{"longer than the file", 1000, int64(len(content)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := ""
			if !tc.wantErr {
				want = content[tc.off : tc.off+tc.size]
			}
			open := func() *os.File {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { f.Close() })
				if _, err := f.Seek(tc.off, io.SeekStart); err != nil {
					t.Fatal(err)
				}
				return f
			}

			name := "put/" + tc.name
			a, err := c.PutObject(t.Context(), bck, name, open(), tc.size, PutOptions{})
			switch {
			case tc.wantErr:
				if err == nil {
					t.Fatalf("PutObject of %d bytes from a shorter file: no error", tc.size)
				}
				if _, herr := c.HeadObject(t.Context(), bck, name); !errors.Is(herr, ErrNotFound) {
					t.Errorf("after a failed PutObject: HeadObject = %v, want ErrNotFound", herr)
				}
			case err != nil:
				t.Fatalf("PutObject: %v", err)
			case a.Size != tc.size:
				t.Errorf("PutObject size %d, want %d", a.Size, tc.size)
			default:
				if got := getAll(t, c, bck, name); got != want {
					t.Errorf("PUT content: %d bytes, want %d (equal: %v)", len(got), len(want), got == want)
				}
			}

			name = "append/" + tc.name
			h, err := c.AppendFrom(t.Context(), bck, name, "", open(), tc.size)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("AppendFrom of %d bytes from a shorter file: no error", tc.size)
				}
				return
			}
			if err != nil {
				t.Fatalf("AppendFrom: %v", err)
			}
			if err := c.Flush(t.Context(), bck, name, h, "", ""); err != nil {
				t.Fatal(err)
			}
			if got := getAll(t, c, bck, name); got != want {
				t.Errorf("append content: %d bytes, want %d (equal: %v)", len(got), len(want), got == want)
			}
		})
	}
}
