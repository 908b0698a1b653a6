package mountopts

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrUnknownOption is wrapped by the error for an option that is neither a flag, a FUSE option
// nor a mount(8) generic one.
var ErrUnknownOption = errors.New("unknown mount option")

// ErrInvalidOption is wrapped by the error for a known option used wrongly ("ro=1", "max_read=x").
var ErrInvalidOption = errors.New("invalid mount option")

// Options is the result of parsing "-o" strings.
type Options struct {
	Flags    map[string]string // flag name (canonical, with '-') -> value; bare option "foo" -> "true"
	FuseOpts []string          // options passed through to FUSE as-is (allow_other, default_permissions, ...)
	ReadOnly bool              // "ro" given ("rw" -> false)
	Ignored  []string          // mount(8) generic options accepted and ignored (for a debug log line)

	// Overridden lists the -o items Apply skipped because the same flag was given explicitly on
	// the command line (for a debug log line). ParseOptions leaves it empty.
	Overridden []string
}

// flagItem is one -o item that names a program flag, in the order given, so Apply can set them
// in order (later wins, slice flags accumulate) and quote the user's own spelling in errors.
type flagItem struct {
	orig    string // the item as written
	name    string // canonical flag name
	value   string
	bare    bool // no "=VALUE" given
	negated bool // "noNAME" form: value is "false"
	fromRO  bool // "ro"/"rw", aimed at ReadOnlyFlag if the program has it
}

// ParseOptions parses one or more comma-separated option strings (several -o may be given).
// known reports whether a name (canonical '-' form) is a flag of the program; unknown names are an error, unless they
// are known FUSE pass-through options or mount(8) generic ones.
func ParseOptions(opts []string, known func(name string) bool) (Options, error) {
	p, err := parse(opts, known, nil)
	return p.Options, err
}

// parsed is ParseOptions's result plus what Apply needs to set flags.
type parsed struct {
	Options
	items []flagItem // flag items in the order given
}

// parse is ParseOptions with the details Apply needs; candidates, if not nil, lists flag names to
// suggest for a misspelt option.
func parse(opts []string, known func(string) bool, candidates []string) (parsed, error) {
	if known == nil {
		known = func(string) bool { return false }
	}
	p := parsed{Options: Options{Flags: map[string]string{}}}
	for _, s := range opts {
		for item := range strings.SplitSeq(s, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			if err := p.add(item, known, candidates); err != nil {
				return parsed{}, err
			}
		}
	}
	return p, nil
}

// add sorts one item; see the package documentation for the order.
func (p *parsed) add(item string, known func(string) bool, candidates []string) error {
	name, value, hasValue := strings.Cut(item, "=")
	if name == "" {
		return fmt.Errorf("%w %q: missing name", ErrInvalidOption, item)
	}
	if dropped(name) {
		return nil
	}
	// mount(8) and FUSE spell names with '_', flags with '-'; compare each in its own spelling.
	mountName := strings.ReplaceAll(name, "-", "_")
	flagName := strings.ReplaceAll(name, "_", "-")

	switch mountName {
	case "ro", "rw":
		if hasValue {
			return fmt.Errorf("%w %q: %s takes no value", ErrInvalidOption, item, mountName)
		}
		p.ReadOnly = mountName == "ro"
		p.items = append(p.items, flagItem{orig: item, name: ReadOnlyFlag, value: strconv.FormatBool(p.ReadOnly), fromRO: true})
		if mountName == "rw" {
			p.Ignored = append(p.Ignored, item)
		}
		return nil
	}
	switch classifyGeneric(mountName) {
	case genericIgnored:
		p.Ignored = append(p.Ignored, item)
		return nil
	case genericToFuse:
		if hasValue {
			return fmt.Errorf("%w %q: %s takes no value", ErrInvalidOption, item, mountName)
		}
		p.FuseOpts = append(p.FuseOpts, mountName)
		return nil
	}
	if known(flagName) {
		if !hasValue {
			value = "true"
		}
		p.Flags[flagName] = value
		p.items = append(p.items, flagItem{orig: item, name: flagName, value: value, bare: !hasValue})
		return nil
	}
	if fuse, ok, err := fuseOption(item, mountName, value, hasValue); ok || err != nil {
		if err != nil {
			return err
		}
		p.FuseOpts = append(p.FuseOpts, fuse)
		return nil
	}
	if !hasValue {
		if pos, ok := negated(flagName, known); ok {
			p.Flags[pos] = "false"
			p.items = append(p.items, flagItem{orig: item, name: pos, value: "false", negated: true})
			return nil
		}
	}
	err := fmt.Errorf("%w %q", ErrUnknownOption, name)
	if s := suggest(flagName, slices.Concat(candidates, fuseNames())); s != "" {
		err = fmt.Errorf("%w (did you mean %q?)", err, s)
	}
	return err
}

// dropped reports items meant for mount(8) or systemd that are not even worth a log line.
func dropped(name string) bool {
	return name == "comment" || name == "helper" || strings.HasPrefix(name, "x-")
}

// negated maps "noNAME" or "no-NAME" to NAME when NAME is a flag.
func negated(flagName string, known func(string) bool) (string, bool) {
	rest, ok := strings.CutPrefix(flagName, "no")
	if !ok {
		return "", false
	}
	rest = strings.TrimPrefix(rest, "-")
	if rest == "" || !known(rest) {
		return "", false
	}
	return rest, true
}

type generic int

const (
	notGeneric generic = iota
	genericIgnored
	genericToFuse
)

// classifyGeneric knows mount(8)'s filesystem-independent options (name in '_' spelling).
func classifyGeneric(name string) generic {
	switch name {
	case "_netdev", "nofail", "auto", "noauto", "user", "users", "nouser", "owner", "group",
		"defaults", "async", "sync", "dirsync",
		"atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime",
		"strictatime", "nostrictatime", "lazytime", "nolazytime",
		"iversion", "noiversion", "mand", "nomand", "silent", "loud",
		// aisfs sets its own fsname and subtype; FUSE 3 allows non-empty mount points.
		"fsname", "subtype", "nonempty":
		return genericIgnored
	case "dev", "nodev", "suid", "nosuid", "exec", "noexec":
		// go-fuse applies these as mount flags on both of its mount paths.
		return genericToFuse
	}
	return notGeneric
}

// fuseOption recognises the FUSE options passed through verbatim, returning them in FUSE's
// spelling. ok is false for a name that is not one of them.
func fuseOption(item, name, value string, hasValue bool) (opt string, ok bool, err error) {
	switch name {
	case "allow_other", "allow_root", "default_permissions", "auto_unmount":
		if hasValue {
			return "", true, fmt.Errorf("%w %q: %s takes no value", ErrInvalidOption, item, name)
		}
		return name, true, nil
	case "max_read":
		if n, perr := strconv.ParseUint(value, 10, 32); perr != nil || n == 0 {
			return "", true, fmt.Errorf("%w %q: max_read wants a positive integer", ErrInvalidOption, item)
		}
		return name + "=" + value, true, nil
	}
	return "", false, nil
}

// fuseNames are suggestion candidates besides the program's flags.
func fuseNames() []string {
	return []string{"allow_other", "allow_root", "default_permissions", "auto_unmount", "max_read"}
}
