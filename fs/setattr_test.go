package fs

import (
	"maps"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

func TestChangeMeta(t *testing.T) {
	now := time.Unix(1800000000, 5)
	then := time.Unix(1600000000, 0)
	for _, tc := range []struct {
		name string
		in   fuse.SetAttrIn
		keys []string // patched keys
		want posixMeta
	}{
		{"chmod keeps the file type",
			fuse.SetAttrIn{SetAttrInCommon: fuse.SetAttrInCommon{Valid: fuse.FATTR_MODE, Mode: 0o4750}},
			[]string{metaCtime, metaMode}, posixMeta{mode: syscall.S_IFIFO | 0o4750, uid: -1, gid: -1, ctime: now}},
		{"chown to root",
			fuse.SetAttrIn{SetAttrInCommon: fuse.SetAttrInCommon{Valid: fuse.FATTR_UID | fuse.FATTR_GID}},
			[]string{metaCtime, metaGID, metaUID}, posixMeta{mode: syscall.S_IFIFO | 0o644, uid: 0, gid: 0, ctime: now}},
		{"utimens with UTIME_OMIT for atime",
			fuse.SetAttrIn{SetAttrInCommon: fuse.SetAttrInCommon{Valid: fuse.FATTR_MTIME, Mtime: uint64(then.Unix())}},
			[]string{metaCtime, metaMtime}, posixMeta{mode: syscall.S_IFIFO | 0o644, uid: -1, gid: -1, mtime: then, ctime: now}},
		{"atime only",
			fuse.SetAttrIn{SetAttrInCommon: fuse.SetAttrInCommon{Valid: fuse.FATTR_ATIME, Atime: uint64(then.Unix())}},
			[]string{metaAtime, metaCtime}, posixMeta{mode: syscall.S_IFIFO | 0o644, uid: -1, gid: -1, atime: then, ctime: now}},
		{"size only: the upload stamps the times",
			fuse.SetAttrIn{SetAttrInCommon: fuse.SetAttrInCommon{Valid: fuse.FATTR_SIZE}},
			nil, posixMeta{mode: syscall.S_IFIFO | 0o644, uid: -1, gid: -1, mtime: now, ctime: now}},
		{"nothing", fuse.SetAttrIn{}, nil, posixMeta{mode: syscall.S_IFIFO | 0o644, uid: -1, gid: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := &fileNode{attr: objAttr{meta: posixMeta{mode: syscall.S_IFIFO | 0o644, uid: -1, gid: -1}}}
			patch := n.changeMeta(&tc.in, now)
			if got := slices.Sorted(maps.Keys(patch)); !slices.Equal(got, tc.keys) {
				t.Errorf("patched %q, want %q", got, tc.keys)
			}
			if !sameMeta(n.attr.meta, tc.want) {
				t.Errorf("meta %+v, want %+v", n.attr.meta, tc.want)
			}
		})
	}
}
