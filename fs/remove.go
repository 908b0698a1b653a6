package fs

import (
	"context"
	"errors"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/aisfs/aisfs/aisclient"
)

var _ = (fusefs.NodeUnlinker)((*dirNode)(nil))

func (d *dirNode) Unlink(ctx context.Context, name string) syscall.Errno {
	if errno := d.writable(name); errno != 0 {
		return errno
	}
	pending := false
	if ch := d.GetChild(name); ch != nil {
		if fn, ok := ch.Operations().(*fileNode); ok {
			pending = fn.markUnlinked()
		}
	}
	err := d.fsys.store.DeleteObject(ctx, d.bck, d.prefix()+name)
	if err != nil && !(pending && errors.Is(err, aisclient.ErrNotFound)) {
		return d.fsys.errno("unlink", d.path(name), err)
	}
	d.ov.remove(name, d.fsys.now())
	d.entriesChanged()
	return 0
}

var _ = (fusefs.NodeRmdirer)((*dirNode)(nil))

// Rmdir removes an empty directory. AIS may keep showing an emptied directory for a while (a
// "ghost"), so this mount hides the name until something is created there again.
func (d *dirNode) Rmdir(ctx context.Context, name string) syscall.Errno {
	if errno := d.writable(name); errno != 0 {
		return errno
	}
	switch shows, err := d.showsEntries(ctx, name); {
	case err != nil:
		return d.fsys.errno("rmdir", d.path(name), err)
	case shows:
		return syscall.ENOTEMPTY
	}
	empty, err := d.fsys.emptyPrefix(ctx, d.bck, d.prefix()+name+"/")
	if err != nil {
		return d.fsys.errno("rmdir", d.path(name), err)
	}
	if !empty {
		return syscall.ENOTEMPTY
	}
	d.ov.remove(name, d.fsys.now())
	d.entriesChanged()
	return 0
}

// showsEntries reports whether the subdirectory name shows any entry, as readdir would: its
// listing patched with this mount's changes. That counts what AIS does not hold yet (made here,
// not uploaded yet) and directories whose files are all gone, which AIS keeps only as emptied
// directories and a recursive listing cannot see.
func (d *dirNode) showsEntries(ctx context.Context, name string) (bool, error) {
	ch := d.GetChild(name)
	if ch == nil {
		return false, nil
	}
	sub, ok := ch.Operations().(*dirNode)
	if !ok {
		return false, nil
	}
	l, err := sub.load(ctx, d.fsys.cfg.ListLookupMax)
	if err != nil {
		return false, err
	}
	e, err := newViewCursor(&sub.ov, l).next(ctx)
	return e != nil, err
}

// emptyPrefix reports whether no object's name starts with prefix. The listing is recursive on
// purpose: a one-level listing also shows emptied ("ghost") directories.
func (f *FS) emptyPrefix(ctx context.Context, bck aisclient.Bck, prefix string) (bool, error) {
	ents, _, err := f.store.ListObjects(ctx, bck, aisclient.ListOptions{
		Prefix: prefix, Props: []string{"name"}, PageSize: 1, Limit: 1,
	})
	return len(ents) == 0, err
}
