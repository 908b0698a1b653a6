package fs

import (
	"strings"
	"sync"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
)

// Object names are computed from a node's place in the tree, not stored in it: a rename moves an
// inode (and all it holds below) in go-fuse's tree, and every name below follows without a walk
// over the moved subtree.

// namer remembers the last name it computed, for a node that an unlink or a rename over it has
// detached from the tree while a handle still uses it.
type namer struct {
	mu   sync.Mutex
	last string
}

// relPath returns the path of in below the bucket root of this mount ("" for the root itself)
// and whether in is still attached to the tree.
func relPath(in *fusefs.Inode) (string, bool) {
	var parts []string
	for cur := in; ; {
		if d, ok := cur.Operations().(*dirNode); ok && d.root {
			break
		}
		name, parent := cur.Parent()
		if parent == nil {
			return "", false
		}
		parts = append(parts, name)
		cur = parent
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "/"), true
}

// resolve returns rootPrefix + the node's path (+ suffix), or the last one resolved if the node
// is detached.
func (nm *namer) resolve(in *fusefs.Inode, rootPrefix, suffix string) string {
	rel, ok := relPath(in)
	nm.mu.Lock()
	defer nm.mu.Unlock()
	if !ok {
		return nm.last
	}
	name := rootPrefix + rel
	if rel != "" {
		name += suffix
	}
	nm.last = name
	return name
}

// set records name as the node's current one (a node made before it joins the tree).
func (nm *namer) set(name string) {
	nm.mu.Lock()
	nm.last = name
	nm.mu.Unlock()
}
