package cache

// Tier is a larger, slower cache below memory, such as a local disk (package cache/disk). The
// Cache asks it for a block before fetching the block, and offers it every block it fetched.
// Keys are Object.Key: a Tier may keep blocks across mounts only because keys carry the
// object's identity. Blocks of a Volatile object never reach it.
type Tier interface {
	// Load fills p, the whole block idx of the object key, and reports whether it could. It
	// returns false for a block it does not hold or could not verify: p's bytes then do not
	// count. It runs on a fetch slot, so it should be quick (local I/O).
	Load(key string, idx int64, p []byte) bool
	// Store offers block idx of key, whose bytes stay valid and unchanged until Store calls
	// done, exactly once, from any goroutine; last says it is the object's last block (full
	// when the size is a multiple of the block size). It must not block (a tier that is behind
	// drops the block), and must not keep data after done.
	Store(key string, idx int64, data []byte, last bool, done func())
}

// loadTier fills b with f's block from the tier, if the tier holds it.
func (c *Cache) loadTier(f *fetch, b *block) bool {
	return c.tier != nil && !f.obj.Volatile && c.tier.Load(f.key.key, f.key.idx, b.data)
}

// storeTierLocked offers a block just fetched from the object to the tier, with a hold of its
// own, so the buffer is not reused before the tier is done with it.
func (c *Cache) storeTierLocked(f *fetch, b *block) {
	if c.tier == nil || !f.fetched || f.obj.Volatile {
		return
	}
	b.hold()
	c.tier.Store(f.key.key, f.key.idx, b.data, (f.key.idx+1)*c.cfg.BlockSize >= f.obj.Size, b.release)
}
