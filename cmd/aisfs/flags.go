package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/pflag"
)

// settings is every knob of one aisfs run, bound to flags; `-o name=value` sets the same flags.
type settings struct {
	endpoint        string
	foreground      bool
	readOnly        bool
	cacheSize       string
	blockSize       string
	readahead       string
	kernelReadahead string
	maxFetches      int
	statTTL         time.Duration
	listLookupMax   int
	maxInodes       int
	uid, gid        int
	fileMode        string
	dirMode         string
	allowOther      bool
	noDefaultPerms  bool
	requestTimeout  time.Duration
	opTimeout       time.Duration
	retries         int
	logLevel        string
	logFile         string
	debugFuse       bool
	cpuProfile      string
	tokenFile       string
	caCert          string
	clientCert      string
	clientKey       string
	skipVerify      bool
	logFormat       string
	metricsAddr     string
	directIOMin     string
	stagingDir      string
	stagingSize     string
	shutdownWait    time.Duration
	version         bool
	help            bool
	options         []string
}

func newFlagSet(s *settings) *pflag.FlagSet {
	fl := pflag.NewFlagSet("aisfs", pflag.ContinueOnError)
	fl.SortFlags = false
	fl.StringVar(&s.endpoint, "endpoint", "", "AIS endpoint (http(s)://host:port) for a bucket SOURCE; default $AIS_ENDPOINT")
	fl.BoolVarP(&s.foreground, "foreground", "f", false, "stay in the foreground instead of returning once mounted")
	fl.BoolVar(&s.readOnly, "read-only", false, "mount read-only")
	fl.StringVar(&s.cacheSize, "cache-size", "256MiB", "memory for the block read cache shared by all files")
	fl.StringVar(&s.blockSize, "block-size", "1MiB", "cache block size (the unit of range GETs)")
	fl.StringVar(&s.readahead, "readahead", "64MiB", "largest readahead window of one sequential reader")
	fl.StringVar(&s.kernelReadahead, "kernel-readahead", "1MiB", "the kernel's readahead for the mount (set through sysfs when root)")
	fl.StringVar(&s.directIOMin, "direct-io-min", "", "read files of at least this size without the kernel page cache: faster first reads, no page cache, no shared mmap (default off)")
	fl.IntVar(&s.maxFetches, "max-fetches", 16, "concurrent range GETs across all files")
	fl.StringVar(&s.stagingDir, "staging-dir", defaultStagingDir(), "local directory for files being written (kept there when an upload fails)")
	fl.StringVar(&s.stagingSize, "staging-size", "8GiB", "most bytes of files being written at once; past it writes fail with ENOSPC")
	fl.DurationVar(&s.shutdownWait, "shutdown-timeout", 5*time.Minute, "how long SIGTERM/SIGINT wait for pending uploads before unmounting")
	fl.DurationVar(&s.statTTL, "stat-ttl", 10*time.Second, "how long listings, attributes and kernel entries are trusted")
	fl.IntVar(&s.listLookupMax, "list-lookup-max", 10000, "entries a lookup lists in an unread directory before it uses one HEAD per name")
	fl.IntVar(&s.maxInodes, "max-inodes", 128<<10, "file inodes kept before the kernel is asked to forget the least recently used idle ones")
	fl.IntVar(&s.uid, "uid", -1, "owner of every file (default: the mounting user)")
	fl.IntVar(&s.gid, "gid", -1, "group of every file (default: the mounting user's group)")
	fl.StringVar(&s.fileMode, "file-mode", "0644", "permission bits of files (octal)")
	fl.StringVar(&s.dirMode, "dir-mode", "0755", "permission bits of directories (octal)")
	fl.BoolVar(&s.allowOther, "allow-other", false, "let other users access the mount (FUSE allow_other); the kernel then checks modes (default_permissions)")
	fl.BoolVar(&s.noDefaultPerms, "no-default-permissions", false, "with --allow-other, do not have the kernel check modes and owners: every user may read and change every file")
	fl.DurationVar(&s.requestTimeout, "request-timeout", 30*time.Second, "time limit of one metadata request, and time to first byte of a read")
	fl.StringVar(&s.tokenFile, "token-file", "", "AuthN token file (default: $AIS_AUTHN_TOKEN, $AIS_AUTHN_TOKEN_FILE, then the AIS CLI's saved token)")
	fl.StringVar(&s.caCert, "ca-cert", "", "PEM file of the CA that signed the cluster's HTTPS certificate")
	fl.StringVar(&s.clientCert, "client-cert", "", "PEM client certificate for HTTPS (with --client-key)")
	fl.StringVar(&s.clientKey, "client-key", "", "PEM private key of --client-cert")
	fl.BoolVar(&s.skipVerify, "skip-verify", false, "do not verify the cluster's HTTPS certificate (insecure)")
	fl.DurationVar(&s.opTimeout, "op-timeout", 2*time.Minute, "total time one AIS request may take, retries included; past it the call fails with EIO")
	fl.IntVar(&s.retries, "retries", -1, "most retries of an idempotent request (GET, HEAD, list) after a transient failure (default: as many as --op-timeout allows; 0: none)")
	fl.StringVar(&s.logLevel, "log-level", "info", "debug, info, warn or error")
	fl.StringVar(&s.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at this address (a bare port means 127.0.0.1:PORT); off by default")
	fl.StringVar(&s.logFormat, "log-format", "text", "text or json")
	fl.StringVar(&s.logFile, "log-file", "", "log to this file (default: stderr; nowhere once in the background)")
	fl.BoolVar(&s.debugFuse, "debug-fuse", false, "log every FUSE request (very verbose)")
	fl.StringVar(&s.cpuProfile, "cpu-profile", "", "write a Go CPU profile of the mount's life to this file")
	fl.MarkHidden("cpu-profile")
	fl.StringSliceVarP(&s.options, "options", "o", nil, "mount options name[=value],... (flag names, FUSE and mount(8) options)")
	fl.BoolVar(&s.version, "version", false, "print the version and exit")
	fl.BoolVarP(&s.help, "help", "h", false, "show this help")
	return fl
}

// defaultStagingDir is per user, so two users' mounts never share staging files.
func defaultStagingDir() string {
	if d, err := os.UserCacheDir(); err == nil && os.Geteuid() != 0 {
		return d + "/aisfs/staging"
	}
	return "/var/tmp/aisfs-" + strconv.Itoa(os.Geteuid()) + "/staging"
}

func parseSize(name, v string) (int64, error) {
	n, err := humanize.ParseBytes(v)
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", name, err)
	}
	if n == 0 || n > 1<<50 {
		return 0, fmt.Errorf("--%s: %q is out of range", name, v)
	}
	return int64(n), nil
}

func parseMode(name, v string) (os.FileMode, error) {
	m, err := strconv.ParseUint(v, 8, 32)
	if err != nil || m&^0o777 != 0 {
		return 0, fmt.Errorf("--%s: %q is not an octal permission like 0644", name, v)
	}
	return os.FileMode(m), nil
}

const usageText = `aisfs mounts NVIDIA AIStore as a filesystem.

Usage:
  aisfs [flags] SOURCE MOUNTPOINT [-o opts]

SOURCE is either a cluster endpoint or one bucket, optionally below a prefix:
  http(s)://HOST:PORT         the whole cluster: ais/, aws/, gcp/, ... with buckets below
  ais://BUCKET[/PREFIX]       one bucket; also s3:// aws:// gs:// gcp:// az:// azure:// oc:// oci:// ht://
                              (the endpoint comes from --endpoint, -o endpoint=, or $AIS_ENDPOINT)

Examples:
  aisfs http://aisproxy:51080 /mnt/ais          # browse /mnt/ais/ais/<bucket>/...
  aisfs --endpoint http://aisproxy:51080 ais://imagenet/train /data/train
  aisfs ais://ckpt /mnt/ckpt -o endpoint=http://aisproxy:51080,stat_ttl=1m,allow_other
  umount /mnt/ais                               # or: fusermount3 -u /mnt/ais

Boot mounting (mount(8) runs /sbin/mount.fuse.aisfs, installed by make install):
  mount -t fuse.aisfs ais://ckpt /mnt/ckpt -o endpoint=http://aisproxy:51080
  # /etc/fstab
  http://aisproxy:51080  /mnt/ais   fuse.aisfs  _netdev,nofail,x-systemd.automount,allow_other  0 0
  ais://imagenet/train   /data/in   fuse.aisfs  endpoint=http://aisproxy:51080,ro,_netdev       0 0
  # systemd: /etc/aisfs/mnt-ais.conf, then systemctl enable --now aisfs@mnt-ais (see systemd/)

Flags; each is also a mount option, -o name=value ('_' and '-' alike, a bare name means true):
`

// printFlags lists every flag with its -o spelling, so fstab authors see both.
func printFlags(w io.Writer, fl *pflag.FlagSet) {
	fl.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" || f.Name == "version" || f.Name == "options" {
			return
		}
		name := "--" + f.Name
		if f.Shorthand != "" {
			name = "-" + f.Shorthand + ", " + name
		}
		typ, usage := pflag.UnquoteUsage(f)
		opt := strings.ReplaceAll(f.Name, "-", "_")
		if typ != "" {
			name += " " + typ
			opt += "="
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" && f.DefValue != "-1" {
			def = " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "  %-28s -o %-22s %s%s\n", name, opt, usage, def)
	})
	fmt.Fprintf(w, "  %-28s    %-22s %s\n", "-o, --options opts", "", "comma-separated mount options: the above, FUSE's (allow_other, default_permissions, ...), mount(8)'s (ignored)")
	fmt.Fprintf(w, "  %-28s    %-22s %s\n", "--version", "", "print the version")
	fmt.Fprintf(w, "  %-28s    %-22s %s\n", "-h, --help", "", "show this help")
}
