package aisclient

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"strings"
	"testing"
)

func put(t *testing.T, c *Client, bck Bck, name, data string, opts PutOptions) *ObjAttrs {
	t.Helper()
	attrs, err := c.PutObject(t.Context(), bck, name, strings.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatalf("PutObject(%q): %v", name, err)
	}
	return attrs
}

func TestPutHeadGet(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	const data = "hello world, this is a test object\n"
	custom := map[string]string{"mode": "0100644", "weird": "a=b,c d", "utf8": "é✓"}

	pa := put(t, c, bck, "dir/hello.txt", data, PutOptions{Custom: custom})
	if pa.Size != int64(len(data)) || pa.Version == "" || pa.CksumType != "xxhash2" ||
		pa.CksumValue != "40cf699f405b9eb2" || pa.Atime.IsZero() {
		t.Errorf("PutObject attrs = %+v", pa)
	}

	ha, err := c.HeadObject(t.Context(), bck, "dir/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	if ha.Size != int64(len(data)) || ha.Version != pa.Version || ha.CksumValue != pa.CksumValue ||
		!ha.Present || ha.Copies != 1 || ha.Location == "" || ha.Atime.IsZero() {
		t.Errorf("HeadObject = %+v", ha)
	}
	if !maps.Equal(ha.Custom, custom) {
		t.Errorf("HeadObject custom = %v, want %v", ha.Custom, custom)
	}

	rc, ga, err := c.GetObject(t.Context(), bck, "dir/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(got) != data {
		t.Fatalf("GetObject = %q, %v", got, err)
	}
	if ga.Size != int64(len(data)) || ga.Version != pa.Version || ga.CksumValue != pa.CksumValue {
		t.Errorf("GetObject attrs = %+v", ga)
	}
}

func TestPutChecksum(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	const data = "verified end to end"
	const sum = "093dd1b1558abafc" // xxhash2 of data
	put(t, c, bck, "good", data, PutOptions{CksumType: "xxhash2", CksumValue: sum})

	_, err := c.PutObject(t.Context(), bck, "bad", strings.NewReader(data), int64(len(data)),
		PutOptions{CksumType: "xxhash2", CksumValue: "0123456789abcdef"})
	if !errors.Is(err, ErrBadChecksum) {
		t.Fatalf("PutObject with a wrong checksum: %v, want ErrBadChecksum", err)
	}
	if _, err := c.HeadObject(t.Context(), bck, "bad"); !errors.Is(err, ErrNotFound) {
		t.Errorf("object with a bad checksum exists: %v", err)
	}
}

func TestPutUnknownSize(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	data := bytes.Repeat([]byte("0123456789abcdef"), 200_000) // 3.2 MB, sent chunked
	a, err := c.PutObject(t.Context(), bck, "chunked", io.MultiReader(bytes.NewReader(data)), -1, PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sized, err := c.PutObject(t.Context(), bck, "sized", bytes.NewReader(data), int64(len(data)), PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Size != int64(len(data)) || a.CksumValue != sized.CksumValue {
		t.Errorf("chunked attrs = %+v, want size %d checksum %s", a, len(data), sized.CksumValue)
	}
}

func TestEmptyObject(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "empty", "", PutOptions{})
	ha, err := c.HeadObject(t.Context(), bck, "empty")
	if err != nil || ha.Size != 0 {
		t.Fatalf("HeadObject(empty) = %+v, %v", ha, err)
	}
	rc, _, err := c.GetObject(t.Context(), bck, "empty")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || len(got) != 0 {
		t.Fatalf("GetObject(empty) = %q, %v", got, err)
	}
	// Any Range on an empty object is 416; the size still comes back.
	n, a, err := c.GetRange(t.Context(), bck, "empty", 0, make([]byte, 10))
	if !errors.Is(err, ErrRangeNotSatisfiable) || n != 0 || a == nil || a.Size != 0 {
		t.Fatalf("GetRange(empty) = %d, %+v, %v", n, a, err)
	}
}

func TestGetRange(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	const data = "hello world, this is a test object\n" // 35 bytes
	pa := put(t, c, bck, "r", data, PutOptions{})
	for _, tc := range []struct {
		name    string
		off     int64
		len     int
		want    string
		wantErr error
	}{
		{"middle", 6, 5, "world", nil},
		{"start", 0, 5, "hello", nil},
		{"whole", 0, 35, data, nil},
		{"past the end is short", 30, 10, "ject\n", nil},
		{"last byte", 34, 1, "\n", nil},
		{"at the end", 35, 1, "", ErrRangeNotSatisfiable},
		{"beyond", 100, 4, "", ErrRangeNotSatisfiable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := make([]byte, tc.len)
			n, a, err := c.GetRange(t.Context(), bck, "r", tc.off, p)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got := string(p[:n]); got != tc.want {
				t.Errorf("read %q, want %q", got, tc.want)
			}
			if a == nil || a.Size != int64(len(data)) {
				t.Fatalf("attrs = %+v, want Size %d", a, len(data))
			}
			if err == nil && (a.Version != pa.Version || a.CksumValue != pa.CksumValue) {
				t.Errorf("attrs = %+v, want version %s checksum %s", a, pa.Version, pa.CksumValue)
			}
		})
	}
	if n, a, err := c.GetRange(t.Context(), bck, "r", 0, nil); n != 0 || a != nil || err != nil {
		t.Errorf("GetRange of nothing = %d, %v, %v", n, a, err)
	}
}

// TestSpecialNames: every byte that URLs treat specially must round-trip.
func TestSpecialNames(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	names := []string{
		"a b", "q?x=1&y=2", "hash#frag", "pct%20not-escaped", "plus+sign", "semi;colon,comma",
		"at@sign=eq", "tilde~x", "dir with space/file name", "ü/日本語/ファイル", "quote\"s'", "back\\slash",
		"brackets[1]{2}", "star*", "dollar$", "colon:x",
	}
	for i, name := range names {
		data := strings.Repeat(string(rune('a'+i)), i+1)
		put(t, c, bck, name, data, PutOptions{})
		a, err := c.HeadObject(t.Context(), bck, name)
		if err != nil || a.Size != int64(len(data)) {
			t.Errorf("HeadObject(%q) = %+v, %v", name, a, err)
			continue
		}
		p := make([]byte, len(data))
		if n, _, err := c.GetRange(t.Context(), bck, name, 0, p); err != nil || string(p[:n]) != data {
			t.Errorf("GetRange(%q) = %q, %v", name, p[:n], err)
		}
	}
	entries, _, err := c.ListObjects(t.Context(), bck, ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, e := range entries {
		listed[e.Name] = true
	}
	for _, name := range names {
		if !listed[name] {
			t.Errorf("%q missing from the listing", name)
		}
	}
}

func TestInvalidObjectNames(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	for _, name := range []string{"", "trailing/", "a/../b", "./a", "..", "a/./b", "~/home"} {
		_, err := c.PutObject(t.Context(), bck, name, strings.NewReader("x"), 1, PutOptions{})
		if !errors.Is(err, ErrInvalidName) {
			t.Errorf("PutObject(%q) = %v, want ErrInvalidName", name, err)
		}
	}
}

func TestNameConflict(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "d1/f", "x", PutOptions{})
	put(t, c, bck, "obj", "x", PutOptions{})
	for _, name := range []string{"d1", "obj/under"} {
		_, err := c.PutObject(t.Context(), bck, name, strings.NewReader("y"), 1, PutOptions{})
		if !errors.Is(err, ErrNameConflict) {
			t.Errorf("PutObject(%q) = %v, want ErrNameConflict", name, err)
		}
	}
}

func TestNotFound(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	missing := Bck{Name: bck.Name + "-missing"}
	p := make([]byte, 4)
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"HeadObject", second(c.HeadObject(t.Context(), bck, "nope")), ErrNotFound},
		{"GetObject", third(c.GetObject(t.Context(), bck, "nope")), ErrNotFound},
		{"GetRange", third(c.GetRange(t.Context(), bck, "nope", 0, p)), ErrNotFound},
		{"DeleteObject", c.DeleteObject(t.Context(), bck, "nope"), ErrNotFound},
		{"RenameObject", c.RenameObject(t.Context(), bck, "nope", "other"), ErrNotFound},
		{"PatchCustom", c.PatchCustom(t.Context(), bck, "nope", map[string]string{"k": "v"}, false), ErrNotFound},
		{"HeadObject/bucket", second(c.HeadObject(t.Context(), missing, "x")), ErrBucketNotFound},
		{"GetRange/bucket", third(c.GetRange(t.Context(), missing, "x", 0, p)), ErrBucketNotFound},
		{"PutObject/bucket", second(c.PutObject(t.Context(), missing, "x", strings.NewReader("x"), 1, PutOptions{})), ErrBucketNotFound},
		{"HeadBucket", second(c.HeadBucket(t.Context(), missing)), ErrBucketNotFound},
		{"ListObjects", third(c.ListObjects(t.Context(), missing, ListOptions{})), ErrBucketNotFound},
		{"DestroyBucket", c.DestroyBucket(t.Context(), missing), ErrBucketNotFound},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
		if tc.want == ErrBucketNotFound && errors.Is(tc.err, ErrNotFound) {
			t.Errorf("%s: a missing bucket also matches ErrNotFound: %v", tc.name, tc.err)
		}
	}
}

func second[A, B any](_ A, b B) B        { return b }
func third[A, B, C any](_ A, _ B, c C) C { return c }
