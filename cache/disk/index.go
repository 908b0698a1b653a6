package disk

import (
	"math"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// index is the LRU order and size of the block files in DIR/v1, by name (XX/HASH-IDX). It
// does no I/O: callers unlink the victims it returns. Not safe for concurrent use (Cache.mu).
type index struct {
	limit int64
	used  int64 // bytes of the files in lru, and of those being written (reserved)
	lru   *simplelru.LRU[string, int64]
}

func newIndex(limit int64) *index {
	lru, err := simplelru.NewLRU[string, int64](math.MaxInt, nil) // bytes decide, not counts
	if err != nil {
		panic(err) // only for a size <= 0
	}
	return &index{limit: limit, lru: lru}
}

// touch marks name as just used and reports whether it is held.
func (x *index) touch(name string) bool {
	_, ok := x.lru.Get(name)
	return ok
}

// remove forgets name (its file is gone or going).
func (x *index) remove(name string) {
	if size, ok := x.lru.Peek(name); ok {
		x.lru.Remove(name)
		x.used -= size
	}
}

// makeRoom evicts least recently used files until size more bytes fit, and returns them.
func (x *index) makeRoom(size int64) (victims []string) {
	for x.used+size > x.limit {
		name, n, ok := x.lru.RemoveOldest()
		if !ok {
			break
		}
		x.used -= n
		victims = append(victims, name)
	}
	return victims
}

// add records a file as the most recently used one, evicting others to make room for it.
func (x *index) add(name string, size int64) (victims []string) {
	x.remove(name)
	victims = x.makeRoom(size)
	x.lru.Add(name, size)
	x.used += size
	return victims
}

// reserve counts size bytes for a file about to be written, evicting others for room.
func (x *index) reserve(size int64) (victims []string) {
	victims = x.makeRoom(size)
	x.used += size
	return victims
}

// commit records a file written into a reservation of size bytes as the most recently used.
// Another write of the same name may have committed first: that one's bytes are gone.
func (x *index) commit(name string, size int64) {
	x.remove(name)
	x.lru.Add(name, size)
}

// cancel returns a reservation whose file was not written.
func (x *index) cancel(size int64) { x.used -= size }

func (x *index) len() int { return x.lru.Len() }
