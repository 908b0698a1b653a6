package fs

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/aisfs/aisfs/aisclient"
)

// Namespaces in a cluster mount. Below ais/, next to the buckets of the global namespace:
//   - @ALIAS (or @UUID when attached without an alias) is a remote AIS cluster attached with
//     `ais cluster remote-attach`; its buckets are read through this cluster, which caches them.
//     A lookup of @UUID works too, for a cluster listed by its alias.
//   - #NS is a namespace of this cluster holding at least one bucket.
// Bucket names cannot hold '@' or '#', so neither can clash with a bucket.

// NamespaceStore lists remote clusters and the buckets of a namespace. A cluster mount whose
// Store has it (*aisclient.Client does) shows namespaces.
type NamespaceStore interface {
	RemoteClusters(ctx context.Context) ([]aisclient.RemoteCluster, error)
	ListNamespace(ctx context.Context, ns string) ([]aisclient.Bck, error)
}

var _ NamespaceStore = (*aisclient.Client)(nil)

// remoteList caches the attached clusters for the stat TTL.
type remoteList struct {
	mu  sync.Mutex
	at  time.Time
	rcs []aisclient.RemoteCluster
}

// remotes returns the attached clusters that answer; none when the Store cannot say.
func (f *FS) remotes(ctx context.Context) ([]aisclient.RemoteCluster, error) {
	nss, ok := f.cfg.Store.(NamespaceStore)
	if !ok {
		return nil, nil
	}
	rl := &f.remoteList
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if !f.fresh(rl.at) {
		ctx, done := patient(ctx)
		defer done()
		rcs, err := nss.RemoteClusters(ctx)
		if err != nil {
			return nil, err
		}
		rl.rcs, rl.at = slices.DeleteFunc(rcs, func(r aisclient.RemoteCluster) bool { return !r.Online() }), f.now()
	}
	return rl.rcs, nil
}

// namespaceDirs are the names of ais/'s namespace directories: @ALIAS of each attached cluster,
// #NS of each local namespace with buckets.
func (f *FS) namespaceDirs(ctx context.Context) ([]string, error) {
	rcs, err := f.remotes(ctx)
	if err != nil {
		// The buckets still list: a user whose token may not read the cluster's remote
		// config (or an old cluster) sees no remote clusters, and the log says why once.
		if f.remotesWarned.CompareAndSwap(false, true) {
			f.log.Warn("cannot list attached remote AIS clusters; ais/ shows none", "err", err)
		}
		rcs = nil
	}
	var out []string
	for _, r := range rcs {
		out = append(out, "@"+cmpOr(r.Alias, r.UUID))
	}
	bcks, err := f.bucketsIn(ctx, aisclient.ProviderAIS, func(ns string) bool { return strings.HasPrefix(ns, "#") })
	if err != nil {
		return nil, err
	}
	for _, b := range bcks {
		if !slices.Contains(out, b.Namespace) {
			out = append(out, b.Namespace)
		}
	}
	sort.Strings(out)
	return out, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// namespaceOf resolves a directory name below ais/ to the namespace it shows: "@UUID" for a
// remote cluster named by alias or UUID, "#NS" for a local one; ok false if there is none.
func (f *FS) namespaceOf(ctx context.Context, name string) (string, bool, error) {
	switch {
	case strings.HasPrefix(name, "@"):
		rcs, err := f.remotes(ctx)
		if err != nil {
			return "", false, err
		}
		for _, r := range rcs {
			if name[1:] == r.Alias || name[1:] == r.UUID {
				return "@" + r.UUID, true, nil
			}
		}
	case strings.HasPrefix(name, "#"):
		dirs, err := f.namespaceDirs(ctx)
		if err != nil {
			return "", false, err
		}
		return name, slices.Contains(dirs, name), nil
	}
	return "", false, nil
}

// nsNode lists the buckets of one namespace. Buckets cannot be made or destroyed here.
type nsNode struct {
	fusefs.Inode
	readOnly
	fsys *FS
	ns   string // "@UUID" or "#NS"
	name string // as shown: "@ALIAS", "@UUID" or "#NS"

	mu   sync.Mutex
	at   time.Time       // GUARDED_BY(mu)
	bcks []aisclient.Bck // GUARDED_BY(mu)
}

// buckets lists the namespace, once per stat TTL.
func (n *nsNode) buckets(ctx context.Context) ([]aisclient.Bck, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.fsys.fresh(n.at) {
		ctx, done := patient(ctx)
		defer done()
		bcks, err := n.fsys.cfg.Store.(NamespaceStore).ListNamespace(ctx, n.ns)
		if err != nil {
			return nil, err
		}
		for i := range bcks {
			bcks[i].Namespace = n.ns // AIS names it as asked; object requests need the UUID
		}
		n.bcks, n.at = bcks, n.fsys.now()
	}
	return n.bcks, nil
}

var _ = (fusefs.NodeGetattrer)((*nsNode)(nil))

func (n *nsNode) Getattr(ctx context.Context, fh fusefs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	n.fsys.dirAttr(&out.Attr)
	return 0
}

var _ = (fusefs.NodeReaddirer)((*nsNode)(nil))

func (n *nsNode) Readdir(ctx context.Context) (fusefs.DirStream, syscall.Errno) {
	bcks, err := n.buckets(ctx)
	if err != nil {
		return nil, n.fsys.errno("readdir", "ais/"+n.name, err)
	}
	ents := make([]fuse.DirEntry, 0, len(bcks))
	for _, b := range bcks {
		ents = append(ents, fuse.DirEntry{Name: b.Name, Mode: syscall.S_IFDIR, Ino: direntIno(&n.Inode, b.Name, inoOf(kindDir, b, ""))})
	}
	return fusefs.NewListDirStream(ents), 0
}

var _ = (fusefs.NodeLookuper)((*nsNode)(nil))

func (n *nsNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	bcks, err := n.buckets(ctx)
	if err != nil {
		return nil, n.fsys.errno("lookup", "ais/"+n.name+"/"+name, err)
	}
	if !slices.ContainsFunc(bcks, func(b aisclient.Bck) bool { return b.Name == name }) {
		return nil, syscall.ENOENT
	}
	if ch := n.GetChild(name); ch != nil {
		ch.Operations().(*dirNode).fillAttr(&out.Attr)
		return ch, 0
	}
	bck := aisclient.Bck{Name: name, Provider: aisclient.ProviderAIS, Namespace: n.ns}
	n.fsys.dirAttr(&out.Attr)
	return n.NewInode(ctx, n.fsys.newDir(bck, true), fusefs.StableAttr{Mode: syscall.S_IFDIR}), 0
}

// namespaceChild is the inode of a namespace directory below ais/, or ENOENT.
func (n *providerNode) namespaceChild(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	ns, ok, err := n.fsys.namespaceOf(ctx, name)
	if err != nil {
		return nil, n.fsys.errno("lookup", n.provider+"/"+name, err)
	}
	if !ok {
		return nil, syscall.ENOENT
	}
	n.fsys.dirAttr(&out.Attr)
	if ch := n.GetChild(name); ch != nil {
		if nn, ok := ch.Operations().(*nsNode); ok && nn.ns == ns {
			return ch, 0
		}
	}
	child := &nsNode{fsys: n.fsys, ns: ns, name: name}
	// A number of go-fuse's: an alias attached again to another cluster is another node.
	return n.NewInode(ctx, child, fusefs.StableAttr{Mode: syscall.S_IFDIR}), 0
}
