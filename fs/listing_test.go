package fs

import (
	"slices"
	"testing"
	"time"

	"github.com/aisfs/aisfs/aisclient"
)

func TestBuildListing(t *testing.T) {
	at := time.Unix(100, 0)
	tests := []struct {
		name      string
		prefix    string
		entries   []aisclient.Entry
		wantNames []string
		wantDirs  []string
	}{
		{"root", "", []aisclient.Entry{
			{Name: "a", Size: 1}, {Name: "d/", IsDir: true}, {Name: "e/", IsDir: false},
		}, []string{"a", "d", "e"}, []string{"d", "e"}},
		{"nested", "x/y/", []aisclient.Entry{
			{Name: "x/y/", IsDir: true}, {Name: "x/y/f", Size: 3}, {Name: "x/y/g/", IsDir: true},
			{Name: "x/y/g/deeper"}, {Name: "other/z"},
		}, []string{"f", "g"}, []string{"g"}},
		{"duplicates keep first", "", []aisclient.Entry{{Name: "a", Size: 1}, {Name: "a", Size: 2}}, []string{"a"}, nil},
		{"empty", "p/", nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := buildListing(tc.prefix, tc.entries, true, at)
			if !slices.Equal(l.names, tc.wantNames) {
				t.Fatalf("names = %v, want %v", l.names, tc.wantNames)
			}
			for _, n := range l.names {
				e, _ := l.get(n)
				if e.isDir != slices.Contains(tc.wantDirs, n) {
					t.Errorf("%s: isDir = %v", n, e.isDir)
				}
			}
		})
	}
	l := buildListing("", []aisclient.Entry{{Name: "a", Size: 7, Version: "3", Checksum: "ab"}}, true, at)
	if e, _ := l.get("a"); e.attr != (objAttr{size: 7, version: "3", cksum: "ab", meta: noMeta}) {
		t.Errorf("attributes not carried from the listing: %+v", e.attr)
	}
}
