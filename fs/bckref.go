package fs

import (
	"sync"

	"github.com/aisfs/aisfs/aisclient"
)

// bckRefs hands out one shared copy of each bucket's name for the mount's file nodes: a file node
// keeps a pointer (8 bytes) where a Bck value (three strings, 48 bytes) would be repeated in each
// of up to --max-inodes nodes. Safe for concurrent use; the zero value is ready. A mount sees few
// buckets, so the table never shrinks.
type bckRefs struct {
	m sync.Map // aisclient.Bck -> *aisclient.Bck
}

// ref returns the shared copy of b. Callers must not modify it.
func (r *bckRefs) ref(b aisclient.Bck) *aisclient.Bck {
	if p, ok := r.m.Load(b); ok {
		return p.(*aisclient.Bck)
	}
	p, _ := r.m.LoadOrStore(b, &b)
	return p.(*aisclient.Bck)
}
