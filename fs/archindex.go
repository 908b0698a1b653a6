package fs

import (
	"sort"
	"strings"
	"time"

	"github.com/aisfs/aisfs/aisclient"
)

// archiveSuffixes are the object names --archives shows as directories: the archive formats
// AIS reads on the server (cmn/archive in AIS v1.5.0).
var archiveSuffixes = []string{".tar", ".tgz", ".tar.gz", ".tar.lz4", ".zip"}

// isArchiveName reports whether an object name is one AIS can open as an archive.
func isArchiveName(name string) bool {
	for _, s := range archiveSuffixes {
		if len(name) > len(s) && strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// archIndex is one listing of an archive's members, as a tree. Immutable once built.
type archIndex struct {
	at       time.Time
	shard    objAttr // the archive object the listing saw; members are keyed by it
	readable bool    // AIS read it as an archive
	dirs     map[string]*archDirList
}

// archDirList is one directory inside an archive: "" is the top, "a/b/" a nested one.
type archDirList struct {
	names  []string
	byName map[string]archEntry
}

type archEntry struct {
	isDir bool
	size  int64
}

// buildArchIndex turns member paths into directories. A name that is both a file and a
// directory (a/b and a/b/c) is a directory; a name with "." or ".." components, an empty one
// or one longer than a path component may be is left out, since no path could reach it.
func buildArchIndex(arch *aisclient.Archive, at time.Time) *archIndex {
	idx := &archIndex{at: at, shard: attrFromEntry(&arch.Shard), readable: arch.Readable,
		dirs: map[string]*archDirList{"": {byName: map[string]archEntry{}}}}
	for _, m := range arch.Members {
		parts, ok := memberParts(m.Name)
		if !ok {
			continue
		}
		dir := ""
		for i, p := range parts {
			if i == len(parts)-1 {
				idx.add(dir, p, archEntry{size: m.Size})
				break
			}
			idx.add(dir, p, archEntry{isDir: true})
			dir += p + "/"
		}
	}
	for _, d := range idx.dirs {
		sort.Strings(d.names)
	}
	return idx
}

func memberParts(name string) ([]string, bool) {
	parts := strings.Split(strings.TrimPrefix(name, "/"), "/")
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || len(p) > maxNameLen {
			return nil, false
		}
	}
	return parts, true
}

// add records name in dir; a directory replaces a file of the same name, the first file of a
// name stays (AIS serves the first match).
func (idx *archIndex) add(dir, name string, e archEntry) {
	d := idx.dirs[dir]
	old, seen := d.byName[name]
	switch {
	case !seen:
		d.names = append(d.names, name)
	case old.isDir || !e.isDir:
		return
	}
	d.byName[name] = e
	if e.isDir && idx.dirs[dir+name+"/"] == nil {
		idx.dirs[dir+name+"/"] = &archDirList{byName: map[string]archEntry{}}
	}
}

// member returns the file at path ("a/b/c"), if the archive holds one.
func (idx *archIndex) member(path string) (archEntry, bool) {
	dir, name := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir, name = path[:i+1], path[i+1:]
	}
	d := idx.dirs[dir]
	if d == nil {
		return archEntry{}, false
	}
	e, ok := d.byName[name]
	return e, ok && !e.isDir
}
