package fs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aisfs/aisfs/test/aiscluster"
)

// TestLocalDirectoriesOutliveForget: what this mount keeps of directories only in memory (an
// empty mkdir'ed tree, a mode set with chmod) survives the kernel forgetting their inodes.
func TestLocalDirectoriesOutliveForget(t *testing.T) {
	c := newClient(t)
	bck := newBucket(t, c)
	put(t, c, bck, "listed/x", []byte("x"))
	mnt := testMount(t, Config{Store: c, Bucket: bck})
	p := func(s string) string { return filepath.Join(mnt, s) }
	if err := os.MkdirAll(p("a/b/c"), 0o755); err != nil {
		t.Fatal(err)
	}
	modes := map[string]os.FileMode{"a": 0o755, "a/b": 0o750, "a/b/c": 0o711, "listed": 0o700}
	for name, mode := range modes {
		if err := os.Chmod(p(name), mode); err != nil {
			t.Fatal(err)
		}
	}
	aiscluster.DropCaches(t)
	for name, mode := range modes {
		fi, err := os.Stat(p(name))
		if err != nil {
			t.Errorf("after the kernel forgot it: %v", err)
			continue
		}
		if got := fi.Mode().Perm(); got != mode {
			t.Errorf("%s: mode %v after the kernel forgot it, want %v", name, got, mode)
		}
	}
	if err := os.WriteFile(p("a/b/c/f"), []byte("y"), 0o644); err != nil {
		t.Fatalf("create in the mkdir'ed tree: %v", err)
	}
	// rmdir still removes a pinned directory, and it stays gone.
	if err := os.RemoveAll(p("a")); err != nil {
		t.Fatal(err)
	}
	aiscluster.DropCaches(t)
	if _, err := os.Stat(p("a")); !os.IsNotExist(err) {
		t.Errorf("a after rm -r: %v, want ENOENT", err)
	}
	ents, err := os.ReadDir(mnt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "listed" {
		t.Errorf("root lists %v, want only listed", ents)
	}
}
