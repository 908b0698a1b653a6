package control

import (
	"errors"
	"strings"
	"testing"
)

const mountinfo = `22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
40 27 0:39 / /mnt/data rw,nosuid,nodev,relatime shared:1 - fuse.aisfs ais://data/train/ rw,user_id=0,group_id=0
41 40 0:40 / /mnt/data/inner rw,relatime - fuse.aisfs http://10.0.0.1:51080 rw,user_id=0,group_id=0
42 27 0:41 / /mnt/with\040space rw,relatime - fuse.aisfs ais://b rw
43 27 0:42 / /mnt/other rw,relatime - fuse.sshfs host:/x rw
44 27 0:43 / /mnt/data rw,relatime - fuse.aisfs ais://data2 rw
`

func TestReadMountsAndFind(t *testing.T) {
	mounts, err := ReadMounts(strings.NewReader(mountinfo))
	if err != nil {
		t.Fatal(err)
	}
	if len(mounts) != 4 {
		t.Fatalf("%d aisfs mounts, want 4: %+v", len(mounts), mounts)
	}
	if m := mounts[0]; m.Point != "/mnt/data" || m.Source != "ais://data/train/" || m.Dev != "0:39" || m.Key() != "40-0:39" {
		t.Errorf("first mount = %+v", m)
	}
	for _, tc := range []struct {
		path, point, source, rel string
	}{
		{"/mnt/data", "/mnt/data", "ais://data2", ""}, // the later of two mounts on one point
		{"/mnt/data/x/y.jpg", "/mnt/data", "ais://data2", "x/y.jpg"},
		{"/mnt/data/inner/ais/b", "/mnt/data/inner", "http://10.0.0.1:51080", "ais/b"},
		{"/mnt/data/innerx", "/mnt/data", "ais://data2", "innerx"},
		{"/mnt/with space/f", "/mnt/with space", "ais://b", "f"},
		{"/mnt/data/a/../b/", "/mnt/data", "ais://data2", "b"},
	} {
		m, rel, err := Find(mounts, tc.path)
		if err != nil || m.Point != tc.point || m.Source != tc.source || rel != tc.rel {
			t.Errorf("Find(%q) = %+v %q %v, want %s %s %q", tc.path, m, rel, err, tc.point, tc.source, tc.rel)
		}
	}
	for _, p := range []string{"/mnt/other/f", "/mnt", "/mnt/dat", "/proc/self"} {
		if _, _, err := Find(mounts, p); !errors.Is(err, ErrNotMounted) {
			t.Errorf("Find(%q) = %v, want ErrNotMounted", p, err)
		}
	}
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`/a\040b`: "/a b", `/t\011ab`: "/t\tab", `/back\134slash`: `/back\slash`, `/plain`: "/plain", `/end\04`: `/end\04`,
	} {
		if got := unescape(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
