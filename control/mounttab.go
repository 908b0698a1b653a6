package control

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FSType is the type of an aisfs mount in the mount table.
const FSType = "fuse.aisfs"

// Mount is one aisfs entry of /proc/self/mountinfo.
type Mount struct {
	Point  string // mount point, unescaped
	Source string // the mount's source, as aisfs gave it (its canonical SOURCE)
	Dev    string // "MAJOR:MINOR" of the mount
	ID     string // the mount's ID in the mount table
}

// Key names the mount for as long as it lives: its ID and device. Either may be reused by a
// later mount, both at once hardly.
func (m Mount) Key() string { return m.ID + "-" + m.Dev }

// ErrNotMounted is wrapped by Find's error for a path outside every aisfs mount.
var ErrNotMounted = errors.New("not in an aisfs mount")

// ReadMounts returns the aisfs mounts of r, a mountinfo file, in its order.
func ReadMounts(r io.Reader) ([]Mount, error) {
	var out []Mount
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
		f := strings.Fields(sc.Text())
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+2 >= len(f) || f[sep+1] != FSType {
			continue
		}
		out = append(out, Mount{Point: unescape(f[4]), Source: unescape(f[sep+2]), Dev: f[2], ID: f[0]})
	}
	return out, sc.Err()
}

// unescape undoes the kernel's octal escapes (\040 for a space, \011, \012, \134).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Find returns the aisfs mount that holds path and path relative to its mount point ("" for
// the mount point itself). The innermost mount wins, and of two mounts on one point the later.
func Find(mounts []Mount, path string) (Mount, string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Mount{}, "", err
	}
	best := -1
	for i, m := range mounts {
		if within(abs, m.Point) && (best < 0 || len(m.Point) >= len(mounts[best].Point)) {
			best = i
		}
	}
	if best < 0 {
		return Mount{}, "", fmt.Errorf("%s: %w", path, ErrNotMounted)
	}
	m := mounts[best]
	rel, _ := filepath.Rel(m.Point, abs)
	if rel == "." {
		rel = ""
	}
	return m, filepath.ToSlash(rel), nil
}

func within(path, dir string) bool {
	return path == dir || dir == "/" || strings.HasPrefix(path, dir+"/")
}

// Mounts reads this process's mount table.
func Mounts() ([]Mount, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadMounts(f)
}

// FindPath is Find on this process's mount table; a path that reaches a mount only through a
// symbolic link is found too.
func FindPath(path string) (Mount, string, error) {
	mounts, err := Mounts()
	if err != nil {
		return Mount{}, "", err
	}
	m, rel, err := Find(mounts, path)
	if errors.Is(err, ErrNotMounted) {
		if real, rerr := filepath.EvalSymlinks(path); rerr == nil && real != path {
			if m, rel, err2 := Find(mounts, real); err2 == nil {
				return m, rel, nil
			}
		}
	}
	return m, rel, err
}

// MountOf returns the last aisfs mount on point (an absolute path without symbolic links),
// for the daemon that just mounted it.
func MountOf(point string) (Mount, error) {
	mounts, err := Mounts()
	if err != nil {
		return Mount{}, err
	}
	var found Mount
	for _, m := range mounts {
		if m.Point == point {
			found = m
		}
	}
	if found.Dev == "" {
		return Mount{}, fmt.Errorf("%s: no aisfs mount in /proc/self/mountinfo", point)
	}
	return found, nil
}
