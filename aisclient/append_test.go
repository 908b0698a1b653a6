package aisclient

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func getAll(t *testing.T, c *Client, bck Bck, name string) string {
	t.Helper()
	rc, _, err := c.GetObject(t.Context(), bck, name)
	if err != nil {
		t.Fatalf("GetObject(%q): %v", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// appendAll sends parts as one append chain and returns the last handle.
func appendAll(t *testing.T, c *Client, bck Bck, name string, parts ...string) string {
	t.Helper()
	handle := ""
	for _, p := range parts {
		next, err := c.Append(t.Context(), bck, name, handle, []byte(p))
		if err != nil {
			t.Fatalf("Append(%q): %v", p, err)
		}
		if next == "" || next == handle {
			t.Fatalf("Append returned handle %q after %q", next, handle)
		}
		handle = next
	}
	return handle
}

func TestAppendFlush(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	parts := []string{"hello world, ", "this is ", "a test object\n"}
	whole := strings.Join(parts, "")
	handle := appendAll(t, c, bck, "a/new", parts...)

	// Invisible until flushed.
	if _, err := c.HeadObject(t.Context(), bck, "a/new"); !errors.Is(err, ErrNotFound) {
		t.Errorf("HeadObject before Flush: %v, want ErrNotFound", err)
	}
	const sum = "40cf699f405b9eb2" // xxhash2 of whole, as AIS reports it
	if err := c.Flush(t.Context(), bck, "a/new", handle, "xxhash2", sum); err != nil {
		t.Fatal(err)
	}
	a, err := c.HeadObject(t.Context(), bck, "a/new")
	if err != nil || a.Size != int64(len(whole)) || a.CksumValue != sum {
		t.Fatalf("after Flush: %+v, %v", a, err)
	}
	if got := getAll(t, c, bck, "a/new"); got != whole {
		t.Errorf("content %q, want %q", got, whole)
	}

	// Appending to an existing object continues it.
	handle = appendAll(t, c, bck, "a/new", "more\n")
	if err := c.Flush(t.Context(), bck, "a/new", handle, "", ""); err != nil {
		t.Fatal(err)
	}
	if got := getAll(t, c, bck, "a/new"); got != whole+"more\n" {
		t.Errorf("after second chain: %q", got)
	}
}

func TestFlushBadChecksum(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	handle := appendAll(t, c, bck, "f", "some ", "bytes")
	err := c.Flush(t.Context(), bck, "f", handle, "xxhash2", "0000000000000000")
	if !errors.Is(err, ErrBadChecksum) {
		t.Fatalf("Flush with a wrong checksum: %v, want ErrBadChecksum", err)
	}
	if _, err := c.HeadObject(t.Context(), bck, "f"); !errors.Is(err, ErrNotFound) {
		t.Errorf("object exists after a failed Flush: %v", err)
	}
	// The work file survives: a Flush with the right sum still succeeds.
	if err := c.Flush(t.Context(), bck, "f", handle, "xxhash2", "55cfd3deadcabb2a" /* xxhash2("some bytes") */); err != nil {
		t.Fatalf("Flush retried with the right checksum: %v", err)
	}
	if got := getAll(t, c, bck, "f"); got != "some bytes" {
		t.Errorf("content %q", got)
	}
	if err := c.Flush(t.Context(), bck, "f", "", "", ""); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Flush without handle: %v", err)
	}
}
