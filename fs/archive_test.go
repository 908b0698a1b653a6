package fs

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aisfs/aisfs/internal/archivetest"
)

func TestIsArchiveName(t *testing.T) {
	for name, want := range map[string]bool{
		"a.tar": true, "a.tgz": true, "a.tar.gz": true, "a.tar.lz4": true, "a.zip": true,
		"a.gz": false, "a.tar.bz2": false, ".tar": false, "tar": false, "a.TAR": false, "a.zip.txt": false,
	} {
		if got := isArchiveName(name); got != want {
			t.Errorf("isArchiveName(%q) = %v, want %v", name, got, want)
		}
	}
}

// archiveFiles are the members every archive test stores, nested two deep.
func archiveFiles(t *testing.T) []archivetest.File {
	return []archivetest.File{
		{Name: "top.txt", Data: []byte("top\n")},
		{Name: "a/mid.txt", Data: []byte("middle\n")},
		{Name: "a/b/deep.bin", Data: randBytes(t, 3<<20+12345)}, // several cache blocks
		{Name: "a/b/small.bin", Data: randBytes(t, 1000)},
		{Name: "empty", Data: nil},
	}
}

// lockedBuffer collects log output from the mount's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines(substr string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.b.String(), "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return out
}

// With --archives, tar, tgz and zip objects are read-only directories of their members, nested
// paths are subdirectories, sizes come from the listing and content is byte-exact.
func TestArchivesAsDirectories(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	files := archiveFiles(t)
	shards := map[string][]byte{
		"s/x.tar": archivetest.Tar(files), "s/x.tgz": archivetest.TarGz(files),
		"s/x.tar.gz": archivetest.TarGz(files), "s/x.zip": archivetest.Zip(files),
	}
	for name, data := range shards {
		put(t, c, bck, name, data)
	}
	put(t, c, bck, "s/plain.txt", []byte("not an archive"))
	mnt := testMount(t, Config{Store: c, Bucket: bck, Archives: true})

	if got, want := names(t, filepath.Join(mnt, "s")), []string{"plain.txt", "x.tar/", "x.tar.gz/", "x.tgz/", "x.zip/"}; !slices.Equal(got, want) {
		t.Fatalf("s/ = %v, want %v", got, want)
	}
	for shard := range shards {
		t.Run(shard, func(t *testing.T) {
			dir := filepath.Join(mnt, shard)
			if got, want := names(t, dir), []string{"a/", "empty", "top.txt"}; !slices.Equal(got, want) {
				t.Errorf("%s/ = %v, want %v", shard, got, want)
			}
			if got, want := names(t, filepath.Join(dir, "a", "b")), []string{"deep.bin", "small.bin"}; !slices.Equal(got, want) {
				t.Errorf("%s/a/b/ = %v, want %v", shard, got, want)
			}
			for _, f := range files {
				p := filepath.Join(dir, f.Name)
				st, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if st.Size() != int64(len(f.Data)) || !st.Mode().IsRegular() || st.Mode().Perm()&0o222 != 0 {
					t.Errorf("stat %s: size %d mode %v, want size %d, a read-only file", f.Name, st.Size(), st.Mode(), len(f.Data))
				}
				for range 2 { // the second read comes from the cache
					got, err := os.ReadFile(p)
					if err != nil || !bytes.Equal(got, f.Data) {
						t.Fatalf("read %s: %d bytes, err %v; want its %d bytes", f.Name, len(got), err, len(f.Data))
					}
				}
			}
			// A read in the middle of a large member (not from its start).
			fh, err := os.Open(filepath.Join(dir, "a/b/deep.bin"))
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			buf := make([]byte, 5000)
			if _, err := fh.ReadAt(buf, 2<<20+77); err != nil || !bytes.Equal(buf, files[2].Data[2<<20+77:2<<20+77+5000]) {
				t.Errorf("ReadAt in a large member: %v or wrong bytes", err)
			}
			if st, err := os.Stat(dir); err != nil || !st.IsDir() || st.Mode().Perm()&0o222 != 0 {
				t.Errorf("stat %s: %v, %v; want a read-only directory", shard, st, err)
			}
		})
	}

	// Writes inside an archive, and to archive names, get EROFS.
	dir := filepath.Join(mnt, "s", "x.tar")
	for what, err := range map[string]error{
		"create":       os.WriteFile(filepath.Join(dir, "new.txt"), []byte("x"), 0o644),
		"overwrite":    os.WriteFile(filepath.Join(dir, "top.txt"), []byte("x"), 0o644),
		"mkdir":        os.Mkdir(filepath.Join(dir, "d"), 0o755),
		"remove":       os.Remove(filepath.Join(dir, "top.txt")),
		"rmdir":        syscall.Rmdir(filepath.Join(dir, "a")),
		"rmdir shard":  syscall.Rmdir(dir),
		"rename out":   os.Rename(filepath.Join(dir, "top.txt"), filepath.Join(mnt, "s", "moved")),
		"rename shard": os.Rename(dir, filepath.Join(mnt, "s", "y.tar")),
		"new archive":  os.WriteFile(filepath.Join(mnt, "s", "new.zip"), []byte("x"), 0o644),
		"chmod":        os.Chmod(filepath.Join(dir, "top.txt"), 0o600),
	} {
		if !errors.Is(err, syscall.EROFS) {
			t.Errorf("%s: %v, want EROFS", what, err)
		}
	}
	if got, _ := c.HeadObject(t.Context(), bck, "s/x.tar"); got == nil || got.Size != int64(len(shards["s/x.tar"])) {
		t.Errorf("the shard changed: %+v", got)
	}
}

// Without --archives, an archive is a plain file holding the archive's bytes.
func TestArchivesOffByDefault(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	data := archivetest.Tar(archiveFiles(t))
	put(t, c, bck, "x.tar", data)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	got, err := os.ReadFile(filepath.Join(mnt, "x.tar"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read x.tar: %d bytes, %v; want the shard's %d", len(got), err, len(data))
	}
}

// A rewritten archive shows its new members and never serves the old bytes.
func TestArchiveRewritten(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "x.tar", archivetest.Tar([]archivetest.File{{Name: "m", Data: []byte("version one")}}))
	// The kernel trusts nothing (a 1 ns TTL); this mount's listings are fresh until the clock moves.
	clock := &testClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	mnt := testMount(t, Config{Store: c, Bucket: bck, Archives: true, StatTTL: time.Nanosecond, Now: clock.Now})
	p := filepath.Join(mnt, "x.tar", "m")
	if got, err := os.ReadFile(p); err != nil || string(got) != "version one" {
		t.Fatalf("read: %q, %v", got, err)
	}
	put(t, c, bck, "x.tar", archivetest.Tar([]archivetest.File{{Name: "m", Data: []byte("version two!")}, {Name: "n", Data: []byte("new")}}))
	clock.advance(time.Minute)
	if got, err := os.ReadFile(p); err != nil || string(got) != "version two!" {
		t.Fatalf("read after rewrite: %q, %v; want the new member", got, err)
	}
	if got := names(t, filepath.Join(mnt, "x.tar")); !slices.Equal(got, []string{"m", "n"}) {
		t.Errorf("members after rewrite: %v", got)
	}
}

// An open of a member that a rewrite made shorter tells the kernel, whose TTL (an hour here)
// has not run out, its new size (fileNode's TestOpenOfRewriteTellsKernel, for members).
func TestArchiveRewrittenMemberSize(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	v1, v2 := randBytes(t, 300<<10), randBytes(t, 200<<10)
	put(t, c, bck, "x.tar", archivetest.Tar([]archivetest.File{{Name: "m", Data: v1}}))
	clock := &testClock{now: time.Now()}
	mnt := testMount(t, Config{Store: c, Bucket: bck, Archives: true, StatTTL: time.Hour, Now: clock.Now})
	p := filepath.Join(mnt, "x.tar", "m")
	mustEqual(t, "v1", readAll(t, p), v1)
	mustEqual(t, "v1 again", readAll(t, p), v1) // from the page cache: the kernel's attributes stay valid

	put(t, c, bck, "x.tar", archivetest.Tar([]archivetest.File{{Name: "m", Data: v2}}))
	clock.advance(2 * time.Hour)
	openSeesRewrite(t, p, v1, v2)
}

// A corrupt archive is an empty directory with one warning; a member cut short by a truncated
// archive reads as EIO with one log line, while the members before the cut read fine.
func TestArchiveCorrupt(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	big := randBytes(t, 3<<20)
	full := archivetest.Tar([]archivetest.File{{Name: "small", Data: []byte("ok")}, {Name: "big", Data: big}})
	put(t, c, bck, "junk.tar", bytes.Repeat([]byte("not a tar "), 500))
	put(t, c, bck, "trunc.tar", full[:len(full)/2])
	put(t, c, bck, "broken.zip", damagedZip(t))
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	mnt := testMount(t, Config{Store: c, Bucket: bck, Archives: true, Logger: log})

	if got := names(t, filepath.Join(mnt, "junk.tar")); len(got) != 0 {
		t.Errorf("junk.tar/ = %v, want empty", got)
	}
	names(t, filepath.Join(mnt, "junk.tar"))
	if got := logs.lines("cannot read this object as an archive"); len(got) != 1 {
		t.Errorf("log lines about junk.tar: %q, want one", got)
	}

	// AIS v1.5.0 reads no members of a truncated tar (its listing stops at the damage).
	if got := names(t, filepath.Join(mnt, "trunc.tar")); len(got) != 0 {
		t.Logf("trunc.tar/ = %v", got)
	}

	// A zip whose index is intact but whose member data is damaged lists every member; the
	// damaged one reads as EIO with one log line, the intact one reads fine.
	if got, want := names(t, filepath.Join(mnt, "broken.zip")), []string{"big", "small"}; !slices.Equal(got, want) {
		t.Fatalf("broken.zip/ = %v, want %v", got, want)
	}
	if got, err := os.ReadFile(filepath.Join(mnt, "broken.zip", "small")); err != nil || string(got) != "ok" {
		t.Errorf("intact member of a damaged zip: %q, %v", got, err)
	}
	before := len(logs.lines("operation failed"))
	got, err := os.ReadFile(filepath.Join(mnt, "broken.zip", "big"))
	if !errors.Is(err, syscall.EIO) {
		t.Errorf("read of a damaged member: %d bytes, %v; want EIO", len(got), err)
	}
	if got := logs.lines("operation failed"); len(got)-before != 1 {
		t.Errorf("log lines for the damaged member: %q, want one", got[before:])
	}
}

// damagedZip is a zip of a small member and a large compressible one whose compressed bytes
// are overwritten in the middle; the central directory at the end stays intact.
func damagedZip(t *testing.T) []byte {
	var text bytes.Buffer
	for i := 0; text.Len() < 4<<20; i++ {
		fmt.Fprintf(&text, "line %d of a member that deflate compresses well\n", i)
	}
	z := archivetest.Zip([]archivetest.File{{Name: "small", Data: []byte("ok")}, {Name: "big", Data: text.Bytes()}})
	mid := len(z) / 2
	copy(z[mid:], bytes.Repeat([]byte{0xff, 0x00, 0x55}, 200))
	return z
}
