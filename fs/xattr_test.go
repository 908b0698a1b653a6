package fs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/test/aiscluster"
)

func getxattr(t *testing.T, path, name string) (string, error) {
	t.Helper()
	buf := make([]byte, 4096)
	n, err := unix.Getxattr(path, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

func listxattr(t *testing.T, path string) []string {
	t.Helper()
	buf := make([]byte, 16<<10)
	n, err := unix.Listxattr(path, buf)
	if err != nil {
		t.Fatalf("listxattr %s: %v", path, err)
	}
	return strings.Split(strings.TrimSuffix(string(buf[:n]), "\x00"), "\x00")
}

func TestXattrProperties(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	_, err := c.PutObject(t.Context(), bck, "f", strings.NewReader("hello world, this is a test object\n"), 35,
		aisclient.PutOptions{Custom: map[string]string{"owner": "ml-team", "odd": "a=b,c d"}})
	if err != nil {
		t.Fatal(err)
	}
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	p := filepath.Join(mnt, "f")

	want := map[string]string{
		"user.ais.checksum.type":  "xxhash2",
		"user.ais.checksum.value": "40cf699f405b9eb2",
		"user.ais.version":        "1",
		"user.ais.present":        "true",
		"user.owner":              "ml-team",
		"user.odd":                "a=b,c d",
	}
	for name, v := range want {
		if got, err := getxattr(t, p, name); err != nil || got != v {
			t.Errorf("getxattr %s = %q, %v; want %q", name, got, err, v)
		}
	}
	names := listxattr(t, p)
	for _, n := range []string{"user.ais.atime", "user.ais.location", "user.owner", "user.odd"} {
		if !slices.Contains(names, n) {
			t.Errorf("listxattr = %v, lacks %s", names, n)
		}
	}
	if _, err := getxattr(t, p, "user.nope"); !errors.Is(err, syscall.ENODATA) {
		t.Errorf("missing xattr: %v, want ENODATA", err)
	}
	for _, name := range []string{"user.ais.version", "user.ais.checksum.value"} {
		if err := unix.Setxattr(p, name, []byte("x"), 0); !errors.Is(err, syscall.EPERM) {
			t.Errorf("setxattr %s: %v, want EPERM", name, err)
		}
		if err := unix.Removexattr(p, name); !errors.Is(err, syscall.EPERM) {
			t.Errorf("removexattr %s: %v, want EPERM", name, err)
		}
	}
	// A getfattr user would see the same.
	if out, err := exec.Command("getfattr", "-d", p).CombinedOutput(); err == nil {
		if !strings.Contains(string(out), `user.owner="ml-team"`) {
			t.Errorf("getfattr -d:\n%s", out)
		}
	} else if _, lookErr := exec.LookPath("getfattr"); lookErr == nil {
		t.Errorf("getfattr -d: %v\n%s", err, out)
	}
}

func TestXattrCustomMetadataRoundTrip(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "f", []byte("data"))
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	p := filepath.Join(mnt, "f")

	values := map[string]string{
		"user.label":   "cat",
		"user.tricky":  "k=v, spaces,and=more",
		"user.unicode": "Grüße 日本",
	}
	for name, v := range values {
		if err := unix.Setxattr(p, name, []byte(v), 0); err != nil {
			t.Fatalf("setxattr %s: %v", name, err)
		}
	}
	h, err := c.HeadObject(t.Context(), bck, "f")
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range values {
		if got := h.Custom[strings.TrimPrefix(name, "user.")]; got != v {
			t.Errorf("AIS custom %s = %q, want %q", name, got, v)
		}
		if got, err := getxattr(t, p, name); err != nil || got != v {
			t.Errorf("getxattr %s = %q, %v", name, got, err)
		}
	}
	if h.Version != "1" {
		t.Errorf("setxattr rewrote the object: version %s", h.Version)
	}
	if err := unix.Setxattr(p, "user.label", []byte("dog"), unix.XATTR_CREATE); !errors.Is(err, syscall.EEXIST) {
		t.Errorf("XATTR_CREATE on an existing key: %v, want EEXIST", err)
	}
	if err := unix.Removexattr(p, "user.label"); err != nil {
		t.Fatal(err)
	}
	if _, err := getxattr(t, p, "user.label"); !errors.Is(err, syscall.ENODATA) {
		t.Errorf("after removexattr: %v, want ENODATA", err)
	}
	h, _ = c.HeadObject(t.Context(), bck, "f")
	if _, ok := h.Custom["label"]; ok || h.Custom["tricky"] != values["user.tricky"] {
		t.Errorf("after removexattr AIS has %v", h.Custom)
	}
	if err := unix.Setxattr(p, "user.big", []byte(strings.Repeat("x", 4000)), 0); !errors.Is(err, syscall.E2BIG) {
		t.Errorf("oversized metadata: %v, want E2BIG", err)
	}
	if err := unix.Setxattr(p, "trusted.x", []byte("1"), 0); err == nil {
		t.Error("setxattr outside user.* succeeded")
	}
}

func TestBucketXattrsAndStatfs(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "d/f", []byte("x"))
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	for name, want := range map[string]string{
		"user.ais.bucket.provider":      "ais",
		"user.ais.bucket.checksum.type": "xxhash2",
	} {
		if got, err := getxattr(t, mnt, name); err != nil || got != want {
			t.Errorf("bucket xattr %s = %q, %v; want %q", name, got, err, want)
		}
	}
	if names := listxattr(t, filepath.Join(mnt, "d")); len(names) != 1 || names[0] != "" {
		t.Errorf("a plain directory has xattrs %v", names)
	}

	var st unix.Statfs_t
	if err := unix.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	capa, err := c.ClusterCapacity(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	total := st.Blocks * uint64(st.Bsize)
	if capa.Total == 0 || total/statfsBlock != capa.Total/statfsBlock {
		t.Errorf("statfs total %d bytes, cluster says %d", total, capa.Total)
	}
	if avail := st.Bavail * uint64(st.Bsize); avail == 0 || avail > total {
		t.Errorf("statfs available %d of %d", avail, total)
	}
}

// Names outside user.* are ENOTSUP on files and directories (the namespace is not kept here),
// and GNU ls -l, which remembers ENOTSUP per filesystem, asks them a few times in all instead
// of twice per file.
func TestXattrOtherNamespacesUnsupported(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	const files = 40
	for i := range files {
		if _, err := c.PutObject(t.Context(), bck, fmt.Sprintf("d/f%02d", i), strings.NewReader("x"), 1, aisclient.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	dir := filepath.Join(mnt, "d")
	for _, p := range []string{dir, filepath.Join(dir, "f00")} {
		for _, name := range []string{"security.selinux", "system.posix_acl_access", "trusted.x"} {
			if _, err := getxattr(t, p, name); !errors.Is(err, syscall.ENOTSUP) {
				t.Errorf("getxattr %s %s: %v, want ENOTSUP", p, name, err)
			}
		}
	}
	if _, err := getxattr(t, filepath.Join(dir, "f01"), "user.nope"); !errors.Is(err, syscall.ENODATA) {
		t.Errorf("a missing user.* name: %v, want ENODATA", err)
	}

	aiscluster.RequireTool(t, "strace")
	trace := filepath.Join(t.TempDir(), "trace")
	cmd := exec.Command("strace", "-f", "-o", trace, "-e", "trace=getxattr,lgetxattr", "ls", "-l", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("strace ls -l: %v %s", err, out)
	}
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	calls := strings.Count(string(data), "getxattr(")
	if calls > 4 {
		t.Errorf("ls -l of %d files made %d getxattr calls, want at most 4:\n%s", files, calls, data)
	}
}
