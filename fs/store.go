package fs

import (
	"context"
	"io"

	"github.com/aisfs/aisfs/aisclient"
)

// Store is what the filesystem needs from AIS. It is owned here, narrow on purpose, and satisfied
// by *aisclient.Client.
type Store interface {
	ListBuckets(ctx context.Context, provider string) ([]aisclient.Bck, error)
	HeadBucket(ctx context.Context, bck aisclient.Bck) (*aisclient.BucketProps, error)
	ListObjects(ctx context.Context, bck aisclient.Bck, opts aisclient.ListOptions) ([]aisclient.Entry, bool, error)
	HeadObject(ctx context.Context, bck aisclient.Bck, name string) (*aisclient.ObjAttrs, error)
	GetRange(ctx context.Context, bck aisclient.Bck, name string, off int64, p []byte) (int, *aisclient.ObjAttrs, error)
	PatchCustom(ctx context.Context, bck aisclient.Bck, name string, md map[string]string, replace bool) error
	ClusterCapacity(ctx context.Context) (aisclient.Capacity, error)

	PutObject(ctx context.Context, bck aisclient.Bck, name string, r io.Reader, size int64, opts aisclient.PutOptions) (*aisclient.ObjAttrs, error)
	DeleteObject(ctx context.Context, bck aisclient.Bck, name string) error
	RenameObject(ctx context.Context, bck aisclient.Bck, from, to string) error
	CreateBucket(ctx context.Context, bck aisclient.Bck) error
	DestroyBucket(ctx context.Context, bck aisclient.Bck) error
}

var _ Store = (*aisclient.Client)(nil)
