package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"

	"github.com/aisfs/aisfs/aisclient"
	"github.com/aisfs/aisfs/cache"
	"github.com/aisfs/aisfs/fs"
	"github.com/aisfs/aisfs/internal/sdnotify"
	"github.com/aisfs/aisfs/metrics"
	"github.com/aisfs/aisfs/writeback"
)

// serve checks that the source is reachable, mounts it and serves until ctx ends or the
// filesystem is unmounted from outside.
func serve(ctx context.Context, c *mountConfig, log *slog.Logger, notify *notifier) error {
	if c.s.memProfile != "" {
		defer writeHeapProfile(c.s.memProfile, log)
	}
	if c.s.cpuProfile != "" {
		f, err := os.Create(c.s.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	k, err := build(ctx, c, log)
	if err != nil {
		return err
	}
	defer k.close()
	return k.run(ctx, c, log, notify)
}

// components is everything one mount serves, built and checked before anything is mounted.
type components struct {
	client  *aisclient.Client
	blocks  *cache.Cache
	wb      *writeback.Manager // nil when read-only
	metrics *metrics.Metrics   // always: the control socket serves them to aisfs stats
	fsys    *fs.FS
	bck     aisclient.Bck // the mounted bucket; zero for a cluster mount
	closers []func()
}

// build makes the client, probes the source, and builds the cache, the writeback manager, the
// metrics and the filesystem on top. On error, whatever was built is closed.
func build(ctx context.Context, c *mountConfig, log *slog.Logger) (_ *components, err error) {
	k := &components{}
	defer func() {
		if err != nil {
			k.close()
		}
	}()
	k.metrics = metrics.New()
	k.client, err = aisclient.New(aisclient.Config{
		Observer:              k.metrics.ObserveRequest,
		Endpoint:              c.endpoint,
		Token:                 c.token,
		TLS:                   c.tls,
		RequestTimeout:        c.s.requestTimeout,
		ResponseHeaderTimeout: c.s.requestTimeout,
		OpTimeout:             c.s.opTimeout,
		MaxRetries:            maxRetries(c.s.retries),
		Logger:                log,
	})
	if err != nil {
		return nil, err
	}
	bck := aisclient.Bck{Name: c.src.Bucket, Provider: c.src.Provider, Namespace: c.src.Namespace}
	if err := probe(ctx, k.client, c, &bck); err != nil {
		return nil, err
	}
	k.bck = bck // with a remote cluster's UUID
	disk, err := openDiskCache(c, log)
	if err != nil {
		return nil, err
	}
	var tier cache.Tier
	if disk != nil {
		tier = disk
		k.closers = append(k.closers, func() { disk.Close() }) // after blocks.Close: queued blocks are written
	}
	k.blocks, err = cache.New(cache.Config{
		Capacity: c.s.cacheSize, BlockSize: c.s.blockSize, MaxReadahead: c.s.readahead,
		MaxFetches: c.s.maxFetches, Logger: log, Tier: tier,
	})
	if err != nil {
		return nil, err
	}
	k.closers = append(k.closers, k.blocks.Close)
	budget := c.s.cacheSize
	if disk != nil {
		budget += 64 << 20 // blocks queued for the disk writer may outlive their eviction
	}
	setMemoryLimit(budget, log)
	if !c.s.readOnly {
		k.wb, err = writeback.NewManager(writeback.Config{
			Dir: c.s.stagingDir, MaxStaging: c.s.stagingSize, Logger: log,
			OpTimeout: c.s.opTimeout, // a close/fsync resends the staging file for as long
		}, k.client)
		if err != nil {
			return nil, fmt.Errorf("--staging-dir: %w", err)
		}
	}
	k.metrics.WatchCache(k.blocks.Stats)
	if disk != nil {
		k.metrics.WatchDiskCache(disk.Stats)
	}
	if k.wb != nil {
		k.metrics.WatchWriteback(k.wb.Stats)
	}
	k.fsys, err = fs.New(fs.Config{
		OnErrno: k.metrics.ObserveErrno,
		Store:   k.client, Cache: k.blocks, Writeback: k.wb, ReadOnly: c.s.readOnly, Archives: c.s.archives, Bucket: bck, Prefix: c.src.Prefix,
		StatTTL: statTTL(c.s.statTTL), ListLookupMax: c.s.listLookupMax, MaxFileNodes: c.s.maxInodes, DirectIOMin: c.s.directIOMin,
		NoBatchReads: c.s.noBatchReads,
		UID:          owner(c.s.uid, os.Getuid()), GID: owner(c.s.gid, os.Getgid()),
		FileMode: c.s.fileMode, DirMode: c.s.dirMode, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	if !c.s.noBatchReads {
		fsys := k.fsys
		k.metrics.WatchBatchReads(func() metrics.BatchReads {
			s := fsys.BatchStats()
			return metrics.BatchReads{Requests: s.Batches, Fetched: s.Members, Opened: s.Hits}
		})
	}
	return k, nil
}

// close releases what build made, last first.
func (k *components) close() {
	for i := len(k.closers) - 1; i >= 0; i-- {
		k.closers[i]()
	}
	k.closers = nil
}

// mountOptions are go-fuse's options for c.
func mountOptions(c *mountConfig, log *slog.Logger) fuse.MountOptions {
	mo := fuse.MountOptions{
		FsName:        c.src.String(),
		Name:          "aisfs",
		DirectMount:   os.Geteuid() == 0,
		MaxWrite:      1 << 20,
		MaxReadAhead:  1 << 20,
		MaxBackground: 64,
		AllowOther:    c.s.allowOther,
		Options:       c.fuseOpts,
		Debug:         c.s.debugFuse,
		Logger:        slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	if c.s.readOnly {
		mo.Options = append(mo.Options, "ro")
	}
	return mo
}

// run serves the metrics, mounts the filesystem, reports readiness, and serves until ctx ends
// (then uploads finish before the unmount) or the mount is removed from outside.
func (k *components) run(ctx context.Context, c *mountConfig, log *slog.Logger, notify *notifier) error {
	if c.metricsAddr != "" {
		addr, err := metrics.Serve(ctx, c.metricsAddr, k.metrics.Handler(), log)
		if err != nil {
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		log.Info("serving metrics", "addr", "http://"+addr+"/metrics")
	}
	point := c.mountpoint
	if p, err := filepath.EvalSymlinks(point); err == nil {
		point = p // the mount table's spelling, for DevOf
	}
	server, err := fusefs.Mount(c.mountpoint, k.fsys.Root(), k.fsys.Options(mountOptions(c, log)))
	if err != nil {
		return fmt.Errorf("mount %s on %s: %w", c.src, c.mountpoint, err)
	}
	setKernelReadahead(c.mountpoint, int(c.s.kernelReadahead>>10), log)
	umounts, stopping := make(chan chan umountReply), make(chan struct{})
	ctl, err := k.serveControl(c, point, umounts, stopping, log)
	if err != nil {
		// The mount works without it; only the subcommands cannot reach it.
		log.Warn("no control socket: aisfs prefetch, evict, stats and umount will not reach this mount", "err", err)
	}
	closeControl := func() {
		if ctl != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			ctl.Close(ctx)
			cancel()
			ctl = nil
		}
	}
	defer closeControl()
	log.Info("mounted", "source", c.src.String(), "endpoint", c.endpoint, "mountpoint", c.mountpoint)
	notify.ready()
	if _, err := sdnotify.Ready(); err != nil {
		log.Warn("telling systemd the mount is ready", "err", err)
	}

	done := make(chan struct{})
	go func() {
		server.Wait()
		close(done)
	}()
	var asked chan umountReply // an aisfs umount waiting for the outcome
wait:
	for {
		select {
		case <-done:
			log.Info("unmounted from outside", "mountpoint", c.mountpoint)
			close(stopping)
			closeControl() // the mount is gone: its name is free for the next one
			sdnotify.Stopping()
			return finishUploads(k.wb, c.s.shutdownWait)
		case <-ctx.Done():
			break wait
		case r := <-umounts:
			if err := k.canUmount(ctx, c); err != nil {
				r <- umountReply{err: err}
				continue
			}
			asked = r
			log.Info("aisfs umount asked", "mountpoint", c.mountpoint)
			break wait
		}
	}
	close(stopping) // a later aisfs umount is told, not queued
	// Uploads first: a process may still hold a file open that it has written.
	sdnotify.Stopping()
	err = finishUploads(k.wb, c.s.shutdownWait)
	log.Info("unmounting", "mountpoint", c.mountpoint)
	clean := unmount(server, c.mountpoint, log)
	if asked != nil {
		asked <- umountReply{lazy: !clean, err: err}
	}
	closeControl() // sends the umount's answer first
	if !clean {
		// Detached lazily: the kernel ends the connection only when the last open file on it
		// is closed, which may be never. Everything written is uploaded, so do not wait.
		select {
		case <-done:
		case <-time.After(time.Second):
		}
		return err
	}
	<-done
	return err
}

// finishUploads makes every file still being written durable in AIS, or leaves it in the
// staging directory, where writeback's log line for it says.
func finishUploads(wb *writeback.Manager, wait time.Duration) error {
	if wb == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := wb.Shutdown(ctx); err != nil {
		// writeback logged each file's failure and its staging file; this is the exit's reason.
		return fmt.Errorf("pending uploads did not finish; their data stays in the staging directory: %w", err)
	}
	return nil
}

// maxRetries maps --retries onto aisclient.Config.MaxRetries: -1 (the default) is "as
// many as --op-timeout allows", 0 is none.
func maxRetries(flag int) int {
	switch {
	case flag < 0:
		return 0
	case flag == 0:
		return -1
	}
	return flag
}

// probe makes a bad endpoint or a missing bucket a clear error before anything is mounted. A
// remote cluster's alias becomes its UUID in bck (object requests need it).
func probe(ctx context.Context, client *aisclient.Client, c *mountConfig, bck *aisclient.Bck) error {
	ctx, cancel := context.WithTimeout(ctx, c.s.requestTimeout)
	defer cancel()
	var err error
	if c.src.IsCluster() {
		_, err = client.ListBuckets(ctx, "")
	} else if bck.Namespace, err = client.ResolveNamespace(ctx, bck.Namespace); err == nil {
		_, err = client.HeadBucket(ctx, *bck)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, aisclient.ErrRemoteNotFound):
		return fmt.Errorf("no remote AIS cluster %s is attached to %s (see `ais show remote-cluster`)", c.src.Namespace, c.endpoint)
	case errors.Is(err, aisclient.ErrBucketNotFound):
		return fmt.Errorf("bucket %s does not exist at %s", bck, c.endpoint)
	case errors.Is(err, aisclient.ErrUnauthorized):
		return fmt.Errorf("AIS at %s refused access: %w", c.endpoint, err)
	default:
		return fmt.Errorf("cannot reach AIS at %s: %w", c.endpoint, err)
	}
}

// unmount detaches the mount and reports whether it is gone. If it stays busy, it is detached
// lazily (as root) so that the process can exit without leaving a dead mount behind.
func unmount(server *fuse.Server, mnt string, log *slog.Logger) bool {
	for i := 0; i < 3; i++ {
		err := server.Unmount()
		if err == nil {
			return true
		}
		log.Warn("unmount failed", "mountpoint", mnt, "err", err)
		time.Sleep(200 * time.Millisecond)
	}
	if err := unix.Unmount(mnt, unix.MNT_DETACH); err != nil {
		log.Error("lazy unmount failed", "mountpoint", mnt, "err", err)
	}
	return false
}

func owner(flag, def int) uint32 {
	if flag >= 0 {
		return uint32(flag)
	}
	return uint32(def)
}

// statTTL passes --stat-ttl 0 ("trust nothing") on as 1ns: fs.Config reads 0 as "the default".
func statTTL(d time.Duration) time.Duration {
	if d == 0 {
		return time.Nanosecond
	}
	return d
}

// writeHeapProfile is --mem-profile: the heap at unmount, with allocations since start
// (go tool pprof -sample_index=alloc_space).
func writeHeapProfile(path string, log *slog.Logger) {
	f, err := os.Create(path)
	if err == nil {
		runtime.GC() // up-to-date in-use figures
		err = pprof.WriteHeapProfile(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		log.Error("mem-profile", "err", err)
	}
}
