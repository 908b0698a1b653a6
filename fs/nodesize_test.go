package fs

import (
	"testing"
	"unsafe"

	"github.com/aisfs/aisfs/aisclient"
)

// The kernel may know --max-inodes files (128Ki by default) at once, and the daemon holds a node
// for each: every byte of fileNode costs 128 KiB of the memory goal of issue 9 (a 1,000,000-object
// `ls -l` under 300 MiB). These bounds catch a field added to the hot structs by accident; state
// only used files need belongs in fileUsed, which a listed file never allocates.
func TestNodeSizes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		size, max uintptr
	}{
		{"fileNode", unsafe.Sizeof(fileNode{}), 416},
		{"objAttr", unsafe.Sizeof(objAttr{}), 168},
		{"lruLink", unsafe.Sizeof(lruLink{}), 24},
	} {
		if tc.size > tc.max {
			t.Errorf("%s is %d bytes, more than %d: move what listed files do not need to fileUsed", tc.name, tc.size, tc.max)
		}
	}
}

// A listed file that is never opened, changed or asked for xattrs has no fileUsed.
func TestFileUsedIsLazy(t *testing.T) {
	f := &FS{}
	n := f.newFile(aisclient.Bck{Name: "b", Provider: aisclient.ProviderAIS}, "x")
	if n.used.Load() != nil {
		t.Fatal("a new file node has its fileUsed already")
	}
	n.mu.Lock()
	n.dropProps() // must not allocate
	n.mu.Unlock()
	if n.used.Load() != nil {
		t.Fatal("dropProps allocated fileUsed")
	}
	got := make(chan *fileUsed, 8)
	for range cap(got) { // racing first uses agree on one fileUsed
		go func() { got <- n.use() }()
	}
	u := <-got
	for range cap(got) - 1 {
		if v := <-got; v != u || u == nil {
			t.Fatal("use() must return one fileUsed for the node's life")
		}
	}
}
