package fs

import (
	"context"
	"errors"
	"fmt"
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
			if got := listedNames(l); !slices.Equal(got, tc.wantNames) {
				t.Fatalf("names = %v, want %v", got, tc.wantNames)
			}
			for _, n := range tc.wantNames {
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

// listedNames are a listing's names in its order.
func listedNames(l *listing) []string {
	var names []string
	for i := 0; ; i++ {
		e, ok, _ := l.entry(context.Background(), i)
		if !ok {
			return names
		}
		names = append(names, e.name())
	}
}

// TestListingLooksUpWhatAISLists lists a directory whose names sort differently as object names
// ("a/" after "a-b" and "a.c") than as path components, through a real AIS, and finds every
// name, and no other, in the listing.
func TestListingLooksUpWhatAISLists(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	for _, name := range []string{"p/a-b", "p/a/x", "p/a.c", "p/a0", "p/b", "p/c/d/e"} {
		put(t, c, bck, name, []byte("x"))
	}
	l := newListing("p/", time.Now())
	// One page: AIS v1.5.0 loses entries across pages of a one-level listing where a name sorts
	// before a directory's "x/" but after "x" ("a-b", "a.c" here, with two-entry pages).
	more, err := listPages(t.Context(), c, bck, aisclient.ListOptions{Prefix: "p/", NoRecursion: true, Props: listProps},
		func(page []aisclient.Entry) error { l.addPage(page); return nil })
	l.finish(!more, err)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"a-b": false, "a": true, "a.c": false, "a0": false, "b": false, "c": true}
	if got := listedNames(l); len(got) != len(want) {
		t.Fatalf("listed %v, want the names of %v", got, want)
	}
	for name, dir := range want {
		e, ok := l.get(name)
		if !ok || e.isDir != dir {
			t.Errorf("get(%q) = %+v, %v; want a directory: %v", name, e, ok, dir)
		}
	}
	for _, name := range []string{"", "a-", "a/x", "b0", "d", "c/d"} {
		if e, ok := l.get(name); ok {
			t.Errorf("get(%q) found %+v", name, e)
		}
	}
	if !l.isComplete() {
		t.Error("a listing AIS finished is not complete")
	}
}

func TestCmpKey(t *testing.T) {
	tests := []struct {
		a    string
		aDir bool
		b    string
		bDir bool
		want int
	}{
		{"a", false, "a", false, 0},
		{"a", true, "a", true, 0},
		{"a", false, "a", true, -1},  // "a" < "a/"
		{"a", true, "a-b", false, 1}, // "a/" > "a-b"
		{"a", true, "a0", false, -1}, // "a/" < "a0"
		{"a", true, "a/", false, -1}, // "a/" < "a//"
		{"ab", false, "a", true, 1},  // "ab" > "a/"
		{"a.c", false, "a", true, -1},
	}
	for _, tc := range tests {
		got := cmpKey(tc.a, tc.aDir, tc.b, tc.bDir)
		if sign(got) != tc.want || sign(cmpKey(tc.b, tc.bDir, tc.a, tc.aDir)) != -tc.want {
			t.Errorf("cmpKey(%q %v, %q %v) = %d, want %d", tc.a, tc.aDir, tc.b, tc.bDir, got, tc.want)
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// TestListingStreams hands out entries as pages arrive: a reader waits for the next page, not
// for the whole listing, and learns the error that ended it.
func TestListingStreams(t *testing.T) {
	l := newListing("", time.Now())
	l.addPage([]aisclient.Entry{{Name: "a"}})
	if e, ok, err := l.entry(t.Context(), 0); !ok || err != nil || e.name() != "a" {
		t.Fatalf("first entry of a loading listing: %+v %v %v", e, ok, err)
	}
	got := make(chan string)
	go func() {
		e, ok, err := l.entry(context.Background(), 1)
		got <- fmt.Sprint(e.name(), ok, err)
	}()
	l.addPage([]aisclient.Entry{{Name: "b"}})
	if s := <-got; s != "btrue <nil>" {
		t.Fatalf("second entry: %s", s)
	}
	boom := errors.New("boom")
	go func() {
		_, ok, err := l.entry(context.Background(), 2)
		got <- fmt.Sprint(ok, err)
	}()
	l.finish(false, boom)
	if s := <-got; s != "false boom" {
		t.Fatalf("past the end of a failed listing: %s", s)
	}
	if l.isComplete() {
		t.Fatal("a failed listing is complete")
	}
}

// TestLentsChunks checks that entries keep their places across chunk boundaries.
func TestLentsChunks(t *testing.T) {
	var s lents
	const n = 3*lentChunk + 5
	for i := range n {
		s.push(lent{size: int64(i)})
	}
	if s.len() != n {
		t.Fatalf("len %d, want %d", s.len(), n)
	}
	for _, i := range []int{0, 1, lentChunk - 1, lentChunk, 2*lentChunk + 7, n - 1} {
		if got := s.at(i).size; got != int64(i) {
			t.Errorf("at(%d) holds entry %d", i, got)
		}
	}
}
