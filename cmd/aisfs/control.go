package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/aisfs/aisfs/control"
)

// umountReply is the outcome of an aisfs umount, sent back to its control request.
type umountReply struct {
	lazy bool
	err  error
}

// serveControl opens the mount's control socket (package control) for the subcommands.
// point is the mount point as the mount table spells it.
// An umount asked once run stopped waiting for one (SIGTERM, or unmounted from outside) is
// told so through stopping, instead of waiting for an answer that never comes.
func (k *components) serveControl(c *mountConfig, point string, umounts chan chan umountReply, stopping <-chan struct{}, log *slog.Logger) (*control.Server, error) {
	m, err := control.MountOf(point)
	if err != nil {
		return nil, err
	}
	info := control.Info{
		Source: c.src.String(), Endpoint: c.endpoint, Prefix: c.src.Prefix, Mountpoint: c.mountpoint,
		PID: os.Getpid(), ReadOnly: c.s.readOnly, StatTTL: c.s.statTTL.String(),
	}
	if k.bck.Name != "" {
		info.Bucket = k.bck.String()
	}
	return control.Serve(control.Config{
		Mount: m, Info: info, Store: k.client, Bucket: k.bck, Prefix: c.src.Prefix,
		Metrics: k.metrics.Handler(), Logger: log, Resolve: k.client.ResolveNamespace,
		Probe: func(ctx context.Context) error { b := k.bck; return probe(ctx, k.client, c, &b) },
		Umount: func(ctx context.Context) (control.UmountResult, error) {
			r := make(chan umountReply, 1)
			select {
			case umounts <- r:
			case <-stopping:
				return control.UmountResult{}, errors.New("the mount is being unmounted already")
			case <-ctx.Done():
				return control.UmountResult{}, ctx.Err()
			}
			rep := <-r
			return control.UmountResult{Lazy: rep.lazy}, rep.err
		},
	})
}

// canUmount refuses an aisfs umount that could not upload what is still being written:
// with AIS unreachable the mount stays, and so does every file's data, in the mount.
func (k *components) canUmount(ctx context.Context, c *mountConfig) error {
	if k.wb == nil {
		return nil
	}
	st := k.wb.Stats()
	if st.DirtyFiles == 0 {
		return nil
	}
	b := k.bck
	if err := probe(ctx, k.client, c, &b); err != nil {
		return fmt.Errorf("%d file(s) still have data to upload, and %w; the mount stays", st.DirtyFiles, err)
	}
	return nil
}
