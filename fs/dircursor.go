package fs

import "context"

// viewCursor walks a directory as this mount sees it: its listing, possibly still loading, with
// what the overlay changed, each name once. Entries the listing holds come in its order, then
// the overlay's own ones in name order, so readdir needs no copy of the whole directory.
type viewCursor struct {
	o     *overlay
	l     *listing
	i     int             // next listing index
	seen  map[string]bool // overlay entries met in the listing
	tail  bool            // the listing is walked; extra follows
	extra []string        // overlay entries, once the listing is walked
}

func newViewCursor(o *overlay, l *listing) *viewCursor { return &viewCursor{o: o, l: l} }

// next returns the next entry, nil at the end, or the error that stopped the listing.
func (c *viewCursor) next(ctx context.Context) (*dirent, error) {
	for !c.tail {
		e, ok, err := c.l.entry(ctx, c.i)
		if err != nil {
			return nil, err
		}
		if !ok {
			c.tail, c.extra = true, c.o.localNames()
			break
		}
		c.i++
		if d, show := c.o.listed(&e, c.l, c.see); show {
			return d, nil
		}
	}
	for len(c.extra) > 0 {
		name := c.extra[0]
		c.extra = c.extra[1:]
		if c.seen[name] {
			continue
		}
		if d, show := c.o.unlisted(name, c.l); show {
			return d, nil
		}
	}
	return nil, nil
}

func (c *viewCursor) see(name string) {
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[name] = true
}
