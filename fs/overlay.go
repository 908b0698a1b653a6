package fs

import (
	"sort"
	"sync"
)

// overlay holds what this mount knows of a directory that AIS cannot show yet or any more:
// directories made by mkdir (AIS has no directory objects, so they exist only here until a
// file lands below them), files being written but not uploaded, and names removed here that a
// listing may still show for a while (AIS keeps an emptied directory visible as a "ghost").
type overlay struct {
	mu      sync.Mutex
	local   map[string]*dirent // GUARDED_BY(mu)
	removed map[string]bool    // GUARDED_BY(mu)
}

func (o *overlay) add(e *dirent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.local == nil {
		o.local = map[string]*dirent{}
	}
	o.local[e.name] = e
	delete(o.removed, e.name)
}

// drop forgets a local entry; tombstone also hides a directory a listing may still show.
func (o *overlay) drop(name string, tombstone bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.local, name)
	if tombstone {
		if o.removed == nil {
			o.removed = map[string]bool{}
		}
		o.removed[name] = true
	}
}

func (o *overlay) get(name string) (*dirent, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.local[name]
	return e, ok
}

func (o *overlay) isRemoved(name string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.removed[name]
}

func (o *overlay) empty() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.local) == 0
}

// apply returns l as this mount sees it: local entries added, removed directories hidden.
func (o *overlay) apply(l *listing) *listing {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.local) == 0 && len(o.removed) == 0 {
		return l
	}
	out := &listing{at: l.at, complete: l.complete, byName: make(map[string]*dirent, len(l.byName)+len(o.local))}
	for name, e := range l.byName {
		if o.removed[name] && e.isDir {
			continue
		}
		out.byName[name] = e
	}
	for name, e := range o.local {
		if _, ok := out.byName[name]; !ok {
			out.byName[name] = e
		}
	}
	out.names = make([]string, 0, len(out.byName))
	for name := range out.byName {
		out.names = append(out.names, name)
	}
	sort.Strings(out.names)
	return out
}
