package posix

import (
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

// The operations of TestModel, each run on the model and on the mount.

type opKind int

const (
	opCreate opKind = iota
	opWrite
	opTruncate
	opRename
	opUnlink
	opMkdir
	opRmdir
	opChmod
	opUtimens
	opSymlink
)

var opNames = [...]string{"create", "write", "truncate", "rename", "unlink", "mkdir", "rmdir", "chmod", "utimens", "symlink"}

// opWeights: how often each kind is drawn.
var opWeights = [...]int{16, 14, 8, 12, 8, 12, 8, 7, 7, 6}

type op struct {
	kind   opKind
	path   string
	path2  string // rename: the target; symlink: the link's target
	off, n int64  // write: offset and length; create: length; truncate: size
	perm   uint32
	seed   uint64 // of the bytes written
	mtime  time.Time
}

func (o op) String() string {
	switch o.kind {
	case opCreate:
		return fmt.Sprintf("create %s (%d bytes)", o.path, o.n)
	case opWrite:
		return fmt.Sprintf("write %s at %d (%d bytes)", o.path, o.off, o.n)
	case opTruncate:
		return fmt.Sprintf("truncate %s to %d", o.path, o.n)
	case opRename:
		return fmt.Sprintf("rename %s -> %s", o.path, o.path2)
	case opMkdir:
		return fmt.Sprintf("mkdir %s %#o", o.path, o.perm)
	case opChmod:
		return fmt.Sprintf("chmod %#o %s", o.perm, o.path)
	case opUtimens:
		return fmt.Sprintf("utimens %s %s", o.path, o.mtime.UTC().Format(time.RFC3339Nano))
	case opSymlink:
		return fmt.Sprintf("symlink %s -> %s", o.path, o.path2)
	}
	return opNames[o.kind] + " " + o.path
}

// data is the op's bytes, the same on every run.
func (o op) data() []byte {
	b := make([]byte, o.n)
	mrand.NewChaCha8([32]byte{byte(o.seed), byte(o.seed >> 8), byte(o.seed >> 16), byte(o.seed >> 24)}).Read(b)
	return b
}

func (o op) onModel(m *model) syscall.Errno {
	switch o.kind {
	case opCreate:
		return m.create(o.path, o.data())
	case opWrite:
		return m.write(o.path, o.off, o.data())
	case opTruncate:
		return m.truncate(o.path, o.n)
	case opRename:
		return m.rename(o.path, o.path2)
	case opUnlink:
		return m.unlink(o.path)
	case opMkdir:
		return m.mkdir(o.path, o.perm)
	case opRmdir:
		return m.rmdir(o.path)
	case opChmod:
		return m.chmod(o.path, o.perm)
	case opUtimens:
		return m.utimens(o.path, o.mtime)
	case opSymlink:
		return m.symlink(o.path2, o.path)
	}
	panic("unknown op")
}

func (o op) onMount(root string) syscall.Errno {
	p := filepath.Join(root, o.path)
	switch o.kind {
	case opCreate:
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return errnoOf(err)
		}
		_, werr := f.Write(o.data())
		cerr := f.Close()
		return errnoOf(firstErr(werr, cerr))
	case opWrite:
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return errnoOf(err)
		}
		_, werr := f.WriteAt(o.data(), o.off)
		cerr := f.Close()
		return errnoOf(firstErr(werr, cerr))
	case opTruncate:
		return errnoOf(syscall.Truncate(p, o.n))
	case opRename:
		return errnoOf(syscall.Rename(p, filepath.Join(root, o.path2)))
	case opUnlink:
		return errnoOf(syscall.Unlink(p))
	case opMkdir:
		return errnoOf(syscall.Mkdir(p, o.perm))
	case opRmdir:
		return errnoOf(syscall.Rmdir(p))
	case opChmod:
		return errnoOf(syscall.Chmod(p, o.perm))
	case opUtimens:
		ts := syscall.NsecToTimespec(o.mtime.UnixNano())
		return errnoOf(syscall.UtimesNano(p, []syscall.Timespec{ts, ts}))
	case opSymlink:
		return errnoOf(syscall.Symlink(o.path2, p))
	}
	panic("unknown op")
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// opGen draws operations, mostly on names that exist so that they collide and nest.
type opGen struct {
	r    *mrand.Rand
	seed uint64
}

// names is small on purpose: a few names at a few levels make renames over existing names,
// directories reused as files and deep moves common.
var names = []string{"a", "b", "c", "d"}

func (g *opGen) next(m *model) op {
	for {
		o := g.draw(m)
		src := m.nodes[o.path]
		switch {
		case o.kind == opMkdir && m.ghostsBelow(o.path):
		case o.kind == opRename && src != nil && src.kind == kDir && m.ghostsBelow(o.path2):
		default:
			return o
		}
	}
}

func (g *opGen) draw(m *model) op {
	total := 0
	for _, w := range opWeights {
		total += w
	}
	k, x := opKind(0), g.r.IntN(total)
	for x >= opWeights[k] {
		x -= opWeights[k]
		k++
	}
	g.seed++
	o := op{kind: k, seed: g.seed, path: g.path(m)}
	switch k {
	case opCreate:
		o.n = g.size()
	case opWrite:
		cur := int64(0)
		if n := m.nodes[o.path]; n != nil {
			cur = int64(len(n.data))
		}
		o.off = g.r.Int64N(cur + 8192)
		o.n = 1 + g.r.Int64N(16384)
		if g.r.IntN(20) == 0 {
			o.n = 1 + g.r.Int64N(1<<20)
		}
	case opTruncate:
		cur := int64(0)
		if n := m.nodes[o.path]; n != nil {
			cur = int64(len(n.data))
		}
		o.n = g.r.Int64N(2*cur + 4096)
	case opRename:
		o.path2 = g.path(m)
	case opMkdir:
		o.perm = []uint32{0o755, 0o700, 0o750, 0o777}[g.r.IntN(4)]
	case opChmod:
		o.perm = []uint32{0o600, 0o640, 0o644, 0o700, 0o750, 0o755, 0o444, 0o400}[g.r.IntN(8)]
	case opUtimens:
		o.mtime = time.Unix(1_600_000_000+g.r.Int64N(100_000_000), g.r.Int64N(1e9))
	case opSymlink:
		o.path2 = fmt.Sprintf("/nonexistent/aisfs-model/%d", g.seed) // dangles, always
	}
	return o
}

// size of a new file: mostly small, sometimes past a cache block and an upload piece.
func (g *opGen) size() int64 {
	switch x := g.r.IntN(20); {
	case x < 14:
		return g.r.Int64N(4097)
	case x < 19:
		return g.r.Int64N(64 << 10)
	}
	return g.r.Int64N(5 << 19)
}

// path is an existing name (two times in three) or a new one, up to three levels deep, often
// below an existing directory.
func (g *opGen) path(m *model) string {
	var existing, dirs []string
	for p, n := range m.nodes {
		if p == "" {
			continue
		}
		existing = append(existing, p)
		if n.kind == kDir {
			dirs = append(dirs, p)
		}
	}
	slices.Sort(existing) // map order is random; the draw must not be
	slices.Sort(dirs)
	if len(existing) > 0 && g.r.IntN(3) < 2 {
		return existing[g.r.IntN(len(existing))]
	}
	name := names[g.r.IntN(len(names))]
	if len(dirs) > 0 && g.r.IntN(2) == 0 {
		return dirs[g.r.IntN(len(dirs))] + "/" + name
	}
	p := name
	for range g.r.IntN(3) {
		p += "/" + names[g.r.IntN(len(names))]
	}
	return p
}
