package fs

// Positions in a finished listing, in key order (the order AIS lists and readdir shows): what
// batched reads (prefetch.go) track opens by. Lock order: l.mu is a leaf; callers may hold
// dirPrefetch.mu.

// keyed returns how many entries l holds in key order and the i-th of them; 0 while it still
// loads out of order (its order is known once it is done). Needs l.mu.
func (l *listing) keyed() (int, func(int) *lent) {
	if l.sorted {
		return l.ents.len(), l.ents.at
	}
	return len(l.index), func(i int) *lent { return l.ents.at(int(l.index[i])) }
}

// positions is how many key-order positions a finished listing has (0 while it loads).
func (l *listing) positions() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.finished {
		return 0
	}
	n, _ := l.keyed()
	return n
}

// filePos returns the key-order position of the file name in a finished listing.
func (l *listing) filePos(name string) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.finished {
		return 0, false
	}
	n, at := l.keyed()
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e := at(m); cmpKey(e.name(), e.dir, name, false) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < n {
		if e := at(lo); e.name() == name && !e.dir {
			return lo, true
		}
	}
	return 0, false
}

// atPos returns the entry at key-order position pos of a finished listing (pos < positions()).
func (l *listing) atPos(pos int) *dirent {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, at := l.keyed()
	return l.dirent(at(pos))
}
