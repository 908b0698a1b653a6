package fs

import (
	"context"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/aisclient"
)

// providers are the top-level directory names of a cluster mount, the names AIS uses.
var providers = aisclient.Providers

// bucketList caches the cluster's buckets for the stat TTL.
type bucketList struct {
	mu      sync.Mutex
	at      time.Time
	buckets []aisclient.Bck
}

// bucketsOf returns the buckets of provider ("" = all) in the global namespace, listing the
// cluster when the cache is stale.
func (f *FS) bucketsOf(ctx context.Context, provider string) ([]aisclient.Bck, error) {
	return f.bucketsIn(ctx, provider, func(ns string) bool { return ns == "" })
}

// bucketsIn is bucketsOf for the namespaces inNs accepts.
func (f *FS) bucketsIn(ctx context.Context, provider string, inNs func(string) bool) ([]aisclient.Bck, error) {
	bl := &f.bucketList
	bl.mu.Lock()
	defer bl.mu.Unlock()
	if !f.fresh(bl.at) {
		bcks, err := f.store.ListBuckets(ctx, "")
		if err != nil {
			return nil, err
		}
		bl.buckets, bl.at = bcks, f.now()
	}
	var out []aisclient.Bck
	for _, b := range bl.buckets {
		if (provider == "" || providerOf(b) == provider) && inNs(b.Namespace) {
			out = append(out, b)
		}
	}
	return out, nil
}

func (f *FS) forgetBuckets() {
	f.bucketList.mu.Lock()
	f.bucketList.at = time.Time{}
	f.bucketList.mu.Unlock()
}

func providerOf(b aisclient.Bck) string {
	if b.Provider == "" {
		return aisclient.ProviderAIS
	}
	return b.Provider
}

// clusterNode is the root of a cluster mount: one directory per provider.
type clusterNode struct {
	fusefs.Inode
	readOnly
	fsys *FS
}

var _ = (fusefs.NodeGetattrer)((*clusterNode)(nil))

func (n *clusterNode) Getattr(ctx context.Context, fh fusefs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	n.fsys.dirAttr(&out.Attr)
	return 0
}

// visibleProviders lists "ais" always and other providers only when they have buckets.
func (n *clusterNode) visibleProviders(ctx context.Context) ([]string, error) {
	bcks, err := n.fsys.bucketsOf(ctx, "")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{aisclient.ProviderAIS: true}
	for _, b := range bcks {
		seen[providerOf(b)] = true
	}
	var out []string
	for _, p := range providers {
		if seen[p] {
			out = append(out, p)
		}
	}
	return out, nil
}

var _ = (fusefs.NodeReaddirer)((*clusterNode)(nil))

func (n *clusterNode) Readdir(ctx context.Context) (fusefs.DirStream, syscall.Errno) {
	ps, err := n.visibleProviders(ctx)
	if err != nil {
		return nil, n.fsys.errno("readdir", "/", err)
	}
	ents := make([]fuse.DirEntry, 0, len(ps))
	for _, p := range ps {
		ents = append(ents, fuse.DirEntry{Name: p, Mode: syscall.S_IFDIR, Ino: inoOf(kindProvider, aisclient.Bck{Provider: p}, "")})
	}
	return fusefs.NewListDirStream(ents), 0
}

var _ = (fusefs.NodeLookuper)((*clusterNode)(nil))

func (n *clusterNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	ps, err := n.visibleProviders(ctx)
	if err != nil {
		return nil, n.fsys.errno("lookup", name, err)
	}
	if !slices.Contains(ps, name) {
		return nil, syscall.ENOENT
	}
	n.fsys.dirAttr(&out.Attr)
	if ch := n.GetChild(name); ch != nil {
		return ch, 0
	}
	child := &providerNode{fsys: n.fsys, provider: name}
	ino := inoOf(kindProvider, aisclient.Bck{Provider: name}, "")
	return n.NewInode(ctx, child, fusefs.StableAttr{Mode: syscall.S_IFDIR, Ino: ino}), 0
}

// providerNode lists the buckets of one provider.
type providerNode struct {
	fusefs.Inode
	readOnly
	fsys     *FS
	provider string
}

var _ = (fusefs.NodeGetattrer)((*providerNode)(nil))

func (n *providerNode) Getattr(ctx context.Context, fh fusefs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	n.fsys.dirAttr(&out.Attr)
	return 0
}

var _ = (fusefs.NodeReaddirer)((*providerNode)(nil))

func (n *providerNode) Readdir(ctx context.Context) (fusefs.DirStream, syscall.Errno) {
	bcks, err := n.fsys.bucketsOf(ctx, n.provider)
	if err != nil {
		return nil, n.fsys.errno("readdir", n.provider, err)
	}
	ents := make([]fuse.DirEntry, 0, len(bcks))
	for _, b := range bcks {
		ents = append(ents, fuse.DirEntry{Name: b.Name, Mode: syscall.S_IFDIR, Ino: direntIno(&n.Inode, b.Name, inoOf(kindDir, b, ""))})
	}
	if n.provider == aisclient.ProviderAIS {
		nss, err := n.fsys.namespaceDirs(ctx)
		if err != nil {
			return nil, n.fsys.errno("readdir", n.provider, err)
		}
		for _, name := range nss {
			ino := direntIno(&n.Inode, name, inoOf(kindProvider, aisclient.Bck{Provider: n.provider}, name))
			ents = append(ents, fuse.DirEntry{Name: name, Mode: syscall.S_IFDIR, Ino: ino})
		}
	}
	return fusefs.NewListDirStream(ents), 0
}

var _ = (fusefs.NodeLookuper)((*providerNode)(nil))

func (n *providerNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	if n.provider == aisclient.ProviderAIS && (strings.HasPrefix(name, "@") || strings.HasPrefix(name, "#")) {
		return n.namespaceChild(ctx, name, out)
	}
	bcks, err := n.fsys.bucketsOf(ctx, n.provider)
	if err != nil {
		return nil, n.fsys.errno("lookup", n.provider+"/"+name, err)
	}
	bck := aisclient.Bck{Name: name, Provider: n.provider}
	if ch := n.GetChild(name); ch != nil && slices.ContainsFunc(bcks, func(b aisclient.Bck) bool { return b.Name == name }) {
		ch.Operations().(*dirNode).fillAttr(&out.Attr)
		return ch, 0
	}
	if !slices.ContainsFunc(bcks, func(b aisclient.Bck) bool { return b.Name == name }) {
		// Not listed (yet): a remote bucket may still be reachable by name.
		if _, err := n.fsys.store.HeadBucket(ctx, bck); err != nil {
			return nil, n.fsys.errno("lookup", n.provider+"/"+name, err)
		}
	}
	n.fsys.dirAttr(&out.Attr)
	return n.NewInode(ctx, n.fsys.newDir(bck, true), fusefs.StableAttr{Mode: syscall.S_IFDIR}), 0
}
