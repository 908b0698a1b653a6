package fs

import "testing"

func TestRenamesCurrent(t *testing.T) {
	var r renames
	fileAt, dirAt := "d/a", "x/"
	r.begin(func() string { return fileAt }, "d/a", "d/b")
	dir := r.begin(func() string { return dirAt }, "x/", "y/")
	if r.begin(func() string { return "same" }, "same", "same") != nil {
		t.Error("a rename onto itself was recorded")
	}
	for _, tc := range []struct{ name, want string }{
		{"d/a", "d/b"},
		{"d/ab", "d/ab"}, // a file's name matches whole
		{"d/a/c", "d/a/c"},
		{"x/f", "y/f"}, // below a renamed directory
		{"x/sub/f", "y/sub/f"},
		{"xf", "xf"},
		{"other", "other"},
	} {
		if got := r.current(tc.name); got != tc.want {
			t.Errorf("current(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}

	fileAt = "d/b" // the tree moved the file: its run ends
	if got := r.current("d/a"); got != "d/a" {
		t.Errorf("after the tree moved it: current(d/a) = %q", got)
	}
	r.end(dir) // the directory rename failed: the tree will not move
	if got := r.current("x/f"); got != "x/f" {
		t.Errorf("after end: current(x/f) = %q", got)
	}
	if len(r.runs) != 0 {
		t.Errorf("%d runs left", len(r.runs))
	}
}
