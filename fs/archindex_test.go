package fs

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
)

func TestBuildArchIndex(t *testing.T) {
	tests := []struct {
		name    string
		members []aisclient.Member
		want    map[string][]string // directory -> names, directories ending in "/"
	}{
		{"flat", []aisclient.Member{{Name: "b", Size: 1}, {Name: "a", Size: 2}},
			map[string][]string{"": {"a", "b"}}},
		{"nested", []aisclient.Member{{Name: "x/y/z"}, {Name: "x/w"}, {Name: "top"}},
			map[string][]string{"": {"top", "x/"}, "x/": {"w", "y/"}, "x/y/": {"z"}}},
		{"file then dir of the same name: the dir wins", []aisclient.Member{{Name: "a"}, {Name: "a/b"}},
			map[string][]string{"": {"a/"}, "a/": {"b"}}},
		{"dir then file of the same name: the dir stays", []aisclient.Member{{Name: "a/b"}, {Name: "a"}},
			map[string][]string{"": {"a/"}, "a/": {"b"}}},
		{"names no path can reach are left out", []aisclient.Member{{Name: "a//b"}, {Name: "../x"}, {Name: "a/./c"}, {Name: "ok"}, {Name: "d/"}},
			map[string][]string{"": {"ok"}}},
		{"a leading slash is dropped", []aisclient.Member{{Name: "/abs"}},
			map[string][]string{"": {"abs"}}},
		{"duplicates keep the first", []aisclient.Member{{Name: "f", Size: 1}, {Name: "f", Size: 9}},
			map[string][]string{"": {"f"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx := buildArchIndex(&aisclient.Archive{Members: tt.members, Readable: true}, time.Time{})
			got := map[string][]string{}
			for dir, l := range idx.dirs {
				var names []string
				for _, n := range l.names {
					if l.byName[n].isDir {
						n += "/"
					}
					names = append(names, n)
				}
				if len(names) > 0 || dir == "" {
					got[dir] = names
				}
			}
			if len(got[""]) == 0 {
				delete(got, "")
			}
			if !maps.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("dirs = %v, want %v", got, tt.want)
			}
		})
	}
	idx := buildArchIndex(&aisclient.Archive{Members: []aisclient.Member{{Name: "f", Size: 1}, {Name: "f", Size: 9}, {Name: "d/g", Size: 3}}}, time.Time{})
	if e, ok := idx.member("f"); !ok || e.size != 1 {
		t.Errorf("member(f) = %+v, %v; want the first, size 1", e, ok)
	}
	if e, ok := idx.member("d/g"); !ok || e.size != 3 {
		t.Errorf("member(d/g) = %+v, %v", e, ok)
	}
	for _, p := range []string{"d", "nope", "d/nope", "x/g"} {
		if _, ok := idx.member(p); ok {
			t.Errorf("member(%q) found, want none", p)
		}
	}
}
