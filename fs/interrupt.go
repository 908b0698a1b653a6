package fs

import (
	"context"
	"io"
	"time"

	"github.com/aisfs/aisfs/aisclient"
)

// interruptGrace is how long network work for an interrupted FUSE request may still finish.
//
// The kernel interrupts a request whenever its caller receives a signal, and Go programs receive
// one (SIGURG, for goroutine preemption) many times a second. Giving up at once made an open(2)
// from such a program fail with EINTR for no reason a person could see, and threw away requests
// that were about to finish. After the grace, a caller that really gave up (Ctrl-C on a hung
// read) gets EINTR.
const interruptGrace = 2 * time.Second

// uploadGrace is interruptGrace for the upload that close(2), fsync(2) or a rename waits for. It
// is longer because an upload can rightly take many seconds; a caller interrupted that long
// (Ctrl-C on a close that hangs while AIS is down) gets EINTR, and the bytes stay in staging for
// the release, which no caller waits for, to upload within the writeback budget.
const uploadGrace = 30 * time.Second

// The cancellation rule, in one place: work done for a FUSE request runs under patient (or
// patientUpload) and ends once the request stayed interrupted for the grace; work no caller
// waits for (a release, a shared fetch) runs under context.WithoutCancel, bounded by the
// operation budgets of aisclient and writeback.

// patient returns a context for work done for a FUSE request: cancelled only if the request
// stays interrupted for interruptGrace. The CancelFunc must be called when the work is done.
func patient(ctx context.Context) (context.Context, context.CancelFunc) {
	return patientFor(ctx, interruptGrace)
}

// patientUpload is patient with uploadGrace.
func patientUpload(ctx context.Context) (context.Context, context.CancelFunc) {
	return patientFor(ctx, uploadGrace)
}

func patientFor(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	if ctx.Done() == nil {
		return ctx, func() {}
	}
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(pctx, func() { t.Stop() })
	})
	return pctx, func() {
		stop()
		cancel()
	}
}

// patientStore gives every call to AIS a patient context.
type patientStore struct{ s Store }

var _ Store = patientStore{}

func (p patientStore) ListBuckets(ctx context.Context, provider string) ([]aisclient.Bck, error) {
	ctx, done := patient(ctx)
	defer done()
	return p.s.ListBuckets(ctx, provider)
}

func (p patientStore) HeadBucket(ctx context.Context, bck aisclient.Bck) (*aisclient.BucketProps, error) {
	ctx, done := patient(ctx)
	defer done()
	return p.s.HeadBucket(ctx, bck)
}

func (p patientStore) ListObjects(ctx context.Context, bck aisclient.Bck, opts aisclient.ListOptions) ([]aisclient.Entry, bool, error) {
	ctx, done := patient(ctx)
	defer done()
	return p.s.ListObjects(ctx, bck, opts)
}

func (p patientStore) HeadObject(ctx context.Context, bck aisclient.Bck, name string) (*aisclient.ObjAttrs, error) {
	ctx, done := patient(ctx)
	defer done()
	return p.s.HeadObject(ctx, bck, name)
}

func (p patientStore) GetRange(ctx context.Context, bck aisclient.Bck, name string, off int64, b []byte) (int, *aisclient.ObjAttrs, error) {
	ctx, done := patient(ctx)
	defer done()
	return p.s.GetRange(ctx, bck, name, off, b)
}

// GetRangeV reads consecutive buffers with one request when the store can (aisclient), else
// with one GetRange each.
func (p patientStore) GetRangeV(ctx context.Context, bck aisclient.Bck, name string, off int64, bufs [][]byte, filled func(int, *aisclient.ObjAttrs) error) (int, *aisclient.ObjAttrs, error) {
	ctx, done := patient(ctx)
	defer done()
	if v, ok := p.s.(interface {
		GetRangeV(context.Context, aisclient.Bck, string, int64, [][]byte, func(int, *aisclient.ObjAttrs) error) (int, *aisclient.ObjAttrs, error)
	}); ok {
		return v.GetRangeV(ctx, bck, name, off, bufs, filled)
	}
	total := 0
	var attrs *aisclient.ObjAttrs
	for i, b := range bufs {
		n, a, err := p.s.GetRange(ctx, bck, name, off+int64(total), b)
		total += n
		if err != nil || n < len(b) {
			return total, a, err
		}
		attrs = a
		if err := filled(i, a); err != nil {
			return total, a, err
		}
	}
	return total, attrs, nil
}

func (p patientStore) PatchCustom(ctx context.Context, bck aisclient.Bck, name string, md map[string]string, replace bool) error {
	ctx, done := patient(ctx)
	defer done()
	return p.s.PatchCustom(ctx, bck, name, md, replace)
}

func (p patientStore) ClusterCapacity(ctx context.Context) (aisclient.Capacity, error) {
	ctx, done := patient(ctx)
	defer done()
	return p.s.ClusterCapacity(ctx)
}

func (p patientStore) PutObject(ctx context.Context, bck aisclient.Bck, name string, r io.Reader, size int64, opts aisclient.PutOptions) (*aisclient.ObjAttrs, error) {
	ctx, done := patient(ctx)
	defer done()
	return p.s.PutObject(ctx, bck, name, r, size, opts)
}

func (p patientStore) DeleteObject(ctx context.Context, bck aisclient.Bck, name string) error {
	ctx, done := patient(ctx)
	defer done()
	return p.s.DeleteObject(ctx, bck, name)
}

func (p patientStore) RenameObject(ctx context.Context, bck aisclient.Bck, from, to string) error {
	ctx, done := patient(ctx)
	defer done()
	return p.s.RenameObject(ctx, bck, from, to)
}

func (p patientStore) CreateBucket(ctx context.Context, bck aisclient.Bck) error {
	ctx, done := patient(ctx)
	defer done()
	return p.s.CreateBucket(ctx, bck)
}

func (p patientStore) DestroyBucket(ctx context.Context, bck aisclient.Bck) error {
	ctx, done := patient(ctx)
	defer done()
	return p.s.DestroyBucket(ctx, bck)
}
