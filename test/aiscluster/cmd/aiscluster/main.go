// Command aiscluster runs a local AIS cluster (1 proxy + 1 target, loopback
// only) that outlives it, for the demo and for manual testing:
//
//	aiscluster start -dir DIR   start (or find running) cluster; prints the endpoint, also in DIR/endpoint
//	aiscluster stop  -dir DIR   stop it (nothing to do when not running)
//	aiscluster seed  -endpoint URL -bucket NAME   create a bucket with a small sample tree
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aisfs/aisfs/test/aiscluster"
)

const usage = `usage:
  aiscluster start -dir DIR [-features N] [-aisnode PATH]
  aiscluster stop  -dir DIR
  aiscluster seed  [-endpoint URL | -dir DIR] [-bucket NAME]
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "aiscluster:") { // the package's errors say it already
			msg = "aiscluster: " + msg
		}
		fmt.Fprintln(os.Stderr, msg)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("aiscluster "+args[0], flag.ContinueOnError)
	dir := fs.String("dir", "", "cluster state dir (configs, logs, storage)")
	switch args[0] {
	case "start":
		features := fs.String("features", "0", "cluster features (numeric), e.g. 8192 = S3 reverse proxy")
		bin := fs.String("aisnode", "", "aisnode binary (default: $AISNODE, <repo>/.bin/aisnode, else built)")
		if err := parse(fs, args[1:], dir, true); err != nil {
			return err
		}
		return start(ctx, *dir, *bin, *features)
	case "stop":
		if err := parse(fs, args[1:], dir, true); err != nil {
			return err
		}
		return stopCluster(*dir)
	case "seed":
		endpoint := fs.String("endpoint", os.Getenv("AIS_ENDPOINT"), "AIS endpoint (default $AIS_ENDPOINT, or DIR/endpoint)")
		bucket := fs.String("bucket", "demo", "bucket to create and fill")
		if err := parse(fs, args[1:], dir, false); err != nil {
			return err
		}
		ep, err := endpointOf(*endpoint, *dir)
		if err != nil {
			return err
		}
		return seed(ctx, ep, *bucket, os.Stdout)
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q: %w", args[0], flag.ErrHelp)
}

// parse parses a subcommand's flags; positional arguments are an error.
func parse(fs *flag.FlagSet, args []string, dir *string, needDir bool) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: %w", fs.Args(), flag.ErrHelp)
	}
	if needDir && *dir == "" {
		return fmt.Errorf("-dir is required: %w", flag.ErrHelp)
	}
	return nil
}

// start is idempotent: a cluster already running in dir is waited for and
// reported, not started twice.
func start(ctx context.Context, dir, bin, features string) error {
	c, err := aiscluster.Attach(dir)
	if err == nil {
		if err := c.WaitReady(ctx); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "already running in", c.Dir())
		fmt.Println(c.Endpoint())
		return nil
	}
	if !errors.Is(err, aiscluster.ErrNotRunning) {
		return err
	}
	t0 := time.Now()
	c, err = aiscluster.Start(ctx, aiscluster.Options{Dir: dir, AISNode: bin, Features: features, Detached: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "started in %s (%.1fs); logs: %s/{proxy,target}.log\n",
		c.Dir(), time.Since(t0).Seconds(), c.Dir())
	fmt.Println(c.Endpoint())
	return nil
}

func stopCluster(dir string) error {
	c, err := aiscluster.Attach(dir)
	if errors.Is(err, aiscluster.ErrNotRunning) {
		fmt.Fprintln(os.Stderr, "not running:", dir)
		return nil
	}
	if err != nil {
		return err
	}
	if err := c.Stop(); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "stopped", c.Dir())
	return nil
}

func endpointOf(endpoint, dir string) (string, error) {
	if endpoint != "" {
		return endpoint, nil
	}
	if dir == "" {
		return "", fmt.Errorf("need -endpoint, -dir or $AIS_ENDPOINT: %w", flag.ErrHelp)
	}
	c, err := aiscluster.Attach(dir)
	if err != nil {
		return "", err
	}
	return c.Endpoint(), nil
}
