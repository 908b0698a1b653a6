package aisclient

import (
	"errors"
	"maps"
	"testing"
)

func TestDeleteObject(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "d/x", "x", PutOptions{})
	if err := c.DeleteObject(t.Context(), bck, "d/x"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadObject(t.Context(), bck, "d/x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("HeadObject after delete: %v", err)
	}
	if err := c.DeleteObject(t.Context(), bck, "d/x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
}

func TestRenameObject(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "src", "payload", PutOptions{Custom: map[string]string{"k": "v"}})
	put(t, c, bck, "dst", "old", PutOptions{})
	if err := c.RenameObject(t.Context(), bck, "src", "dir/renamed"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadObject(t.Context(), bck, "src"); !errors.Is(err, ErrNotFound) {
		t.Errorf("source after rename: %v", err)
	}
	if got := getAll(t, c, bck, "dir/renamed"); got != "payload" {
		t.Errorf("renamed content %q", got)
	}
	a, err := c.HeadObject(t.Context(), bck, "dir/renamed")
	if err != nil || a.Custom["k"] != "v" {
		t.Errorf("renamed attrs %+v, %v", a, err)
	}
	// An existing destination is replaced.
	if err := c.RenameObject(t.Context(), bck, "dir/renamed", "dst"); err != nil {
		t.Fatal(err)
	}
	if got := getAll(t, c, bck, "dst"); got != "payload" {
		t.Errorf("replaced destination holds %q", got)
	}
	// Onto a directory's name, or under an object: a name conflict.
	put(t, c, bck, "other", "o", PutOptions{})
	for _, to := range []string{"dir", "other/x"} {
		err := c.RenameObject(t.Context(), bck, "dst", to)
		if !errors.Is(err, ErrNameConflict) {
			t.Errorf("RenameObject(dst -> %s) = %v, want ErrNameConflict", to, err)
		}
	}
}

func TestPatchCustom(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	pa := put(t, c, bck, "m", "data", PutOptions{Custom: map[string]string{"a": "1", "b": "2"}})
	head := func() map[string]string {
		t.Helper()
		a, err := c.HeadObject(t.Context(), bck, "m")
		if err != nil {
			t.Fatal(err)
		}
		if a.Version != pa.Version {
			t.Errorf("version %s after PATCH, want %s", a.Version, pa.Version)
		}
		return a.Custom
	}
	for _, tc := range []struct {
		md      map[string]string
		replace bool
		want    map[string]string
	}{
		{map[string]string{"b": "20", "c": "3=x, y"}, false, map[string]string{"a": "1", "b": "20", "c": "3=x, y"}},
		{map[string]string{"only": "this"}, true, map[string]string{"only": "this"}},
		{map[string]string{"empty": ""}, false, map[string]string{"only": "this", "empty": ""}},
		{map[string]string{}, true, nil}, // clears every key
	} {
		if err := c.PatchCustom(t.Context(), bck, "m", tc.md, tc.replace); err != nil {
			t.Fatal(err)
		}
		if got := head(); !maps.Equal(got, tc.want) {
			t.Errorf("PatchCustom(%v, replace %v): %v, want %v", tc.md, tc.replace, got, tc.want)
		}
	}
}
