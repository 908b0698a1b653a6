package memstore

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/aisfs/aisfs/aisclient"
)

// chain is an append work file: invisible until flushed.
type chain struct {
	bck  aisclient.Bck
	name string
	data []byte
}

// AppendFrom is Append of the size bytes read from r (aisclient.Client.AppendFrom).
func (s *Store) AppendFrom(ctx context.Context, bck aisclient.Bck, name, handle string, r io.Reader, size int64) (string, error) {
	p := make([]byte, size)
	if _, err := io.ReadFull(r, p); err != nil {
		return "", fmt.Errorf("memstore: append body: %w", err)
	}
	return s.Append(ctx, bck, name, handle, p)
}

// Append adds p to the chain named by handle; "" starts a chain holding the object's current
// content. It returns the handle for the next call, and the old one stops working.
func (s *Store) Append(ctx context.Context, bck aisclient.Bck, name, handle string, p []byte) (string, error) {
	if err := s.enter(ctx, OpAppend, bck, name); err != nil {
		return "", err
	}
	if err := validName(name); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucketLocked(bck)
	if err != nil {
		return "", err
	}
	var c *chain
	if handle == "" {
		c = &chain{bck: norm(bck), name: name}
		if o := b.objs[name]; o != nil {
			c.data = slices.Clone(o.data)
		}
	} else {
		if c, err = s.chainLocked(bck, name, handle); err != nil {
			return "", err
		}
		delete(s.chains, handle)
	}
	c.data = append(c.data, p...)
	s.seq++
	next := "mem|" + name + "|" + strconv.Itoa(s.seq)
	s.chains[next] = c
	return next, nil
}

func (s *Store) chainLocked(bck aisclient.Bck, name, handle string) (*chain, error) {
	c := s.chains[handle]
	if c == nil || c.bck != norm(bck) || c.name != name {
		return nil, fmt.Errorf("memstore: %s/%s: unknown or outdated append handle %q: %w", bck, name, handle, aisclient.ErrInvalidArgument)
	}
	return c, nil
}

// Flush makes the chain the object's content, keeping its custom metadata. A non-empty
// cksumValue must match the whole content; a failed Flush leaves the chain for another try.
func (s *Store) Flush(ctx context.Context, bck aisclient.Bck, name, handle, cksumType, cksumValue string) error {
	if err := s.enter(ctx, OpFlush, bck, name); err != nil {
		return err
	}
	if handle == "" {
		return fmt.Errorf("memstore: Flush without an append handle: %w", aisclient.ErrInvalidArgument)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucketLocked(bck)
	if err != nil {
		return err
	}
	if s.flushed[handle] {
		return nil // AIS answers a repeated flush with 200
	}
	c, err := s.chainLocked(bck, name, handle)
	if err != nil {
		return err
	}
	if cksumValue != "" {
		if err := verify(cksumType, cksumValue, c.data); err != nil {
			return fmt.Errorf("memstore: flush %s/%s: %w", bck, name, err)
		}
	}
	if err := b.conflictLocked(name); err != nil {
		return err
	}
	s.storeLocked(b, name, c.data, nil)
	delete(s.chains, handle)
	s.flushed[handle] = true
	return nil
}

// Chains returns how many append chains were started and never flushed.
func (s *Store) Chains() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.chains)
}
