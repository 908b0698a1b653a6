package aisclient

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/aisfs/aisfs/internal/archivetest"
)

// Archives are listed and read on the real cluster: members and their sizes from one
// listing, each member's exact bytes from an archpath GET.
func TestArchiveListAndGet(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	big := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640 KB, compressible
	files := []archivetest.File{
		{Name: "top.txt", Data: []byte("top")},
		{Name: "a/b/deep.bin", Data: big},
		{Name: "a/mid.txt", Data: []byte("middle\n")},
		{Name: "empty", Data: nil},
	}
	shards := map[string][]byte{
		"s/x.tar": archivetest.Tar(files), "s/x.tgz": archivetest.TarGz(files),
		"s/x.tar.gz": archivetest.TarGz(files), "s/x.zip": archivetest.Zip(files),
	}
	for name, data := range shards {
		if _, err := c.PutObject(t.Context(), bck, name, bytes.NewReader(data), int64(len(data)), PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// A name that starts like a shard must not leak into its listing.
	if _, err := c.PutObject(t.Context(), bck, "s/x.tar.old", bytes.NewReader([]byte("x")), 1, PutOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, data := range shards {
		t.Run(name, func(t *testing.T) {
			arch, err := c.ListArchive(t.Context(), bck, name)
			if err != nil {
				t.Fatal(err)
			}
			if !arch.Readable || arch.Shard.Size != int64(len(data)) || arch.Shard.Version == "" {
				t.Errorf("shard %+v readable %v; want size %d, a version, readable", arch.Shard, arch.Readable, len(data))
			}
			got := map[string]int64{}
			for _, m := range arch.Members {
				got[m.Name] = m.Size
			}
			if len(got) != len(files) {
				t.Errorf("members %v, want %d", arch.Members, len(files))
			}
			for _, f := range files {
				if size, ok := got[f.Name]; !ok || size != int64(len(f.Data)) {
					t.Errorf("member %s: size %d (listed %v), want %d", f.Name, size, ok, len(f.Data))
				}
				rc, n, err := c.GetArchived(t.Context(), bck, name, f.Name)
				if err != nil {
					t.Fatalf("GetArchived %s: %v", f.Name, err)
				}
				b, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || n != int64(len(f.Data)) || !bytes.Equal(b, f.Data) {
					t.Errorf("GetArchived %s: %d bytes (size %d), err %v; want the member's %d", f.Name, len(b), n, err, len(f.Data))
				}
			}
			if _, _, err := c.GetArchived(t.Context(), bck, name, "nope"); !errors.Is(err, ErrNotFound) {
				t.Errorf("GetArchived of a missing member: %v, want ErrNotFound", err)
			}
		})
	}
	if _, err := c.ListArchive(t.Context(), bck, "s/none.tar"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ListArchive of a missing shard: %v, want ErrNotFound", err)
	}
}

// A corrupt archive is listed as an object AIS could not read, with no members; a member of a
// truncated one fails to read instead of returning short data.
func TestArchiveCorrupt(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	big := make([]byte, 200000)
	for i := range big {
		big[i] = byte(i * 7)
	}
	full := archivetest.Tar([]archivetest.File{{Name: "small", Data: []byte("ok")}, {Name: "big", Data: big}})
	objs := map[string][]byte{
		"junk.tar":  bytes.Repeat([]byte("not a tar "), 500),
		"trunc.tar": full[:len(full)/2],
	}
	for name, data := range objs {
		if _, err := c.PutObject(t.Context(), bck, name, bytes.NewReader(data), int64(len(data)), PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	arch, err := c.ListArchive(t.Context(), bck, "junk.tar")
	if err != nil || arch.Readable || len(arch.Members) != 0 {
		t.Errorf("ListArchive(junk.tar) = %+v, %v; want unreadable, no members", arch, err)
	}
	if _, _, err := c.GetArchived(t.Context(), bck, "junk.tar", "small"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("GetArchived from junk: %v, want an AIS error other than not-found", err)
	}
	rc, _, err := c.GetArchived(t.Context(), bck, "trunc.tar", "small")
	if err != nil {
		t.Fatalf("GetArchived(trunc.tar, small): %v", err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != "ok" {
		t.Errorf("small member of a truncated tar: %q, %v", b, err)
	}
	rc, _, err = c.GetArchived(t.Context(), bck, "trunc.tar", "big")
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if err == nil {
		t.Errorf("big member cut off by the truncation read without error")
	}
	t.Logf("truncated member: %v", err)
}
