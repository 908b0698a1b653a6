package disk

import (
	"os"
	"path/filepath"
	"slices"
	"time"
)

// found is one block file seen by scan.
type found struct {
	name  string // XX/HASH-IDX
	size  int64
	mtime time.Time
}

// scan lists the block files below root, least recently used first. Files that are not block
// files are left alone; they do not count against the size.
func scan(root string) ([]found, error) {
	subs, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var out []found
	for _, s := range subs {
		if !s.IsDir() || len(s.Name()) != 2 {
			continue
		}
		ents, err := os.ReadDir(filepath.Join(root, s.Name()))
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			name := s.Name() + "/" + e.Name()
			if !e.Type().IsRegular() || !parseName(name) {
				continue
			}
			fi, err := e.Info()
			if err != nil {
				continue // removed meanwhile
			}
			n := (fi.Size() + fileAlign - 1) / fileAlign * fileAlign
			out = append(out, found{name, n, fi.ModTime()})
		}
	}
	slices.SortFunc(out, func(a, b found) int { return a.mtime.Compare(b.mtime) })
	return out, nil
}
