package fs

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/aisfs/aisfs/aisclient"
)

// MaxDirRename bounds how many objects a directory rename moves one by one; a larger directory
// gets EXDEV, which makes mv(1) copy it instead.
const MaxDirRename = 10000

const renameParallel = 8

var _ = (fusefs.NodeRenamer)((*dirNode)(nil))

// Rename moves objects with AIS's rename inside one ais bucket. Other moves answer EXDEV, so
// mv(1) falls back to copy and delete. A directory rename moves each object below it; it is not
// atomic: a failure part way leaves some objects moved.
func (d *dirNode) Rename(ctx context.Context, name string, newParent fusefs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	if errno := d.writable(newName); errno != 0 {
		return errno
	}
	if errno := d.writable(name); errno != 0 {
		return errno
	}
	dst, ok := newParent.(*dirNode)
	if !ok || dst.bck != d.bck || providerOf(d.bck) != aisclient.ProviderAIS {
		return syscall.EXDEV
	}
	if flags&^uint32(renameNoReplace) != 0 {
		return syscall.EINVAL // RENAME_EXCHANGE, RENAME_WHITEOUT
	}
	ch := d.GetChild(name)
	if ch == nil {
		return syscall.ENOENT
	}
	if flags&renameNoReplace != 0 {
		switch _, _, errno := dst.resolve(ctx, newName); errno {
		case 0:
			return syscall.EEXIST
		case syscall.ENOENT:
		default:
			return errno // unknown is not absent: never replace what may be there
		}
	}
	from, to := d.prefix()+name, dst.prefix()+newName
	now := d.fsys.now()
	switch n := ch.Operations().(type) {
	case *fileNode:
		replaced, _ := dst.childOps(newName).(*fileNode)
		if errno := d.renameFile(ctx, n, from, to, replaced); errno != 0 {
			return errno
		}
		d.ov.remove(name, now)
		dst.ov.add(&dirent{name: newName, attr: n.attrs(), at: now})
	case *dirNode:
		switch shows, err := dst.showsEntries(ctx, newName); {
		case err != nil:
			return d.fsys.errno("rename", dst.path(newName), err)
		case shows:
			return syscall.ENOTEMPTY
		}
		if errno := d.renameDir(ctx, n, from+"/", to+"/"); errno != 0 {
			return errno
		}
		d.ov.remove(name, now)
		dst.ov.add(&dirent{name: newName, isDir: true, at: now})
	default:
		return syscall.EINVAL
	}
	d.entriesChanged()
	dst.entriesChanged()
	return 0
}

const renameNoReplace = 1 // RENAME_NOREPLACE

// renameFile renames n's object to `to`, over the file replaced (nil if none).
func (d *dirNode) renameFile(ctx context.Context, n *fileNode, from, to string, replaced *fileNode) syscall.Errno {
	// What a writer still registered holds must be in AIS before AIS can rename it.
	pending, err := n.settle(ctx)
	if err != nil {
		return d.fsys.errno("rename", d.bck.String()+"/"+from, err)
	}
	if pending {
		return syscall.ENOENT // created here, and its upload failed
	}
	custom, err := d.sourceCustom(ctx, replaced != nil, from)
	if err != nil {
		return d.fsys.errno("rename", d.bck.String()+"/"+from, err)
	}
	err = d.fsys.store.RenameObject(ctx, d.bck, from, to)
	if err != nil {
		return d.fsys.errno("rename", d.bck.String()+"/"+from, err)
	}
	if replaced != nil && replaced != n {
		// Gone for its open handles as after unlink(2): their uploads would replace what was
		// just renamed there.
		replaced.markUnlinked()
	}
	run := d.fsys.renames.begin(n.objName, from, to) // before renameWriters looks for writers
	n.nm.set(to)
	n.expire()
	n.renameWriters(ctx, to)
	if h := renamedHook.Load(); h != nil {
		(*h)(from, to)
	}
	if err := d.restoreCustom(ctx, to, custom); err != nil {
		d.fsys.renames.end(run)
		return d.fsys.errno("rename", d.bck.String()+"/"+to, err)
	}
	return 0
}

// renamedHook, when set (tests), runs in a file rename after its writers were renamed and
// before Rename returns: the window renames covers.
var renamedHook atomic.Pointer[func(from, to string)]

func (d *dirNode) renameDir(ctx context.Context, n *dirNode, from, to string) syscall.Errno {
	if strings.HasPrefix(to, from) {
		return syscall.EINVAL // into itself
	}
	empty, err := d.fsys.emptyPrefix(ctx, d.bck, to)
	if err != nil {
		return d.fsys.errno("rename", d.bck.String()+"/"+to, err)
	}
	if !empty {
		return syscall.ENOTEMPTY
	}
	// Files below that handles write: what they hold must be in AIS to move with the rest
	// (one created here may be in AIS not at all yet), and they upload under the new names.
	written := n.writtenBelow()
	for _, f := range written {
		if _, err := f.settle(ctx); err != nil {
			return d.fsys.errno("rename", f.path(), err)
		}
	}
	ents, more, err := d.fsys.store.ListObjects(ctx, d.bck, aisclient.ListOptions{
		Prefix: from, Props: []string{"name"}, Limit: MaxDirRename + 1,
	})
	if err != nil {
		return d.fsys.errno("rename", d.bck.String()+"/"+from, err)
	}
	if more || len(ents) > MaxDirRename {
		return syscall.EXDEV
	}
	work := make(chan string)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range renameParallel {
		wg.Go(func() {
			for name := range work {
				err := d.fsys.store.RenameObject(ctx, d.bck, name, to+strings.TrimPrefix(name, from))
				if err != nil && !errors.Is(err, aisclient.ErrNotFound) {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, e := range ents {
		if !e.IsDir {
			work <- e.Name
		}
	}
	close(work)
	wg.Wait()
	run := d.fsys.renames.begin(n.prefix, from, to)
	// Again: writers that registered since the first look have the old names too.
	for _, f := range n.writtenBelow() {
		f.renameWriters(ctx, to+strings.TrimPrefix(f.objName(), from)) // objName: still the old one
	}
	n.invalidate()
	if first != nil {
		d.fsys.renames.end(run)
		return d.fsys.errno("rename", d.bck.String()+"/"+from, first)
	}
	return 0
}

// writtenBelow returns the files below n, in the kernel's tree, that handles write.
func (n *dirNode) writtenBelow() []*fileNode {
	var out []*fileNode
	for _, ch := range n.Children() {
		switch c := ch.Operations().(type) {
		case *fileNode:
			if c.writing() {
				out = append(out, c)
			}
		case *dirNode:
			out = append(out, c.writtenBelow()...)
		}
	}
	return out
}
