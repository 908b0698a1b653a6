package fs

import (
	"fmt"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMetaKeysRoundTrip(t *testing.T) {
	at := time.Unix(1700000000, 123456789)
	for _, tc := range []struct {
		name string
		m    posixMeta
		typ  uint32
	}{
		{"unset", noMeta, syscall.S_IFREG},
		{"root owns it", posixMeta{mode: syscall.S_IFREG | 0o4755, uid: 0, gid: 0, mtime: at, ctime: at}, syscall.S_IFREG},
		{"symlink", posixMeta{mode: syscall.S_IFLNK | 0o777, uid: 65534, gid: -1, mtime: at}, syscall.S_IFLNK},
		{"fifo", posixMeta{mode: syscall.S_IFIFO | 0o644, uid: -1, gid: 65533, ctime: at}, syscall.S_IFIFO},
		{"socket", posixMeta{mode: syscall.S_IFSOCK | 0o755, uid: -1, gid: -1}, syscall.S_IFSOCK},
		{"char device", posixMeta{mode: syscall.S_IFCHR | 0o600, uid: -1, gid: -1, rdev: 0x0103}, syscall.S_IFCHR},
		{"block device, utimens", posixMeta{mode: syscall.S_IFBLK | 0o660, uid: 1, gid: 2, rdev: 0x0801, atime: at, mtime: at}, syscall.S_IFBLK},
		{"directory bits are not a file type", posixMeta{mode: syscall.S_IFDIR | 0o755, uid: -1, gid: -1}, syscall.S_IFREG},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := tc.m.keys()
			if got := metaFromMap(keys); !sameMeta(got, tc.m) {
				t.Errorf("from HEAD: got %+v, want %+v", got, tc.m)
			}
			if got := metaFromListing(listingRendering(keys)); !sameMeta(got, tc.m) {
				t.Errorf("from listing %q: got %+v, want %+v", listingRendering(keys), got, tc.m)
			}
			if got := tc.m.fileType(); got != tc.typ {
				t.Errorf("fileType = %o, want %o", got, tc.typ)
			}
		})
	}
}

func sameMeta(a, b posixMeta) bool {
	return a.mode == b.mode && a.uid == b.uid && a.gid == b.gid && a.rdev == b.rdev &&
		a.mtime.Equal(b.mtime) && a.atime.Equal(b.atime) && a.ctime.Equal(b.ctime)
}

// listingRendering is how AIS's listing shows custom metadata: "[k:v k2:v2]".
func listingRendering(keys map[string]string) string {
	parts := []string{"other:x y"}
	for k, v := range keys {
		parts = append(parts, fmt.Sprintf("%s:%s", k, v))
	}
	sort.Strings(parts)
	return "[" + strings.Join(parts, " ") + "]"
}
