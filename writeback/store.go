package writeback

import (
	"context"
	"io"

	"github.com/aisfs/aisfs/aisclient"
)

// Store is what writeback needs from AIS; *aisclient.Client satisfies it.
type Store interface {
	// PutObject stores size bytes from r (an *os.File at offset 0) as the whole object; with CksumType/CksumValue
	// set, AIS verifies them (ErrBadChecksum on mismatch).
	PutObject(ctx context.Context, bck aisclient.Bck, name string, r io.Reader, size int64,
		opts aisclient.PutOptions) (*aisclient.ObjAttrs, error)
	// AppendFrom adds size bytes from r to the append chain named by handle ("" starts one
	// on top of the object's current content) and returns the chain's next handle. r is an
	// *os.File positioned at the piece (aisclient sends it with sendfile).
	AppendFrom(ctx context.Context, bck aisclient.Bck, name, handle string, r io.Reader, size int64) (string, error)
	// Flush finalizes the chain; a non-empty cksumValue is checked against the whole content.
	Flush(ctx context.Context, bck aisclient.Bck, name, handle, cksumType, cksumValue string) error
	// GetObject streams the whole object.
	GetObject(ctx context.Context, bck aisclient.Bck, name string) (io.ReadCloser, *aisclient.ObjAttrs, error)
}

var _ Store = (*aisclient.Client)(nil)
