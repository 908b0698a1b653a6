package memstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/internal/xxhash"
)

// ListBuckets lists the buckets of one provider ("" = all), sorted by name.
func (s *Store) ListBuckets(ctx context.Context, provider string) ([]aisclient.Bck, error) {
	if err := s.enter(ctx, OpListBuckets, aisclient.Bck{}, ""); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []aisclient.Bck{}
	for bck := range s.buckets {
		if provider == "" || bck.Provider == provider {
			out = append(out, bck)
		}
	}
	slices.SortFunc(out, func(a, b aisclient.Bck) int { return cmpString(a.String(), b.String()) })
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// HeadBucket returns a bucket's properties: xxhash2 checksums and versioning, as AIS's defaults.
func (s *Store) HeadBucket(ctx context.Context, bck aisclient.Bck) (*aisclient.BucketProps, error) {
	if err := s.enter(ctx, OpHeadBucket, bck, ""); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucketLocked(bck)
	if err != nil {
		return nil, err
	}
	return &aisclient.BucketProps{Provider: norm(bck).Provider, CksumType: CksumType, Versioning: true, Created: b.created}, nil
}

// CreateBucket makes an empty bucket; an existing one is ErrExists.
func (s *Store) CreateBucket(ctx context.Context, bck aisclient.Bck) error {
	if err := s.enter(ctx, OpCreateBucket, bck, ""); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets[norm(bck)] != nil {
		return fmt.Errorf("memstore: bucket %s: %w", bck, aisclient.ErrExists)
	}
	s.buckets[norm(bck)] = &bucket{created: s.opts.Now(), objs: map[string]*object{}, ghosts: map[string]bool{}}
	return nil
}

// DestroyBucket removes a bucket and all its objects.
func (s *Store) DestroyBucket(ctx context.Context, bck aisclient.Bck) error {
	if err := s.enter(ctx, OpDestroyBucket, bck, ""); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.bucketLocked(bck); err != nil {
		return err
	}
	delete(s.buckets, norm(bck))
	return nil
}

// HeadObject returns an object's properties.
func (s *Store) HeadObject(ctx context.Context, bck aisclient.Bck, name string) (*aisclient.ObjAttrs, error) {
	if err := s.enter(ctx, OpHeadObject, bck, name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.objectLocked(bck, name)
	if err != nil {
		return nil, err
	}
	return o.attrs(name), nil
}

func (s *Store) objectLocked(bck aisclient.Bck, name string) (*object, error) {
	if name == "" {
		return nil, fmt.Errorf("memstore: empty object name: %w", aisclient.ErrInvalidName)
	}
	b, err := s.bucketLocked(bck)
	if err != nil {
		return nil, err
	}
	o := b.objs[name]
	if o == nil {
		return nil, fmt.Errorf("memstore: %s/%s: %w", bck, name, aisclient.ErrNotFound)
	}
	return o, nil
}

// GetRange reads len(p) bytes at off, as aisclient.Client.GetRange: fewer only when the
// object ends first, ErrRangeNotSatisfiable at or past the end (so for any read of an empty
// object), with the attributes still carrying the size.
func (s *Store) GetRange(ctx context.Context, bck aisclient.Bck, name string, off int64, p []byte) (int, *aisclient.ObjAttrs, error) {
	if len(p) == 0 {
		return 0, nil, nil
	}
	if err := s.enter(ctx, OpGetRange, bck, name); err != nil {
		return 0, nil, err
	}
	if off < 0 {
		return 0, nil, fmt.Errorf("memstore: GetRange offset %d: %w", off, aisclient.ErrInvalidArgument)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.objectLocked(bck, name)
	if err != nil {
		return 0, nil, err
	}
	a := o.attrs(name)
	if off >= int64(len(o.data)) {
		return 0, a, fmt.Errorf("memstore: %s/%s bytes %d-: %w", bck, name, off, aisclient.ErrRangeNotSatisfiable)
	}
	return copy(p, o.data[off:]), a, nil
}

// GetObject returns the whole content.
func (s *Store) GetObject(ctx context.Context, bck aisclient.Bck, name string) (io.ReadCloser, *aisclient.ObjAttrs, error) {
	if err := s.enter(ctx, OpGetObject, bck, name); err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.objectLocked(bck, name)
	if err != nil {
		return nil, nil, err
	}
	return io.NopCloser(bytes.NewReader(slices.Clone(o.data))), o.attrs(name), nil
}

// PutObject stores the whole object. size -1 means unknown; otherwise r must hold exactly size
// bytes. A checksum in opts is verified (xxhash2 only).
func (s *Store) PutObject(ctx context.Context, bck aisclient.Bck, name string, r io.Reader, size int64, opts aisclient.PutOptions) (*aisclient.ObjAttrs, error) {
	if err := s.enter(ctx, OpPutObject, bck, name); err != nil {
		return nil, err
	}
	if err := validName(name); err != nil {
		return nil, err
	}
	var data []byte
	if r != nil {
		var err error
		if data, err = io.ReadAll(r); err != nil {
			return nil, fmt.Errorf("memstore: PUT %s/%s: reading body: %w", bck, name, err)
		}
	}
	if size >= 0 && int64(len(data)) != size {
		return nil, fmt.Errorf("memstore: PUT %s/%s: %d bytes for a Content-Length of %d: %w", bck, name, len(data), size, io.ErrUnexpectedEOF)
	}
	if err := verify(opts.CksumType, opts.CksumValue, data); err != nil {
		return nil, fmt.Errorf("memstore: PUT %s/%s: %w", bck, name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucketLocked(bck)
	if err != nil {
		return nil, err
	}
	if err := b.conflictLocked(name); err != nil {
		return nil, err
	}
	return s.storeLocked(b, name, data, opts.Custom).attrs(name), nil
}

// verify checks an xxhash2 checksum; an empty type checks nothing.
func verify(typ, value string, data []byte) error {
	switch typ {
	case "":
		return nil
	case CksumType:
		if got := xxhash.Hex(xxhash.Sum64(data)); got != value {
			return fmt.Errorf("bad data checksum: %s(%s != %s): %w", typ, got, value, aisclient.ErrBadChecksum)
		}
		return nil
	}
	return fmt.Errorf("checksum type %q: %w", typ, aisclient.ErrBadChecksum)
}

// PatchCustom merges md into the object's custom metadata, or replaces it; the version stays.
func (s *Store) PatchCustom(ctx context.Context, bck aisclient.Bck, name string, md map[string]string, replace bool) error {
	if err := s.enter(ctx, OpPatchCustom, bck, name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.objectLocked(bck, name)
	if err != nil {
		return err
	}
	if replace || o.custom == nil {
		o.custom = map[string]string{}
	}
	maps.Copy(o.custom, md)
	return nil
}

// DeleteObject removes an object; a missing one is ErrNotFound.
func (s *Store) DeleteObject(ctx context.Context, bck aisclient.Bck, name string) error {
	if err := s.enter(ctx, OpDeleteObject, bck, name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucketLocked(bck)
	if err != nil {
		return err
	}
	if _, err := s.objectLocked(bck, name); err != nil {
		return err
	}
	s.removeLocked(b, name)
	return nil
}

// RenameObject moves an object within a bucket, replacing the destination and its metadata.
func (s *Store) RenameObject(ctx context.Context, bck aisclient.Bck, from, to string) error {
	if err := s.enter(ctx, OpRenameObject, bck, from); err != nil {
		return err
	}
	if err := validName(to); err != nil {
		return err
	}
	if from == to {
		return fmt.Errorf("memstore: cannot rename %s/%s to self", bck, from)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucketLocked(bck)
	if err != nil {
		return err
	}
	o, err := s.objectLocked(bck, from)
	if err != nil {
		return err
	}
	s.removeLocked(b, from)
	if err := b.conflictLocked(to); err != nil {
		b.objs[from] = o
		return err
	}
	b.objs[to] = o
	return nil
}

// ClusterCapacity reports Capacity bytes, of which the stored objects use their sizes.
func (s *Store) ClusterCapacity(ctx context.Context) (aisclient.Capacity, error) {
	if err := s.enter(ctx, OpCapacity, aisclient.Bck{}, ""); err != nil {
		return aisclient.Capacity{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var used uint64
	for _, b := range s.buckets {
		for _, o := range b.objs {
			used += uint64(len(o.data))
		}
	}
	return aisclient.Capacity{Total: Capacity, Used: used, Avail: Capacity - used}, nil
}
