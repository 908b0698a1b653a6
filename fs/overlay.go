package fs

import (
	"sort"
	"sync"
	"time"
)

// overlay is what this mount changed in a directory that its last listing cannot show yet.
// Local changes are recorded here instead of dropping the listing, so creating many files in one
// directory (cp -r, tar x) costs no LIST per file: AIS keeps every list-objects call alive for a
// while and many of them slow the cluster down.
//
// An entry (a file created or uploaded here, a directory made by mkdir) or a removal holds until
// a listing newer than it reflects AIS: then the listing speaks. Exceptions: files not uploaded
// yet and mkdir'ed directories AIS cannot have (it has no directory objects) stay until AIS shows
// them, and a removed directory stays hidden while AIS still lists it, since AIS may show an
// emptied directory (a "ghost") for a while.
type overlay struct {
	mu      sync.Mutex
	local   map[string]*dirent   // GUARDED_BY(mu)
	removed map[string]time.Time // GUARDED_BY(mu): when the name was removed here
}

// add records an entry; e.at must be set.
func (o *overlay) add(e *dirent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.local == nil {
		o.local = map[string]*dirent{}
	}
	o.local[e.name] = e
	delete(o.removed, e.name)
}

// changed records new attributes of a file (a chmod, chown or utimens): a local entry keeps its
// state with the new attributes, else a new entry holds them until a newer listing shows them.
func (o *overlay) changed(name string, a objAttr, at time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if e, ok := o.local[name]; ok && !e.isDir {
		ne := *e
		ne.attr = a
		o.local[name] = &ne
		return
	}
	if o.local == nil {
		o.local = map[string]*dirent{}
	}
	o.local[name] = &dirent{name: name, attr: a, at: at}
	delete(o.removed, name)
}

// remove records that name is gone.
func (o *overlay) remove(name string, at time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.local, name)
	if o.removed == nil {
		o.removed = map[string]time.Time{}
	}
	o.removed[name] = at
}

// resolve returns what name is as this mount sees it, given listing l (nil if none), and
// whether the answer is final: false means l does not know and the name must be probed.
// known says that a name l does not hold is absent (l is complete).
func (o *overlay) resolve(name string, l *listing, known bool) (*dirent, bool, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var listed *dirent
	inList := false
	if l != nil {
		listed, inList = l.get(name)
	}
	return o.decide(name, listed, inList, l, known)
}

// decide is resolve given what l says of name. Needs o.mu.
func (o *overlay) decide(name string, listed *dirent, inList bool, l *listing, known bool) (*dirent, bool, bool) {
	if e, ok := o.local[name]; ok {
		switch {
		case e.pending || l == nil || !e.at.Before(l.at):
			return e, true, true
		case e.isDir && !inList:
			return e, true, true // AIS has nothing below it yet
		}
		delete(o.local, name) // AIS has caught up: the listing speaks
	}
	if at, ok := o.removed[name]; ok {
		switch {
		case inList && listed.isDir:
			return nil, false, true // a ghost, or one another host filled: hidden until made here
		case inList && at.Before(l.at):
			delete(o.removed, name) // recreated elsewhere after our removal
			return listed, true, true
		case l != nil && at.Before(l.at):
			delete(o.removed, name)
		}
		return nil, false, true
	}
	if l == nil {
		return nil, false, false
	}
	if inList {
		return listed, true, true
	}
	return nil, false, known
}

// listed is what a listed entry shows as; seen is told of names the overlay has an entry for.
func (o *overlay) listed(e *lent, l *listing, seen func(string)) (*dirent, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	name := e.name()
	_, local := o.local[name]
	_, removed := o.removed[name]
	if !local && !removed {
		return l.dirent(e), true
	}
	if local {
		seen(name)
	}
	d, ok, _ := o.decide(name, l.dirent(e), true, l, true)
	return d, ok
}

// unlisted is what a local entry that listing l does not show shows as.
func (o *overlay) unlisted(name string, l *listing) (*dirent, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, ok, _ := o.decide(name, nil, false, l, l.isComplete())
	return d, ok
}

// localNames are the names of the overlay's entries, sorted.
func (o *overlay) localNames() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.local) == 0 {
		return nil
	}
	names := make([]string, 0, len(o.local))
	for name := range o.local {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
