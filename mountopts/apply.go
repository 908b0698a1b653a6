package mountopts

import (
	"fmt"

	"github.com/spf13/pflag"
)

// ReadOnlyFlag is the flag Apply sets from "ro"/"rw" when the FlagSet defines it.
const ReadOnlyFlag = "read-only"

// Apply parses opts and sets each flag on fs (fs.Set), so -o and command-line flags share one source of truth.
// Command-line flags the user set explicitly win over -o values (fs.Changed). Returns the Options for FuseOpts/ReadOnly.
//
// Call it after fs.Parse. A bare option takes the flag's NoOptDefVal ("true" for a bool) and is
// an error for a flag that needs a value; "noNAME" is accepted only for a bool flag. When fs has
// a bool flag named ReadOnlyFlag, "ro"/"rw" set it too (unless it was given explicitly), and
// the returned ReadOnly is that flag's final value.
// Options.Flags holds what -o said, including items skipped because the command line won; those
// items are also listed in Options.Overridden.
func Apply(fs *pflag.FlagSet, opts []string) (Options, error) {
	// Snapshot before setting anything: fs.Set marks a flag Changed.
	explicit := map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { explicit[f.Name] = true })
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && f.Deprecated == "" {
			names = append(names, f.Name)
		}
	})
	p, err := parse(opts, func(name string) bool { return fs.Lookup(name) != nil }, names)
	if err != nil {
		return Options{}, err
	}
	for _, it := range p.items {
		f := fs.Lookup(it.name)
		if it.fromRO && (f == nil || f.Value.Type() != "bool") {
			continue // no read-only flag: ReadOnly alone carries it
		}
		if explicit[f.Name] {
			p.Overridden = append(p.Overridden, it.orig)
			continue
		}
		value := it.value
		switch {
		case it.negated && f.Value.Type() != "bool":
			return Options{}, fmt.Errorf("%w %q: --%s is not a boolean flag", ErrInvalidOption, it.orig, f.Name)
		case it.bare && f.NoOptDefVal == "":
			return Options{}, fmt.Errorf("%w %q: --%s needs a value (%s=...)", ErrInvalidOption, it.orig, f.Name, it.orig)
		case it.bare:
			value = f.NoOptDefVal
		}
		if err := fs.Set(f.Name, value); err != nil {
			return Options{}, fmt.Errorf("%w %q: %w", ErrInvalidOption, it.orig, err)
		}
	}
	if f := fs.Lookup(ReadOnlyFlag); f != nil && f.Value.Type() == "bool" {
		// The flag is the one truth; ReadOnly mirrors it so callers may use either.
		p.ReadOnly = f.Value.String() == "true"
	}
	return p.Options, nil
}
