package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/dustin/go-humanize"
	"github.com/spf13/pflag"

	"github.com/aisfs/aisfs/control"
)

// Subcommands work on a running mount through its daemon's control socket (package control).
// `aisfs SOURCE MOUNTPOINT` is unaffected: a SOURCE always has "://".
var subcommands = map[string]struct {
	usage string
	run   func(ctx context.Context, o *subOptions, args []string, stdout, stderr io.Writer) error
	flags func(*pflag.FlagSet, *subOptions)
}{
	"prefetch": {"aisfs prefetch [--no-wait] [--local [--jobs N]] PATH...", runPrefetch, prefetchFlags},
	"evict":    {"aisfs evict [--no-wait] PATH...", runEvict, evictFlags},
	"stats":    {"aisfs stats [--raw] MOUNTPOINT", runStats, statsFlags},
	"umount":   {"aisfs umount MOUNTPOINT...", runUmount, func(*pflag.FlagSet, *subOptions) {}},
}

// subOptions are the subcommands' flags.
type subOptions struct {
	noWait bool // prefetch, evict
	local  bool // prefetch
	jobs   int  // prefetch --local
	raw    bool // stats
}

// errUsage marks a bad command line (exit 2).
var errUsage = errors.New("usage")

func runSubcommand(name string, args []string, stdout, stderr io.Writer) int {
	sc := subcommands[name]
	fl := pflag.NewFlagSet("aisfs "+name, pflag.ContinueOnError)
	fl.SetOutput(io.Discard)
	var o subOptions
	sc.flags(fl, &o)
	help := fl.BoolP("help", "h", false, "show this help")
	if err := fl.Parse(args); err != nil {
		fmt.Fprintf(stderr, "aisfs %s: %v (usage: %s)\n", name, err, sc.usage)
		return 2
	}
	if *help {
		fmt.Fprintf(stdout, "Usage: %s\n", sc.usage)
		fl.PrintDefaults()
		return 0
	}
	if fl.NArg() == 0 {
		fmt.Fprintf(stderr, "aisfs %s: no PATH given (usage: %s)\n", name, sc.usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := sc.run(ctx, &o, fl.Args(), stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "aisfs %s: %v\n", name, err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

// target is one PATH argument, resolved to its mount.
type target struct {
	path  string
	mount control.Mount
	rel   string // relative to the mount point
	dir   bool
	files []string // with walk: the regular files below a directory, mount-relative
	bytes int64    // with walk: their total size
}

// resolve finds the mount of every path before anything starts, so one bad PATH leaves
// nothing half-done. walk lists the files below directories (through the mount).
func resolve(paths []string, walk bool) ([]target, error) {
	var out []target
	for _, p := range paths {
		m, rel, err := control.FindPath(p)
		if err != nil {
			return nil, err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		t := target{path: p, mount: m, rel: rel, dir: fi.IsDir()}
		if !t.dir {
			t.files, t.bytes = []string{rel}, fi.Size()
		} else if walk {
			if err := t.walk(); err != nil {
				return nil, err
			}
		}
		out = append(out, t)
	}
	return out, nil
}

func (t *target) walk() error {
	return filepath.WalkDir(t.path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(t.mount.Point, abs)
		if err != nil {
			return err
		}
		t.files = append(t.files, filepath.ToSlash(rel))
		t.bytes += fi.Size()
		return nil
	})
}

func prefetchFlags(fl *pflag.FlagSet, o *subOptions) {
	fl.BoolVar(&o.noWait, "no-wait", false, "start the job and return; do not wait for it")
	fl.BoolVar(&o.local, "local", false, "fill this mount's local cache instead: read every file under PATH through the mount")
	fl.IntVar(&o.jobs, "jobs", 8, "with --local: files read at once")
}

func evictFlags(fl *pflag.FlagSet, o *subOptions) {
	fl.BoolVar(&o.noWait, "no-wait", false, "start the job and return; do not wait for it")
}

func statsFlags(fl *pflag.FlagSet, o *subOptions) {
	fl.BoolVar(&o.raw, "raw", false, "print the daemon's metrics as they are (Prometheus text format)")
}

func runPrefetch(ctx context.Context, o *subOptions, paths []string, stdout, stderr io.Writer) error {
	if o.local {
		if o.noWait {
			return fmt.Errorf("%w: --local reads the files itself, it cannot --no-wait", errUsage)
		}
		return prefetchLocal(ctx, paths, o.jobs, stdout, stderr)
	}
	return runJobs(ctx, control.OpPrefetch, paths, o.noWait, stdout, stderr)
}

func runEvict(ctx context.Context, o *subOptions, paths []string, stdout, stderr io.Writer) error {
	return runJobs(ctx, control.OpEvict, paths, o.noWait, stdout, stderr)
}

// runJobs checks every PATH with its daemon, then starts one AIS job per PATH and waits for
// each (unless --no-wait).
func runJobs(ctx context.Context, op string, paths []string, noWait bool, stdout, stderr io.Writer) error {
	targets, err := resolve(paths, !noWait)
	if err != nil {
		return err
	}
	reqs := make([]control.JobRequest, len(targets))
	infos := make([]control.Info, len(targets))
	for i, t := range targets {
		reqs[i] = control.JobRequest{Op: op, Path: t.rel, Dir: t.dir, Names: t.files, Check: true}
		c := control.NewClient(t.mount)
		if infos[i], err = c.Info(ctx, false); err != nil {
			return err
		}
		if _, err := c.Start(ctx, reqs[i]); err != nil {
			return fmt.Errorf("%s: %w", t.path, err)
		}
	}
	for i, t := range targets {
		c := control.NewClient(t.mount)
		reqs[i].Check = false
		ref, err := c.Start(ctx, reqs[i])
		if err != nil {
			return fmt.Errorf("%s: %w", t.path, err)
		}
		if noWait {
			fmt.Fprintf(stdout, "%s: %s job %s started on %s (%s)\n", t.path, op, ref.ID, ref.Bucket, ref.What)
			continue
		}
		total := int64(len(t.files))
		p := newProgress(stderr, op+" "+t.path, total, false)
		st, err := c.Wait(ctx, ref, func(st control.JobStatus) { p.update(st.Objects, st.Bytes) })
		p.end()
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("%s: interrupted; %s job %s goes on in AIS (ais show job %s)", t.path, op, ref.ID, ref.ID)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", t.path, err)
		}
		verb := map[string]string{control.OpPrefetch: "prefetched", control.OpEvict: "evicted"}[op]
		rest := ""
		if st.Objects < total {
			rest = map[string]string{
				control.OpPrefetch: fmt.Sprintf("; %d were in the cluster already", total-st.Objects),
				control.OpEvict:    fmt.Sprintf("; %d were not in the cluster", total-st.Objects),
			}[op]
		}
		fmt.Fprintf(stdout, "%s: %s %d objects (%s) of %s%s; the mount shows it within %s\n",
			t.path, verb, st.Objects, humanize.IBytes(uint64(st.Bytes)), ref.Bucket, rest, infos[i].StatTTL)
	}
	return nil
}

func runUmount(ctx context.Context, _ *subOptions, paths []string, stdout, stderr io.Writer) error {
	for _, p := range paths {
		m, rel, err := control.FindPath(p)
		if err != nil {
			return err
		}
		if rel != "" {
			return fmt.Errorf("%s is inside the mount at %s, not its mount point", p, m.Point)
		}
		res, err := control.NewClient(m).Umount(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if res.Lazy {
			fmt.Fprintf(stdout, "%s: uploads finished; the mount was busy and is detached lazily\n", p)
		}
	}
	return nil
}
