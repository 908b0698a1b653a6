// Command aisfs mounts an AIStore cluster, or one bucket, as a FUSE filesystem.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/aisfs/aisfs/metrics"
	"github.com/aisfs/aisfs/mountopts"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run is main without the exit, so every error path returns through one place.
func run(argv []string, stdout, stderr io.Writer) int {
	args := argv[1:]
	if len(args) > 0 && !mountopts.IsHelperName(argv[0]) {
		if _, ok := subcommands[args[0]]; ok {
			return runSubcommand(args[0], args[1:], stdout, stderr)
		}
	}
	if mountopts.IsHelperName(argv[0]) {
		var err error
		if args, err = mountopts.HelperArgs(argv[0], args); err != nil {
			if errors.Is(err, mountopts.ErrFakeMount) {
				return 0 // mount -f: check everything, mount nothing
			}
			fmt.Fprintln(stderr, "aisfs:", err)
			return 2
		}
	}
	var s settings
	fl := newFlagSet(&s)
	fl.SetOutput(io.Discard)
	if err := fl.Parse(args); err != nil {
		fmt.Fprintf(stderr, "aisfs: %v (see aisfs --help)\n", err)
		return 2
	}
	switch {
	case s.help:
		fmt.Fprint(stdout, usageText)
		printFlags(stdout, fl)
		return 0
	case s.version:
		fmt.Fprintln(stdout, "aisfs", version)
		return 0
	}
	cfg, err := configure(&s, fl)
	if err != nil {
		fmt.Fprintln(stderr, "aisfs:", err)
		return 2
	}
	cfg.args = args
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !s.foreground && !isDaemonChild() {
		if err := daemonize(ctx, cfg); err != nil {
			fmt.Fprintln(stderr, "aisfs:", err)
			return 1
		}
		return 0
	}
	notify := newNotifier()
	logger, closeLog, err := newLogger(&s, stderr)
	if err != nil {
		notify.failed(err)
		fmt.Fprintln(stderr, "aisfs:", err)
		return 2
	}
	defer closeLog()
	if err := serve(ctx, cfg, logger, notify); err != nil {
		notify.failed(err)
		fmt.Fprintln(stderr, "aisfs:", err)
		logger.Error("aisfs stopped", "err", err)
		return 1
	}
	return 0
}

// mountConfig is a validated run: the settings (each flag checked itself as it was set) and
// what is derived from them.
type mountConfig struct {
	s           *settings
	args        []string // command line after mount-helper rewriting, for a background child
	src         mountopts.Source
	endpoint    string
	mountpoint  string
	fuseOpts    []string
	token       string
	metricsAddr string
	tls         *tls.Config
}

func configure(s *settings, fl *pflag.FlagSet) (*mountConfig, error) {
	pos := fl.Args()
	if len(pos) != 2 {
		return nil, fmt.Errorf("need SOURCE and MOUNTPOINT, got %d argument(s) (see aisfs --help)", len(pos))
	}
	options := s.options
	if file := s.configFile; file != "" || configFileOption(s.options) != "" {
		if file == "" {
			file = configFileOption(s.options)
		}
		items, err := readConfigFile(file)
		if err != nil {
			return nil, err
		}
		options = append(items, options...)
	}
	opts, err := mountopts.Apply(fl, options)
	if err != nil {
		return nil, err
	}
	s.readOnly = s.readOnly || opts.ReadOnly
	if s.verbose && !fl.Changed("log-level") {
		s.logLevel = slog.LevelDebug
	}
	src, err := mountopts.ParseSource(pos[0])
	if err != nil {
		return nil, err
	}
	c := &mountConfig{s: s, src: src, fuseOpts: mountopts.WithPermissionChecks(opts.FuseOpts, s.allowOther, s.noDefaultPerms)}
	if src.IsCluster() {
		c.endpoint = src.Endpoint
	} else {
		var skipVerify bool
		if c.endpoint, skipVerify, err = resolveEndpoint(s.endpoint); err != nil {
			return nil, fmt.Errorf("bucket source %s: %w", src, err)
		}
		s.skipVerify = s.skipVerify || skipVerify && !fl.Changed("skip-verify")
	}
	if c.mountpoint, err = checkMountpoint(pos[1]); err != nil {
		return nil, err
	}
	if s.metricsAddr != "" {
		if c.metricsAddr, err = metrics.ListenAddr(s.metricsAddr); err != nil {
			return nil, fmt.Errorf("--metrics-addr: %w", err)
		}
	}
	if c.tls, err = tlsConfig(s); err != nil {
		return nil, err
	}
	if c.token, err = loadToken(s.tokenFile); err != nil {
		return nil, err
	}
	return c, nil
}

func checkMountpoint(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("mountpoint %s: %w", p, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("mountpoint %s: %w", p, errors.Unwrap(err))
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("mountpoint %s is not a directory", p)
	}
	return abs, nil
}

func newLogger(s *settings, stderr io.Writer) (*slog.Logger, func(), error) {
	level := s.logLevel
	w, closeFn := stderr, func() {}
	if s.logFile != "" {
		f, err := os.OpenFile(s.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("--log-file: %w", err)
		}
		w, closeFn = f, func() { f.Close() }
	}
	opts := &slog.HandlerOptions{Level: level}
	if s.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), closeFn, nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), closeFn, nil
}
