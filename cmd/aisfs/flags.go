package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// settings is every knob of one aisfs run, bound to flags; `-o name=value` sets the same flags.
type settings struct {
	endpoint        string
	foreground      bool
	readOnly        bool
	archives        bool
	cacheSize       int64
	blockSize       int64
	readahead       int64
	kernelReadahead int64
	maxFetches      int
	statTTL         time.Duration
	listLookupMax   int
	maxInodes       int
	uid, gid        int
	fileMode        os.FileMode
	dirMode         os.FileMode
	allowOther      bool
	noDefaultPerms  bool
	requestTimeout  time.Duration
	opTimeout       time.Duration
	retries         int
	logLevel        slog.Level
	verbose         bool
	logFile         string
	debugFuse       bool
	cpuProfile      string
	memProfile      string
	tokenFile       string
	caCert          string
	clientCert      string
	clientKey       string
	skipVerify      bool
	logFormat       string
	metricsAddr     string
	directIOMin     int64
	noBatchReads    bool
	stagingDir      string
	stagingSize     int64
	diskCache       string
	diskCacheSize   int64
	shutdownWait    time.Duration
	version         bool
	help            bool
	options         []string
	configFile      string
}

func newFlagSet(s *settings) *pflag.FlagSet {
	fl := pflag.NewFlagSet("aisfs", pflag.ContinueOnError)
	fl.SortFlags = false
	fl.StringVar(&s.configFile, "config", "", "read mount options from FILE, one name[=value] per line; flags and -o win over it")
	fl.StringVar(&s.endpoint, "endpoint", "", "AIS endpoint (http(s)://host:port) for a bucket SOURCE (default: $AIS_ENDPOINT, then the AIS CLI's cluster.url)")
	fl.BoolVarP(&s.foreground, "foreground", "f", false, "stay in the foreground instead of returning once mounted")
	fl.BoolVar(&s.readOnly, "read-only", false, "mount read-only")
	fl.BoolVar(&s.archives, "archives", false, "show *.tar, *.tgz, *.tar.gz, *.tar.lz4 and *.zip objects as read-only directories of their members")
	fl.Var(newSize(&s.cacheSize, 256<<20, false), "cache-size", "memory for the block read cache shared by all files")
	fl.Var(newSize(&s.blockSize, 1<<20, false), "block-size", "cache block size (the unit of range GETs)")
	fl.Var(newSize(&s.readahead, 64<<20, false), "readahead", "largest readahead window of one sequential reader")
	fl.Var(newSize(&s.kernelReadahead, 1<<20, false), "kernel-readahead", "the kernel's readahead for the mount (set through sysfs when root)")
	fl.Var(newSize(&s.directIOMin, 0, true), "direct-io-min", "read files of at least this size without the kernel page cache: faster first reads, no page cache, no shared mmap (default off)")
	fl.BoolVar(&s.noBatchReads, "no-batch-reads", false, "read small files read in listing order one GET each, not with AIS GetBatch")
	fl.Var(newCount(&s.maxFetches, 16, 1), "max-fetches", "concurrent range GETs across all files")
	fl.StringVar(&s.stagingDir, "staging-dir", defaultStagingDir(), "local directory for files being written (kept there when an upload fails)")
	fl.Var(newSize(&s.stagingSize, 8<<30, false), "staging-size", "most bytes of files being written at once; past it writes fail with ENOSPC")
	fl.StringVar(&s.diskCache, "disk-cache", "", "keep blocks read from AIS in this local directory too, for later reads and remounts (default off; one mount per directory)")
	fl.Var(newSize(&s.diskCacheSize, 10<<30, false), "disk-cache-size", "most bytes of --disk-cache; least recently used blocks are evicted past it")
	fl.Var(newDuration(&s.shutdownWait, 5*time.Minute, true), "shutdown-timeout", "how long SIGTERM/SIGINT and aisfs umount wait for pending uploads before unmounting")
	fl.Var(newDuration(&s.statTTL, 10*time.Second, true), "stat-ttl", "how long listings, attributes and kernel entries are trusted")
	fl.Var(newCount(&s.listLookupMax, 10000, 1), "list-lookup-max", "entries a lookup lists in an unread directory before it uses one HEAD per name")
	fl.Var(newCount(&s.maxInodes, 128<<10, 1), "max-inodes", "file inodes kept before the kernel is asked to forget the least recently used idle ones")
	fl.IntVar(&s.uid, "uid", -1, "owner of every file (default: the mounting user)")
	fl.IntVar(&s.gid, "gid", -1, "group of every file (default: the mounting user's group)")
	fl.Var(newMode(&s.fileMode, 0o644), "file-mode", "permission bits of files (octal)")
	fl.Var(newMode(&s.dirMode, 0o755), "dir-mode", "permission bits of directories (octal)")
	fl.BoolVar(&s.allowOther, "allow-other", false, "let other users access the mount (FUSE allow_other); the kernel then checks modes (default_permissions)")
	fl.BoolVar(&s.noDefaultPerms, "no-default-permissions", false, "with --allow-other, do not have the kernel check modes and owners: every user may read and change every file")
	fl.Var(newDuration(&s.requestTimeout, 30*time.Second, false), "request-timeout", "time limit of one metadata request, and time to first byte of a read")
	fl.StringVar(&s.tokenFile, "token-file", "", "AuthN token file (default: $AIS_AUTHN_TOKEN, $AIS_AUTHN_TOKEN_FILE, then the AIS CLI's saved token)")
	fl.StringVar(&s.caCert, "ca-cert", "", "PEM file of the CA that signed the cluster's HTTPS certificate")
	fl.StringVar(&s.clientCert, "client-cert", "", "PEM client certificate for HTTPS (with --client-key)")
	fl.StringVar(&s.clientKey, "client-key", "", "PEM private key of --client-cert")
	fl.BoolVar(&s.skipVerify, "skip-verify", false, "do not verify the cluster's HTTPS certificate (insecure)")
	fl.Var(newDuration(&s.opTimeout, 2*time.Minute, false), "op-timeout", "total time one AIS request may take, retries included; past it the call fails with EIO")
	fl.Var(newCount(&s.retries, -1, -1), "retries", "most retries of an idempotent request (GET, HEAD, list) after a transient failure (default: as many as --op-timeout allows; 0: none)")
	fl.Var(newLevel(&s.logLevel, slog.LevelInfo), "log-level", "debug, info, warn or error")
	fl.BoolVarP(&s.verbose, "verbose", "v", false, "short for --log-level=debug")
	fl.StringVar(&s.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at this address (a bare port means 127.0.0.1:PORT); off by default")
	fl.Var(newChoice(&s.logFormat, "text", "text", "json"), "log-format", "text or json")
	fl.StringVar(&s.logFile, "log-file", "", "log to this file (default: stderr; nowhere once in the background)")
	fl.BoolVar(&s.debugFuse, "debug-fuse", false, "log every FUSE request (very verbose)")
	fl.StringVar(&s.cpuProfile, "cpu-profile", "", "write a Go CPU profile of the mount's life to this file")
	fl.MarkHidden("cpu-profile")
	fl.StringVar(&s.memProfile, "mem-profile", "", "write a Go heap profile (in use and allocated since start) to this file at unmount")
	fl.MarkHidden("mem-profile")
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

const usageText = `aisfs mounts NVIDIA AIStore as a filesystem.

Usage:
  aisfs [flags] SOURCE MOUNTPOINT [-o opts]

SOURCE is either a cluster endpoint or one bucket, optionally below a prefix:
  http(s)://HOST:PORT         the whole cluster: ais/, aws/, gcp/, ... with buckets below
  ais://BUCKET[/PREFIX]       one bucket; also s3:// aws:// gs:// gcp:// az:// azure:// oc:// oci://
                              (the endpoint comes from --endpoint, -o endpoint=, $AIS_ENDPOINT, or
                              cluster.url in the AIS CLI's ~/.config/ais/cli/cli.json)

Examples:
  aisfs http://aisproxy:51080 /mnt/ais          # browse /mnt/ais/ais/<bucket>/...
  aisfs --endpoint http://aisproxy:51080 ais://imagenet/train /data/train
  aisfs ais://ckpt /mnt/ckpt -o endpoint=http://aisproxy:51080,stat_ttl=1m,allow_other
  umount /mnt/ais                               # or: fusermount3 -u /mnt/ais

Subcommands, on a running mount (they ask its aisfs process, found through the mount table):
  aisfs prefetch [--no-wait] PATH...   have AIS fetch the objects under PATH of a remote bucket into the cluster
  aisfs prefetch --local PATH...       read every file under PATH through the mount, filling its local cache
  aisfs evict [--no-wait] PATH...      drop the cluster's copies of the objects under PATH of a remote bucket
  aisfs stats MOUNTPOINT               cache, traffic, uploads, errors and AIS request latencies of the mount
  aisfs umount MOUNTPOINT              finish pending uploads, then unmount
  (aisfs SUBCOMMAND --help for their flags)

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
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" && f.DefValue != "-1" && f.DefValue != "0" {
			def = " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "  %-28s -o %-22s %s%s\n", name, opt, usage, def)
	})
	fmt.Fprintf(w, "  %-28s    %-22s %s\n", "-o, --options opts", "", "comma-separated mount options: the above, FUSE's (allow_other, default_permissions, ...), mount(8)'s (ignored)")
	fmt.Fprintf(w, "  %-28s    %-22s %s\n", "--version", "", "print the version")
	fmt.Fprintf(w, "  %-28s    %-22s %s\n", "-h, --help", "", "show this help")
}
