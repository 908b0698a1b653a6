package fs

import (
	"context"
	"io"
	"syscall"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/xxhash"
)

// Pushed reads of small files opened in no order (a shuffled loader over a listed tree). The
// block cache cannot hold a useful share of an epoch ahead of its opens, but the kernel's page
// cache can: once a directory's opens show no order, its unopened small files known to the
// kernel (listed with readdirplus) are fetched with GetBatch, checked against the listing's
// checksum, and stored into their inodes' page cache (FUSE_NOTIFY_STORE). The node then counts
// as opened in the listed version, so its open keeps that cache (FOPEN_KEEP_CACHE) and its reads
// never reach the daemon. An open that finds another version drops the cache as any open does,
// and waits for a store in progress first, so stored bytes never outlive a rewrite. The bytes
// pushed and not opened yet are bounded (pushLimit); the kernel may evict them at will, the open
// then reads as usual.

const (
	pushAfter = 16 // opens in no order before a directory's files are pushed
)

// pushShuffled starts one batch of unopened files of a directory opened in no order, taken
// round the listing from where the last one stopped. d.pf.mu is held.
func (p *prefetcher) pushShuffled(d *dirNode, prefix string, s *pfState) {
	if p.pushAhead.Load() >= p.pushLimit {
		return
	}
	select {
	case p.sem <- struct{}{}:
	default:
		return
	}
	bs := p.fsys.cache.BlockSize()
	var (
		names []string
		nodes []*fileNode
		attrs []objAttr
		bytes int64
	)
	for scanned := 0; scanned < s.n && len(names) < batchMembers; scanned++ {
		pos := s.pushNext
		s.pushNext = (s.pushNext + 1) % s.n
		if s.opened[pos] || s.asked[pos] || s.pushed[pos] {
			continue
		}
		e := s.l.atPos(pos)
		if e.archive || e.isDir || e.attr.size <= 0 || e.attr.size > bs || e.attr.version == "" ||
			len(e.attr.cksum) != checksumHexLen || e.attr.fileType() != syscall.S_IFREG {
			continue
		}
		if m := p.fsys.cfg.DirectIOMin; m > 0 && e.attr.size >= m {
			continue // read around the page cache
		}
		if p.pushAhead.Load()+bytes+e.attr.size > p.pushLimit {
			break
		}
		n := d.fileChild(e.name)
		if n == nil || !n.pushable(e.attr) {
			continue // unknown to the kernel (no inode to store into), or opened already
		}
		s.pushed[pos] = true
		names = append(names, prefix+e.name)
		nodes = append(nodes, n)
		attrs = append(attrs, e.attr)
		bytes += e.attr.size
	}
	if len(names) == 0 {
		<-p.sem
		return
	}
	s.pushBytes += bytes
	p.pushAhead.Add(bytes)
	go p.runPush(d.bck, names, nodes, attrs)
}

// runPush sends one GetBatch and stores what checks out into the kernel's page cache.
func (p *prefetcher) runPush(bck aisclient.Bck, names []string, nodes []*fileNode, attrs []objAttr) {
	defer func() { <-p.sem }()
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	p.batches.Add(1)
	buf := make([]byte, p.fsys.cache.BlockSize())
	_, err := p.store.GetBatch(ctx, bck, names, func(m aisclient.BatchMember, r io.Reader) error {
		want := attrs[m.Index]
		if m.Missing || m.Size != want.size {
			return nil // deleted or changed since the listing: its open reads as usual
		}
		b := buf[:want.size]
		if _, err := io.ReadFull(r, b); err != nil {
			return err
		}
		if xxhash.Hex(xxhash.Sum64(b)) != want.cksum {
			return nil
		}
		if nodes[m.Index].push(want, b) {
			p.pushed.Add(1)
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		p.fsys.log.Debug("pushed read ended early; the rest is read one by one", "bucket", bck.String(), "err", err)
	}
}

// fileChild is d's file node of that name, if the kernel holds one.
func (d *dirNode) fileChild(name string) *fileNode {
	ch := d.GetChild(name)
	if ch == nil {
		return nil
	}
	n, _ := ch.Operations().(*fileNode)
	return n
}

// pushable reports whether the node was never opened and is in version a.
func (n *fileNode) pushable(a objAttr) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return !n.opened && !n.ws.busy() && n.attr.sameContent(a)
}

// push stores data, the whole content of version a, into the kernel's page cache of n and
// makes n's next open of version a keep it. It does nothing once n was opened.
// Lock order: storeMu before mu; the store is a write to /dev/fuse that waits for no request.
func (n *fileNode) push(a objAttr, data []byte) bool {
	n.storeMu.Lock()
	defer n.storeMu.Unlock()
	if !n.pushable(a) {
		return false
	}
	if errno := n.WriteCache(0, data); errno != 0 {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.opened || !n.attr.sameContent(a) {
		return false // that open dropped or will drop the stored pages
	}
	n.opened, n.lastOpen = true, a
	return true
}

// waitPush returns once no store into n's page cache is in progress: an open that does not
// keep the page cache calls it, so the kernel's drop of that cache follows any store.
func (n *fileNode) waitPush() {
	n.storeMu.Lock()
	n.storeMu.Unlock() //nolint:staticcheck // a barrier
}
