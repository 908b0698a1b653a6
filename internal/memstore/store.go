package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/xxhash"
)

// CksumType is the checksum type of every bucket, AIS's default.
const CksumType = "xxhash2"

// Op names one Store method, for failure injection and call counts.
type Op string

const (
	OpListBuckets   Op = "ListBuckets"
	OpHeadBucket    Op = "HeadBucket"
	OpCreateBucket  Op = "CreateBucket"
	OpDestroyBucket Op = "DestroyBucket"
	OpListObjects   Op = "ListObjects"
	OpHeadObject    Op = "HeadObject"
	OpGetRange      Op = "GetRange"
	OpGetObject     Op = "GetObject"
	OpPutObject     Op = "PutObject"
	OpAppend        Op = "Append"
	OpFlush         Op = "Flush"
	OpPatchCustom   Op = "PatchCustom"
	OpDeleteObject  Op = "DeleteObject"
	OpRenameObject  Op = "RenameObject"
	OpCapacity      Op = "ClusterCapacity"
)

// Options configure a Store; the zero value is AIS-like.
type Options struct {
	Now      func() time.Time // atimes and bucket creation times; default time.Now
	NoGhosts bool             // listings forget emptied directories at once
}

// Capacity is what ClusterCapacity reports as the total.
const Capacity = 1 << 40

// Store is an in-memory AIS cluster. All methods are safe for concurrent use.
type Store struct {
	opts Options

	// Lock order: hookMu is never held while mu is taken, nor the other way round.
	hookMu sync.Mutex
	faults map[Op][]error                                    // GUARDED_BY(hookMu): queued failures
	hooks  map[Op]func(bck aisclient.Bck, name string) error // GUARDED_BY(hookMu)
	calls  map[Op]int                                        // GUARDED_BY(hookMu)

	mu      sync.Mutex
	buckets map[aisclient.Bck]*bucket // GUARDED_BY(mu)
	chains  map[string]*chain         // GUARDED_BY(mu): append handle -> chain
	flushed map[string]bool           // GUARDED_BY(mu): handles of completed flushes
	seq     int                       // GUARDED_BY(mu): makes handles unique
}

type bucket struct {
	created time.Time
	objs    map[string]*object
	ghosts  map[string]bool // directory prefixes ("a/", "a/b/") emptied by a delete or rename
}

type object struct {
	data    []byte
	version int
	atime   time.Time
	custom  map[string]string
}

// New returns an empty cluster.
func New(opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{
		opts:    opts,
		faults:  map[Op][]error{},
		hooks:   map[Op]func(aisclient.Bck, string) error{},
		calls:   map[Op]int{},
		buckets: map[aisclient.Bck]*bucket{},
		chains:  map[string]*chain{},
		flushed: map[string]bool{},
	}
}

// FailNext makes the next n calls of op fail with err, before they have any effect.
func (s *Store) FailNext(op Op, n int, err error) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	for range n {
		s.faults[op] = append(s.faults[op], err)
	}
}

// SetHook runs fn at the start of every later call of op (after FailNext's failures); an error
// from fn fails the call before it has any effect. fn runs without the Store's lock, so it may
// block. A nil fn removes the hook.
func (s *Store) SetHook(op Op, fn func(bck aisclient.Bck, name string) error) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	if fn == nil {
		delete(s.hooks, op)
		return
	}
	s.hooks[op] = fn
}

// Calls returns how many times op was called, failed calls included.
func (s *Store) Calls(op Op) int {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	return s.calls[op]
}

// ResetCalls sets every call count back to zero.
func (s *Store) ResetCalls() {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	clear(s.calls)
}

// enter counts a call and returns the failure it must have, if any.
func (s *Store) enter(ctx context.Context, op Op, bck aisclient.Bck, name string) error {
	s.hookMu.Lock()
	s.calls[op]++
	var err error
	if q := s.faults[op]; len(q) > 0 {
		err, s.faults[op] = q[0], q[1:]
	}
	hook := s.hooks[op]
	s.hookMu.Unlock()
	if err != nil {
		return fmt.Errorf("memstore: %s %s/%s: injected: %w", op, bck, name, err)
	}
	if hook != nil {
		if err := hook(bck, name); err != nil {
			return fmt.Errorf("memstore: %s %s/%s: hook: %w", op, bck, name, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return &aisclient.TransportError{Op: string(op), Err: err}
	}
	return nil
}

// ClearGhosts makes listings forget emptied directories, as AIS eventually may.
func (s *Store) ClearGhosts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.buckets {
		clear(b.ghosts)
	}
}

// Names returns the names of all objects in bck, sorted.
func (s *Store) Names(bck aisclient.Bck) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[norm(bck)]
	if b == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(b.objs))
}

// Data returns a copy of an object's content.
func (s *Store) Data(bck aisclient.Bck, name string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[norm(bck)]
	if b == nil || b.objs[name] == nil {
		return nil, false
	}
	return slices.Clone(b.objs[name].data), true
}

// norm makes "" and "ais" the same provider, as AIS does.
func norm(bck aisclient.Bck) aisclient.Bck {
	if bck.Provider == "" {
		bck.Provider = aisclient.ProviderAIS
	}
	return bck
}

// bucketLocked returns the bucket or ErrBucketNotFound.
func (s *Store) bucketLocked(bck aisclient.Bck) (*bucket, error) {
	b := s.buckets[norm(bck)]
	if b == nil {
		return nil, fmt.Errorf("memstore: bucket %s: %w", bck, aisclient.ErrBucketNotFound)
	}
	return b, nil
}

func (o *object) attrs(name string) *aisclient.ObjAttrs {
	a := &aisclient.ObjAttrs{
		Name: name, Size: int64(len(o.data)), Version: strconv.Itoa(o.version),
		CksumType: CksumType, CksumValue: xxhash.Hex(xxhash.Sum64(o.data)),
		Atime: o.atime, Copies: 1, Present: true, Location: "t[mem]:mp[/mem]",
	}
	if len(o.custom) > 0 {
		a.Custom = maps.Clone(o.custom)
	}
	return a
}

// validName rejects what AIS rejects: empty names, a trailing "/", "." and ".." components.
func validName(name string) error {
	if name == "" || strings.HasSuffix(name, "/") {
		return fmt.Errorf("memstore: object name %q: %w", name, aisclient.ErrInvalidName)
	}
	for _, c := range strings.Split(name, "/") {
		if c == "." || c == ".." || c == "" {
			return fmt.Errorf("memstore: object name %q: %w", name, aisclient.ErrInvalidName)
		}
	}
	return nil
}

// conflictLocked reports an object in the way of name's directories, or a directory where
// name would be a file.
func (b *bucket) conflictLocked(name string) error {
	for i := range len(name) {
		if name[i] == '/' && b.objs[name[:i]] != nil {
			return fmt.Errorf("memstore: %q: destination contains an object in its path: %w", name, aisclient.ErrNameConflict)
		}
	}
	dir := name + "/"
	if b.ghosts[dir] {
		return fmt.Errorf("memstore: %q: destination exists and is an (emptied) directory: %w", name, aisclient.ErrNameConflict)
	}
	for n := range b.objs {
		if strings.HasPrefix(n, dir) {
			return fmt.Errorf("memstore: %q: destination exists and is a virtual directory: %w", name, aisclient.ErrNameConflict)
		}
	}
	return nil
}

// removeLocked deletes an object and remembers its directories as ghosts.
func (s *Store) removeLocked(b *bucket, name string) {
	delete(b.objs, name)
	if s.opts.NoGhosts {
		return
	}
	for i := range len(name) {
		if name[i] == '/' {
			b.ghosts[name[:i+1]] = true
		}
	}
}

// storeLocked writes data as name's new content, merging custom into the old metadata.
func (s *Store) storeLocked(b *bucket, name string, data []byte, custom map[string]string) *object {
	o := b.objs[name]
	if o == nil {
		o = &object{}
		b.objs[name] = o
	}
	o.data = data
	o.version++
	o.atime = s.opts.Now()
	for k, v := range custom {
		if o.custom == nil {
			o.custom = map[string]string{}
		}
		o.custom[k] = v
	}
	return o
}
