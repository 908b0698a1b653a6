package aisclient

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func names(entries []Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Name
	}
	return out
}

func TestListPaging(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	var want []string
	for i := range 25 {
		name := fmt.Sprintf("p/obj-%02d", i)
		put(t, c, bck, name, name, PutOptions{})
		want = append(want, name)
	}
	before := time.Now().Add(-time.Hour)

	pages := 0
	var got []Entry
	_, err := c.ListObjectsPages(t.Context(), bck, ListOptions{Prefix: "p/", PageSize: 7}, func(page []Entry) error {
		pages++
		if len(page) > 7 {
			t.Errorf("page of %d entries, want <= 7", len(page))
		}
		got = append(got, page...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 4 {
		t.Errorf("%d pages, want >= 4", pages)
	}
	if !slices.Equal(names(got), want) {
		t.Fatalf("listed %v, want %v", names(got), want)
	}
	for _, e := range got {
		if e.IsDir || e.Size != int64(len(e.Name)) || e.Version != "1" || len(e.Checksum) != 16 ||
			e.Atime.Before(before) || !e.Present {
			t.Errorf("entry %+v", e)
		}
	}

	all, more, err := c.ListObjects(t.Context(), bck, ListOptions{PageSize: 4})
	if err != nil || more || !slices.Equal(names(all), want) {
		t.Errorf("ListObjects = %v, more %v, %v", names(all), more, err)
	}

	// Limit stops early and says so.
	for _, limit := range []int{1, 7, 10} {
		some, more, err := c.ListObjects(t.Context(), bck, ListOptions{PageSize: 7, Limit: limit})
		if err != nil || !more || !slices.Equal(names(some), want[:limit]) {
			t.Errorf("Limit %d: %v, more %v, %v", limit, names(some), more, err)
		}
	}
	// A full last page still carries a continuation token, so more may be true here.
	exact, _, err := c.ListObjects(t.Context(), bck, ListOptions{Limit: 25})
	if err != nil || len(exact) != 25 {
		t.Errorf("Limit 25 of 25: %d entries, %v", len(exact), err)
	}
	if _, more, _ := c.ListObjects(t.Context(), bck, ListOptions{Limit: 26}); more {
		t.Error("Limit 26 of 25: more")
	}

	stop := errors.New("stop")
	calls := 0
	_, err = c.ListObjectsPages(t.Context(), bck, ListOptions{PageSize: 5}, func([]Entry) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("fn error: %v after %d calls, want stop after 1", err, calls)
	}
}

func TestListNoRecursion(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	for _, name := range []string{"top", "d1/f1", "d1/f2", "d1/sub/g1", "d1/sub/deeper/h", "d10/k"} {
		put(t, c, bck, name, "data", PutOptions{})
	}
	for _, tc := range []struct {
		prefix string
		want   []string
		dirs   []string
	}{
		{"", []string{"d1/", "d10/", "top"}, []string{"d1/", "d10/"}},
		{"d1/", []string{"d1/f1", "d1/f2", "d1/sub/"}, []string{"d1/sub/"}},
		{"d1/sub/", []string{"d1/sub/deeper/", "d1/sub/g1"}, []string{"d1/sub/deeper/"}},
		{"none/", nil, nil}, // AIS sends "entries": null
	} {
		got, more, err := c.ListObjects(t.Context(), bck, ListOptions{Prefix: tc.prefix, NoRecursion: true})
		if err != nil || more {
			t.Fatalf("prefix %q: %v, more %v", tc.prefix, err, more)
		}
		slices.SortFunc(got, func(a, b Entry) int {
			if a.Name < b.Name {
				return -1
			}
			return 1
		})
		if !slices.Equal(names(got), tc.want) {
			t.Errorf("prefix %q: %v, want %v", tc.prefix, names(got), tc.want)
		}
		for _, e := range got {
			if isDir := slices.Contains(tc.dirs, e.Name); e.IsDir != isDir || !isDir && e.Size != 4 {
				t.Errorf("prefix %q: entry %+v", tc.prefix, e)
			}
		}
	}
	// Paging works at one level too.
	got, _, err := c.ListObjects(t.Context(), bck, ListOptions{Prefix: "d1/", NoRecursion: true, PageSize: 1})
	if err != nil || len(got) != 3 {
		t.Errorf("paged one level: %v, %v", names(got), err)
	}
}

func TestListProps(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "x", "12345", PutOptions{})
	got, _, err := c.ListObjects(t.Context(), bck, ListOptions{Props: []string{"name", "size", "copies", "location"}})
	if err != nil || len(got) != 1 {
		t.Fatalf("%v, %v", got, err)
	}
	if e := got[0]; e.Size != 5 || e.Copies != 1 || e.Location == "" || e.Checksum != "" || !e.Atime.IsZero() {
		t.Errorf("entry %+v", e)
	}
}

// FirstPage bounds the first page only; later ones have PageSize (or the server's default).
func TestListFirstPage(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	for i := range 12 {
		put(t, c, bck, fmt.Sprintf("o%02d", i), "x", PutOptions{})
	}
	for _, tc := range []struct {
		first, size int
		want        []int
	}{
		{3, 5, []int{3, 5, 4}},
		{2, 0, []int{2, 10}},
		{20, 5, []int{5, 5, 2}}, // a first page larger than the rest: PageSize bounds it
	} {
		var sizes []int
		var got []Entry
		_, err := c.ListObjectsPages(t.Context(), bck, ListOptions{FirstPage: tc.first, PageSize: tc.size}, func(p []Entry) error {
			sizes, got = append(sizes, len(p)), append(got, p...)
			return nil
		})
		if err != nil || !slices.Equal(sizes, tc.want) || len(got) != 12 || got[0].Name != "o00" || got[11].Name != "o11" {
			t.Errorf("first %d, size %d: pages %v (want %v), %d entries, %v", tc.first, tc.size, sizes, tc.want, len(got), err)
		}
	}
}
