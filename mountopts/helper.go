package mountopts

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ErrFakeMount is returned by HelperArgs for mount(8)'s -f ("fake": do everything but the
// mount). The caller should exit 0 without mounting, the way flag.ErrHelp means "not a failure".
var ErrFakeMount = errors.New("fake mount (-f): not mounting")

// ErrHelperUsage is wrapped by HelperArgs's errors for an argv mount(8) would not produce.
var ErrHelperUsage = errors.New("mount helper usage")

// sourcePrefix marks the program in the legacy fstab form "aisfs#SOURCE DIR fuse ...".
const sourcePrefix = "aisfs#"

// IsHelperName reports whether the program runs as a mount(8) helper: filepath.Base(argv0) is
// "mount.fuse.aisfs" or "mount.aisfs".
func IsHelperName(argv0 string) bool {
	b := filepath.Base(argv0)
	return b == "mount.fuse.aisfs" || b == "mount.aisfs"
}

// HelperArgs rewrites the argv that mount(8) gives a helper, `mount.fuse.aisfs SOURCE DIR [-sfnv]
// [-N NS] [-o OPTS] [-t TYPE]`, into aisfs argv `SOURCE DIR [-o OPTS]` (args excludes argv0).
//
//   - -n (do not write mtab), -s (sloppy), -v (verbose) and -t TYPE are dropped; -s does not make
//     unknown options acceptable, since a typo in fstab should fail loudly.
//   - -f is mount(8)'s "fake", not "foreground": HelperArgs returns ErrFakeMount. aisfs already
//     returns only once the mount is live, which is what mount(8) needs.
//   - -N (mount namespace) is an error: not supported.
//   - Several -o (also "-oOPTS") are joined with ',' into one; option checking is Apply's job.
//   - A SOURCE of the form "aisfs#SOURCE" (type "fuse" fstab entries) loses its "aisfs#".
func HelperArgs(argv0 string, args []string) ([]string, error) {
	prog := filepath.Base(argv0)
	var pos, opts []string
	fake := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case a == "-o" || a == "-t" || a == "-N":
			if i+1 >= len(args) {
				return nil, fmt.Errorf("%w: %s: %s needs an argument", ErrHelperUsage, prog, a)
			}
			i++
			switch a {
			case "-o":
				opts = append(opts, args[i])
			case "-N":
				return nil, fmt.Errorf("%w: %s: -N (mount namespace) is not supported", ErrHelperUsage, prog)
			}
		case strings.HasPrefix(a, "-o"):
			opts = append(opts, a[2:])
		case strings.HasPrefix(a, "-t"):
		case strings.HasPrefix(a, "-N"):
			return nil, fmt.Errorf("%w: %s: -N (mount namespace) is not supported", ErrHelperUsage, prog)
		case len(a) > 1 && a[0] == '-':
			for _, c := range a[1:] {
				switch c {
				case 'n', 's', 'v':
				case 'f':
					fake = true
				default:
					return nil, fmt.Errorf("%w: %s: unknown flag %q in %q", ErrHelperUsage, prog, "-"+string(c), a)
				}
			}
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) != 2 {
		return nil, fmt.Errorf("%w: %s SOURCE DIR [-o OPTIONS]: want 2 arguments, got %d", ErrHelperUsage, prog, len(pos))
	}
	if fake {
		return nil, ErrFakeMount
	}
	out := []string{strings.TrimPrefix(pos[0], sourcePrefix), pos[1]}
	var nonEmpty []string
	for _, o := range opts {
		if o = strings.Trim(o, ","); o != "" {
			nonEmpty = append(nonEmpty, o)
		}
	}
	if len(nonEmpty) > 0 {
		out = append(out, "-o", strings.Join(nonEmpty, ","))
	}
	return out, nil
}
