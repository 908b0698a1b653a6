package aisclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Archive is an archive object (a shard: .tar, .tgz, .tar.gz, .tar.lz4, .zip) as AIS lists it.
type Archive struct {
	Shard Entry // the object itself: size, version, checksum
	// Readable: AIS recognized the object as an archive (entry flag "archive"). A corrupt or
	// foreign object is listed without it and with no members.
	Readable bool
	Members  []Member // in listing order; directories are not listed, only files
}

// Member is one file inside an archive.
type Member struct {
	Name string // path inside the archive, e.g. "a/b/c.jpg" (AIS drops a leading "./")
	Size int64
}

// ListArchive lists the members of the archive object shard with list-objects and the
// LsArchDir flag: AIS reads the archive's index on the target, so the shard's data does not
// cross the network. The prefix is the shard's own name, so one listing reads one archive:
// AIS v1.5.0 ends an archive listing early (no error, no continuation) at a corrupt archive,
// which a listing of a whole directory would turn into missing objects. ErrNotFound if shard
// does not exist.
func (c *Client) ListArchive(ctx context.Context, bck Bck, shard string) (*Archive, error) {
	if err := validObjectName(shard); err != nil {
		return nil, err
	}
	var (
		arch  Archive
		found bool
	)
	inside := shard + "/"
	_, err := c.ListObjectsPages(ctx, bck, ListOptions{
		Prefix: shard, Props: []string{"name", "size", "version", "checksum"}, archDir: true,
	}, func(page []Entry) error {
		for _, e := range page {
			switch {
			case e.Name == shard && !e.InArchive:
				arch.Shard, found = e.clone(), true
			case e.InArchive && strings.HasPrefix(e.Name, inside):
				// An archive index outlives its listing: keep the names, not the pages (Entry).
				arch.Members = append(arch.Members, Member{Name: strings.Clone(e.Name[len(inside):]), Size: e.Size})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("aisclient: ListArchive %s/%s: %w", bck, shard, ErrNotFound)
	}
	arch.Readable = arch.Shard.IsArchive || len(arch.Members) > 0
	return &arch, nil
}

// GetArchived streams one member of an archive object: GET with ?archpath=MEMBER. The target
// extracts it, so only the member's bytes cross the network (the target still reads the
// shard up to the member, and decompresses .tgz/.tar.lz4 from the start). AIS v1.5.0 refuses
// Range reads of a member (400 ErrUnsupp), so a member is always read whole. The returned size
// is the member's (Content-Length; -1 if none). A member the archive does not hold is
// ErrNotFound; an archive AIS cannot read fails with an HTTPError (400), and one cut short
// shows as io.ErrUnexpectedEOF from Read. The caller must Close the reader.
func (c *Client) GetArchived(ctx context.Context, bck Bck, shard, member string) (io.ReadCloser, int64, error) {
	if err := validObjectName(shard); err != nil {
		return nil, 0, err
	}
	if member == "" {
		return nil, 0, fmt.Errorf("aisclient: empty archive member name: %w", ErrInvalidName)
	}
	q := bck.query()
	q.Set("archpath", member)
	cl := &call{
		op: "GetArchived", method: http.MethodGet, path: objectPath(bck, shard), query: q,
		retry: true, firstByte: true, route: bck.key(shard), direct: true, keepBody: true,
	}
	var (
		rc   io.ReadCloser
		size int64
	)
	err := c.do(ctx, cl, func(resp *http.Response) error {
		rc, size = resp.Body, resp.ContentLength
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return &sizedBody{rc: rc, left: size}, size, nil
}

// sizedBody turns a body that ends before its Content-Length into io.ErrUnexpectedEOF (the
// transport does that too; this keeps the rule in one visible place).
type sizedBody struct {
	rc   io.ReadCloser
	left int64 // -1: unknown
}

func (b *sizedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if b.left >= 0 {
		b.left -= int64(n)
		if err == io.EOF && b.left > 0 {
			err = io.ErrUnexpectedEOF
		}
	}
	return n, err
}

func (b *sizedBody) Close() error { return b.rc.Close() }
