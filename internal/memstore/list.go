package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/xxhash"
)

// defaultProps are the properties listed when ListOptions.Props is empty, as aisclient's.
var defaultProps = []string{"name", "size", "version", "checksum", "atime"}

// ListObjects lists names under opts.Prefix in order. With NoRecursion it lists one level:
// objects, and directories as entries ending in "/" (ghosts included). more reports that
// opts.Limit cut the listing short.
func (s *Store) ListObjects(ctx context.Context, bck aisclient.Bck, opts aisclient.ListOptions) ([]aisclient.Entry, bool, error) {
	if err := s.enter(ctx, OpListObjects, bck, opts.Prefix); err != nil {
		return nil, false, err
	}
	props := opts.Props
	if len(props) == 0 {
		props = defaultProps
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucketLocked(bck)
	if err != nil {
		return nil, false, err
	}
	byName := map[string]aisclient.Entry{}
	dir := func(name string) {
		rest := name[len(opts.Prefix):]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			d := opts.Prefix + rest[:i+1]
			byName[d] = aisclient.Entry{Name: d, IsDir: true}
		}
	}
	for name, o := range b.objs {
		if !strings.HasPrefix(name, opts.Prefix) {
			continue
		}
		if opts.NoRecursion && strings.Contains(name[len(opts.Prefix):], "/") {
			dir(name)
			continue
		}
		byName[name] = o.entry(name, props)
	}
	if opts.NoRecursion {
		for g := range b.ghosts {
			if strings.HasPrefix(g, opts.Prefix) && g != opts.Prefix {
				dir(g)
			}
		}
	}
	names := slices.Sorted(maps.Keys(byName))
	more := opts.Limit > 0 && len(names) > opts.Limit
	if more {
		names = names[:opts.Limit]
	}
	out := make([]aisclient.Entry, len(names))
	for i, n := range names {
		out[i] = byName[n]
	}
	return out, more, nil
}

// entry renders an object as a listing shows it: only the properties asked for.
func (o *object) entry(name string, props []string) aisclient.Entry {
	e := aisclient.Entry{Name: name, Present: true}
	for _, p := range props {
		switch p {
		case "size":
			e.Size = int64(len(o.data))
		case "version":
			e.Version = strconv.Itoa(o.version)
		case "checksum":
			e.Checksum = xxhash.Hex(xxhash.Sum64(o.data))
		case "atime":
			e.Atime = o.atime
		case "copies":
			e.Copies = 1
		case "location":
			e.Location = "t[mem]:mp[/mem]"
		case "custom":
			e.CustomRaw = renderCustom(o.custom)
		}
	}
	return e
}

// renderCustom writes custom metadata the way AIS listings do: "[k:v k2:v2]", keys sorted.
func renderCustom(md map[string]string) string {
	if len(md) == 0 {
		return ""
	}
	s := fmt.Sprint(md) // "map[k:v k2:v2]", sorted
	return strings.TrimPrefix(s, "map")
}
