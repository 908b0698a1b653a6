package disk

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// An open segment is a temp file in DIR/v2/tmp that writers fill, slot by slot, as the
// blocks of one segment of an object arrive. It is sealed (trailer written after the data,
// then renamed into place) when it is full, when the object's last block and all
// before it are in, when no block came for idleSeal, or at Close. Only sealed files are read.
type openSeg struct {
	id       segID
	f        *os.File
	path     string
	direct   bool
	ents     []entry // per slot; n == 0: not written (yet)
	claimed  []bool  // a writer took the slot
	count    int     // slots written
	last     int64   // slot of the object's last block (short, or flagged by Store); -1 while unknown
	pending  int     // writes in flight
	reserved int64   // bytes reserved in the index: trailer and the slots up to high
	high     int64   // slots counted in reserved
	lastW    time.Time
	failed   bool
}

// idleSeal is how long a segment waits for more blocks before it is sealed with what it has
// (a variable for tests that must see a segment sealed without it).
var idleSeal = 500 * time.Millisecond

// maxOpen bounds the segments being written (one file descriptor each).
const maxOpen = 256

// writer writes queued blocks until Close.
func (c *Cache) writer() {
	defer c.wg.Done()
	for j := range c.queue {
		c.wakeThrottled()
		if c.off.Load() {
			c.skipped.Add(1)
		} else if err := c.write(j); err != nil {
			c.errs.Add(1)
			c.turnOff(err)
		}
		j.done()
	}
}

// sealer seals segments that stopped growing, until Close.
func (c *Cache) sealer() {
	defer c.wg.Done()
	t := time.NewTicker(idleSeal / 4)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.sealIdle(false)
		}
	}
}

// sealIdle seals the segments idle for idleSeal, or all when all is set (Close: the writers
// are done).
func (c *Cache) sealIdle(all bool) {
	now := time.Now()
	var ready []*openSeg
	c.wmu.Lock()
	for id, s := range c.open {
		if s.pending == 0 && (all || now.Sub(s.lastW) >= idleSeal) {
			delete(c.open, id)
			ready = append(ready, s)
		}
	}
	c.wmu.Unlock()
	for _, s := range ready {
		c.finish(s)
	}
}

// write puts one block into the open segment of its segment.
func (c *Cache) write(j job) error {
	seg, slot := j.idx/c.g.slots, j.idx%c.g.slots
	c.mu.Lock()
	held := c.blocks[blockID{j.key, j.idx}] != nil
	c.mu.Unlock()
	if held || int64(len(j.data)) > c.g.slot || len(j.data) == 0 {
		c.skipped.Add(1)
		return nil
	}
	s, need, err := c.claim(segID{j.key, seg}, slot)
	if s == nil {
		if err == nil {
			c.skipped.Add(1)
		}
		return err
	}
	ok := need == 0 || c.reserve(need)
	if !ok && c.sealOthers(s) > 0 { // sealed files can be evicted; reservations cannot
		ok = c.reserve(need)
	}
	if ok {
		err = c.writeSlot(s, slot*c.g.slot, j.data)
	}
	var e entry
	if ok && err == nil {
		e = entry{uint32(len(j.data)), dataSum(j.data)}
		c.writtenBytes.Add(int64(len(j.data)))
	} else if err == nil {
		c.skipped.Add(1) // no room: the rest is reserved by other segments being written
	}
	c.wmu.Lock()
	s.pending--
	s.lastW = time.Now()
	if need > 0 && ok {
		s.reserved += need
	}
	if err != nil || !ok {
		s.failed = true // a write error, or no room: its reservation would be short
	}
	if e.n != 0 {
		s.ents[slot] = e
		s.count++
		if j.last || int64(len(j.data)) < c.cfg.BlockSize {
			s.last = slot
		}
	} else {
		s.claimed[slot] = false
	}
	done := s.pending == 0 && (s.failed || int64(s.count) == c.g.slots || (s.last >= 0 && int64(s.count) == s.last+1))
	if done && c.open[s.id] == s {
		delete(c.open, s.id)
	} else {
		done = false
	}
	c.wmu.Unlock()
	if done {
		c.finish(s)
	}
	return err
}

// reserve makes room for size more bytes, evicting least recently used files.
func (c *Cache) reserve(size int64) bool {
	c.mu.Lock()
	victims, ok := c.idx.reserve(size)
	c.evictedLocked(victims)
	c.mu.Unlock()
	c.unlink(victims)
	return ok
}

// sealOthers seals the open segments other than s with no write in flight, and returns how
// many it sealed.
func (c *Cache) sealOthers(s *openSeg) int {
	var ready []*openSeg
	c.wmu.Lock()
	for id, o := range c.open {
		if o != s && o.pending == 0 {
			delete(c.open, id)
			ready = append(ready, o)
		}
	}
	c.wmu.Unlock()
	for _, o := range ready {
		c.finish(o)
	}
	return len(ready)
}

// claim finds or starts the open segment of id and takes slot in it.
// It returns the bytes to reserve for the slot (and the trailer, for a new segment), or a
// nil segment when the slot is taken or too many segments are open.
func (c *Cache) claim(id segID, slot int64) (*openSeg, int64, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	s := c.open[id]
	if s == nil {
		if len(c.open) >= maxOpen {
			return nil, 0, nil
		}
		var err error
		if s, err = c.create(id); err != nil {
			return nil, 0, err
		}
		c.open[id] = s
	}
	if s.claimed[slot] || s.failed {
		return nil, 0, nil
	}
	s.claimed[slot] = true
	s.pending++
	var need int64
	if s.high == 0 {
		need = int64(trailerLen(id.key, c.g.slots))
	}
	if slot+1 > s.high {
		need += (slot + 1 - s.high) * c.g.slot
		s.high = slot + 1
	}
	return s, need, nil
}

// create opens a new temp file for a segment.
func (c *Cache) create(id segID) (*openSeg, error) {
	path := filepath.Join(c.tmp, "seg-"+strconv.FormatUint(c.gen.Add(1), 16))
	f, direct, err := c.createTemp(path)
	if err != nil {
		return nil, err
	}
	return &openSeg{id: id, f: f, path: path, direct: direct, ents: make([]entry, c.g.slots),
		claimed: make([]bool, c.g.slots), last: -1, lastW: time.Now()}, nil
}

// finish seals s, or drops it if it failed or holds nothing, and returns its reservation.
func (c *Cache) finish(s *openSeg) {
	name := segName(s.id.key, s.id.seg, c.gen.Add(1))
	n := int64(0) // slots up to the last one written
	for i, e := range s.ents {
		if e.n != 0 {
			n = int64(i) + 1
		}
	}
	var err error
	if s.failed || n == 0 || c.off.Load() {
		err = errAbandoned
	} else {
		err = c.seal(s, n)
	}
	if cerr := s.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = c.rename(s.path, name)
	}
	size := n*c.g.slot + int64(trailerLen(s.id.key, n))
	c.mu.Lock()
	var dead []string
	if err == nil {
		c.idx.commit(name, size, s.reserved)
		dead = c.addLocked(&segFile{name: name, key: s.id.key, seg: s.id.seg, ents: s.ents[:n:n], touched: time.Now()})
	} else {
		c.idx.cancel(s.reserved)
	}
	c.mu.Unlock()
	for _, d := range dead {
		os.Remove(filepath.Join(c.root, d))
	}
	if err != nil {
		os.Remove(s.path)
		if !errors.Is(err, errAbandoned) {
			c.errs.Add(1)
			c.turnOff(err)
		}
	}
}

var errAbandoned = errors.New("segment abandoned")

// seal writes the trailer after the n slots of s.
func (c *Cache) seal(s *openSeg, n int64) error {
	t := encodeTrailer(s.id.key, s.id.seg, c.g, s.ents[:n])
	_, err := s.f.WriteAt(t, n*c.g.slot)
	return err
}

// rename moves a sealed temp file into place, making its subdirectory the first time.
func (c *Cache) rename(tmp, name string) error {
	path := filepath.Join(c.root, name)
	err := os.Rename(tmp, path)
	if errors.Is(err, os.ErrNotExist) {
		if err = os.Mkdir(filepath.Dir(path), 0o700); err == nil || errors.Is(err, os.ErrExist) {
			err = os.Rename(tmp, path)
		}
	}
	return err
}
