package disk

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// found is one segment file seen by scan.
type found struct {
	*segFile
	size  int64
	mtime time.Time
	gen   uint64
}

// scan lists the segment files below root whose trailers check out, least recently used
// first. A file that does not check out is removed with a log line (its blocks are fetched
// again); files that are not segment files by name are left alone and not counted.
func (c *Cache) scan() ([]found, error) {
	subs, err := os.ReadDir(c.root)
	if err != nil {
		return nil, err
	}
	var out []found
	for _, s := range subs {
		if !s.IsDir() || len(s.Name()) != 2 {
			continue
		}
		ents, err := os.ReadDir(filepath.Join(c.root, s.Name()))
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			name := s.Name() + "/" + e.Name()
			seg, gen, ok := parseName(name)
			if !e.Type().IsRegular() || !ok {
				continue
			}
			fi, err := e.Info()
			if err != nil {
				continue // removed meanwhile
			}
			path := filepath.Join(c.root, name)
			key, slots, err := c.readTrailer(path, seg)
			if err == nil && segName(key, seg, 0)[:35] != name[:35] { // XX/ and the hash
				err = fmt.Errorf("%w: holds another object", errDamaged)
			}
			if err != nil {
				if !errors.Is(err, os.ErrNotExist) {
					c.errs.Add(1)
					os.Remove(path)
					c.log.Warn("disk cache: dropped a cache file it could not use; its blocks are fetched again",
						"file", path, "err", err)
				}
				continue
			}
			f := &segFile{name: name, key: key, seg: seg, ents: slots, touched: fi.ModTime()}
			out = append(out, found{f, fi.Size(), fi.ModTime(), gen})
		}
	}
	slices.SortFunc(out, func(a, b found) int { return a.mtime.Compare(b.mtime) })
	return out, nil
}
