package fs

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestOwnerZeroIsAnOwner: on a mount whose default owner is 1000, chown 0:0 shows 0:0 for files
// and directories, a later touch keeps it, and a fresh mount sees the file's owner.
func TestOwnerZeroIsAnOwner(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	mnt := testMount(t, Config{Store: c, Bucket: bck, UID: 1000, GID: 1000})
	p := func(s string) string { return filepath.Join(mnt, s) }
	if err := os.Mkdir(p("d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p("d/f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"d", "d/f"} {
		if err := os.Chown(p(name), 1000, 1000); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p(name), 0, 0); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if err := os.Chtimes(p(name), now, now); err != nil {
			t.Fatal(err)
		}
		if uid, gid := owner(t, p(name)); uid != 0 || gid != 0 {
			t.Errorf("%s after chown 0:0 and touch: %d:%d", name, uid, gid)
		}
	}
	mnt2 := testMount(t, Config{Store: c, Bucket: bck, UID: 1000, GID: 1000})
	if uid, gid := owner(t, filepath.Join(mnt2, "d/f")); uid != 0 || gid != 0 {
		t.Errorf("a fresh mount shows d/f as %d:%d", uid, gid)
	}
}

func owner(t *testing.T, path string) (uint32, uint32) {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Uid, st.Gid
}

// TestSpecialFiles: mknod makes fifos, sockets and devices that keep type, mode and device
// number, in this mount and in a fresh one; mode 0000 stays 0000.
func TestSpecialFiles(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	dev := int(unix.Mkdev(1, 2))
	for _, tc := range []struct {
		name string
		mode uint32
		dev  int
	}{
		{"fifo", syscall.S_IFIFO | 0o640, 0},
		{"sock", syscall.S_IFSOCK | 0o600, 0},
		{"chr", syscall.S_IFCHR | 0o644, dev},
		{"blk", syscall.S_IFBLK | 0o640, dev}, // within the umask
		{"none", syscall.S_IFREG | 0, 0},
	} {
		if err := syscall.Mknod(filepath.Join(mnt, tc.name), tc.mode, tc.dev); err != nil {
			t.Fatalf("mknod %s: %v", tc.name, err)
		}
		for _, m := range []string{mnt, testMount(t, Config{Store: c, Bucket: bck})} {
			var st syscall.Stat_t
			if err := syscall.Lstat(filepath.Join(m, tc.name), &st); err != nil {
				t.Fatal(err)
			}
			if st.Mode != tc.mode || int(st.Rdev) != tc.dev || st.Size != 0 {
				t.Errorf("%s: mode %o rdev %x size %d, want mode %o rdev %x", tc.name, st.Mode, st.Rdev, st.Size, tc.mode, tc.dev)
			}
		}
	}
}
