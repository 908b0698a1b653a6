package fs

import (
	"context"
	"sync"
	"sync/atomic"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
)

// The kernel keeps an inode for every name it looked up, readdirplus included, until memory
// pressure evicts it, and the daemon must keep a node for every inode the kernel holds. On a
// machine with plenty of memory that is every file ever listed: a million-object directory
// would cost the daemon about a kilobyte per object. nodeCap bounds the file nodes instead:
// past MaxFileNodes, readdirplus hands out plain entries (a later stat looks the name up) and
// the least recently looked-up idle files are pruned from the kernel's cache, whose FORGETs
// free them here. Directories are never pruned: they hold what this mount changed in them.

// nodeCap counts the mount's file nodes and keeps them in least-recently-used order.
//
// Lock order: nodeCap.mu is a leaf; it is never held while calling into a node or the kernel.
type nodeCap struct {
	max  int64
	live atomic.Int64 // file nodes go-fuse holds, prunable or not

	mu   sync.Mutex
	head *fileNode // GUARDED_BY(mu): the list's sentinel (no file); head.lru.next is the most recently used
	size int       // GUARDED_BY(mu)

	pruning atomic.Bool             // a pruning pass is running
	again   atomic.Bool             // a kick came since the running pass began: run another
	prune   func(batch []*fileNode) // tests may replace it; default sends a prune notification
}

// lruLink places a file node in its mount's nodeCap list. It links the nodes themselves (no
// pointer back from link to node): every byte of a file node counts --max-inodes times.
type lruLink struct {
	prev, next *fileNode
	in         bool // in the list
	counted    bool // added and not yet forgotten
}

// pruneBatch bounds one prune notification; the kernel takes a page of node ids at a time.
const pruneBatch = 512

func newNodeCap(max int) *nodeCap {
	c := &nodeCap{max: int64(max), prune: notifyPrune, head: new(fileNode)}
	c.head.lru.next, c.head.lru.prev = c.head, c.head
	return c
}

// full reports whether new nodes should be avoided (readdirplus then hands out plain entries).
func (c *nodeCap) full() bool { return c.live.Load() >= c.max }

func (c *nodeCap) added(n *fileNode) {
	c.mu.Lock()
	n.lru.counted = true
	c.pushFront(n)
	c.mu.Unlock()
	if c.live.Add(1) > c.max {
		c.kick()
	}
}

func (c *nodeCap) forgotten(n *fileNode) {
	c.mu.Lock()
	c.unlink(n)
	counted := n.lru.counted
	n.lru.counted = false
	c.mu.Unlock()
	if counted {
		c.live.Add(-1)
	}
}

// touch marks n as just used.
func (c *nodeCap) touch(n *fileNode) {
	c.mu.Lock()
	if n.lru.in {
		c.unlink(n)
		c.pushFront(n)
	}
	c.mu.Unlock()
}

func (c *nodeCap) pushFront(n *fileNode) {
	l := &n.lru
	if l.in {
		return
	}
	l.prev, l.next = c.head, c.head.lru.next
	c.head.lru.next.lru.prev = n
	c.head.lru.next = n
	l.in = true
	c.size++
}

func (c *nodeCap) unlink(n *fileNode) {
	l := &n.lru
	if !l.in {
		return
	}
	l.prev.lru.next, l.next.lru.prev = l.next, l.prev
	l.prev, l.next, l.in = nil, nil, false
	c.size--
}

// kick starts a pruning pass unless one runs; one that runs goes round again after it ends, for
// the nodes added meanwhile (its count of what to prune was taken at its start, and nothing else
// kicks once the additions stop). Never blocks: it runs from lookups.
func (c *nodeCap) kick() {
	c.again.Store(true)
	if !c.pruning.CompareAndSwap(false, true) {
		return
	}
	go func() {
		for {
			c.again.Store(false)
			c.pass()
			c.pruning.Store(false)
			// A kick after this sees pruning false and starts its own pass.
			if !c.again.Load() || !c.pruning.CompareAndSwap(false, true) {
				return
			}
		}
	}()
}

// pass asks the kernel to forget the least recently used idle files down to 7/8 of the cap.
// Asked-for nodes move to the front: those the kernel keeps (open, a process's cwd) are asked
// again only after every other node. Their FORGETs arrive later and free them.
func (c *nodeCap) pass() {
	want := c.live.Load() - c.max*7/8
	for want > 0 {
		batch := make([]*fileNode, 0, min(want, pruneBatch))
		c.mu.Lock()
		for tries := c.size; len(batch) < cap(batch) && tries > 0; tries-- {
			n := c.head.lru.prev
			if n == c.head {
				break
			}
			c.unlink(n)
			c.pushFront(n)
			batch = append(batch, n)
		}
		c.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		var idle []*fileNode
		for _, n := range batch {
			if !n.busy() {
				idle = append(idle, n)
			}
		}
		if len(idle) > 0 {
			c.prune(idle)
		}
		want -= int64(len(batch))
	}
}

// notifyPrune asks the kernel to drop the nodes' inodes if unused (FUSE_NOTIFY_PRUNE, Linux
// 6.16 and later), else to drop their names one by one.
func notifyPrune(batch []*fileNode) {
	inodes := make([]*fusefs.Inode, len(batch))
	for i, n := range batch {
		inodes[i] = &n.Inode
	}
	if inodes[0].NotifyPrune(inodes) == 0 {
		return
	}
	for _, n := range batch {
		if name, d := n.parentDir(); d != nil {
			d.NotifyEntry(name)
		}
	}
}

var _ = (fusefs.NodeOnAdder)((*fileNode)(nil))

// OnAdd counts the node against the mount's cap.
func (n *fileNode) OnAdd(ctx context.Context) { n.fsys.nodes.added(n) }

var _ = (fusefs.NodeOnForgetter)((*fileNode)(nil))

// OnForget runs once neither the kernel nor the tree holds the node.
func (n *fileNode) OnForget() { n.fsys.nodes.forgotten(n) }
