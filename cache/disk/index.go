package disk

import (
	"math"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// index is the LRU order and size of the segment files in DIR/v2, by name, and the bytes
// reserved for files being written. It does no I/O: callers unlink the victims it returns.
// Not safe for concurrent use (Cache.mu).
type index struct {
	limit    int64
	held     int64 // bytes of the files in lru
	reserved int64 // bytes of files being written
	lru      *simplelru.LRU[string, int64]
}

func newIndex(limit int64) *index {
	lru, err := simplelru.NewLRU[string, int64](math.MaxInt, nil) // bytes decide, not counts
	if err != nil {
		panic(err) // only for a size <= 0
	}
	return &index{limit: limit, lru: lru}
}

// used is what the size bound counts.
func (x *index) used() int64 { return x.held + x.reserved }

// touch marks name as just used.
func (x *index) touch(name string) { x.lru.Get(name) }

// remove forgets name (its file is gone or going).
func (x *index) remove(name string) {
	if size, ok := x.lru.Peek(name); ok {
		x.lru.Remove(name)
		x.held -= size
	}
}

// makeRoom evicts least recently used files until size more bytes fit, and returns them.
func (x *index) makeRoom(size int64) (victims []string) {
	for x.used()+size > x.limit {
		name, n, ok := x.lru.RemoveOldest()
		if !ok {
			break
		}
		x.held -= n
		victims = append(victims, name)
	}
	return victims
}

// add records a file as the most recently used one, evicting others to make room for it.
func (x *index) add(name string, size int64) (victims []string) {
	x.remove(name)
	victims = x.makeRoom(size)
	x.lru.Add(name, size)
	x.held += size
	return victims
}

// reserve counts size bytes for a file being written, evicting others for room. It reserves
// nothing and reports false when even evicting every file would not make room (the rest is
// reserved by other files being written).
func (x *index) reserve(size int64) (victims []string, ok bool) {
	if x.reserved+size > x.limit {
		return nil, false
	}
	victims = x.makeRoom(size)
	x.reserved += size
	return victims, true
}

// commit turns a reservation into a file of size bytes (at most reserved), the most
// recently used.
func (x *index) commit(name string, size, reserved int64) {
	x.reserved -= reserved
	x.remove(name)
	x.lru.Add(name, size)
	x.held += size
}

// cancel returns a reservation whose file was not written.
func (x *index) cancel(size int64) { x.reserved -= size }

func (x *index) len() int { return x.lru.Len() }
