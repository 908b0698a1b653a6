// Package mountopts turns what a user types (or what mount(8) and fstab hand a helper) into a
// mount request: the SOURCE argument and mount(8)-style "-o" option strings. It knows nothing of
// FUSE libraries or of package fs; cmd/aisfs maps the result onto them.
//
// # SOURCE
//
// ParseSource accepts two forms:
//
//   - http://HOST[:PORT] or https://HOST[:PORT]: the whole cluster (Source.IsCluster). A path other
//     than "/" and any query, fragment or user:password@ part are errors, so a typo never silently
//     becomes a different endpoint.
//   - SCHEME://BUCKET[/PREFIX]: one bucket, optionally rooted at an object-name prefix. The schemes
//     are the AIS CLI's: ais, s3 and aws (provider "aws"), gs and gcp ("gcp"), az and azure
//     ("azure"), oc and oci ("oci"); scheme case does not matter. Bucket names follow AIS
//     (aisclient.CheckBucketName): letters, digits, '-', '_' and '.', no leading '.' and no "..".
//     Bucket namespaces
//     (ais://@uuid#ns/bucket) are not supported. The prefix is cleaned: empty components ("a//b",
//     a leading or trailing "/") are dropped, "." and ".." components are errors, and a non-empty
//     prefix always ends in "/", so it names a directory, never a partial object name.
//
// Source.String is the canonical form and re-parses to the same Source. For buckets it uses
// AIS's own display scheme (ais://, s3://, gs://, az://, oc://), the one AIS prints in its
// messages and that `ais ls` shows.
//
// # Options
//
// ParseOptions reads one or more "-o" strings. Items are split on ',' (no escaping) and empty
// items are skipped; an item is NAME or NAME=VALUE (split at the first '='); '_' and '-' are the
// same in names. Each item is sorted, in this order:
//
//  1. Dropped entirely: comment=..., x-* (x-systemd.automount, x-systemd.mount-timeout=...),
//     helper=... . These are for mount(8) and systemd, never for the filesystem.
//  2. "ro" sets ReadOnly; "rw" clears it (and is listed as Ignored, since it is the default).
//  3. mount(8) generic options are accepted and ignored (listed in Options.Ignored for a debug
//     line): _netdev, nofail, auto, noauto, user[=NAME], users, nouser, owner, group, defaults,
//     async, sync, dirsync, [no]atime, [no]diratime, [no]relatime, [no]strictatime, [no]lazytime,
//     [no]iversion, [no]mand, silent, loud, and fsname=, subtype=, nonempty (aisfs sets its own
//     fsname and subtype; FUSE 3 mounts over non-empty directories anyway).
//     Exception: [no]dev, [no]suid and [no]exec go to FuseOpts, because go-fuse turns them into
//     mount flags in both of its mount paths and an administrator's noexec/nosuid must hold.
//  4. A flag of the program (known): Flags[name] = value, or "true" for a bare name.
//  5. FUSE pass-through options, copied to FuseOpts in their FUSE spelling: allow_other,
//     allow_root, default_permissions, auto_unmount, max_read=N. A program flag of the same
//     name (say --allow-other) takes precedence in step 4, so there is one source of truth.
//  6. noNAME, bare, where NAME is a flag: Flags[NAME] = "false" (Apply checks it is a bool).
//  7. Anything else is an error wrapping ErrUnknownOption, with the nearest name suggested.
//
// A later item overrides an earlier one, as with mount(8).
//
// Apply is ParseOptions over a pflag.FlagSet: every option is set with fs.Set, so "-o stat_ttl=5s"
// and "--stat-ttl=5s" are one value, parsed and validated by the same flag. A flag given
// explicitly on the command line wins over -o (its -o item is listed in Options.Overridden).
// If the program has a bool flag "read-only" (ReadOnlyFlag), "ro" and "rw" set it like any other
// item, in order, and Options.ReadOnly reports its final value.
//
// # mount(8) helper
//
// mount -t fuse.aisfs and fstab call /sbin/mount.fuse.aisfs SOURCE DIR [-sfnv] [-o OPTS]
// [-t TYPE]. HelperArgs rewrites that into aisfs's own "SOURCE DIR -o OPTS". In the helper
// protocol -f means "fake" (do everything but mount), not "foreground", so HelperArgs returns
// ErrFakeMount for it and the caller exits 0 without mounting.
package mountopts
