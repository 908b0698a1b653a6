package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// Typed flag values: each checks its input in Set, so a bad --cache-size or -o cache_size= fails
// while the command line is parsed, with pflag's "invalid argument" message naming the flag, and
// configure has nothing left to check. (Every -o item goes through the same Set.)

const maxSize = 1 << 50

// sizeValue is a byte count: "256MiB", "1G", "4096". Zero is refused unless zeroOK ("0" then
// means off).
type sizeValue struct {
	n      *int64
	zeroOK bool
}

func newSize(p *int64, def int64, zeroOK bool) *sizeValue {
	*p = def
	return &sizeValue{n: p, zeroOK: zeroOK}
}

func (v *sizeValue) Set(s string) error {
	n, err := humanize.ParseBytes(s)
	switch {
	case err != nil:
		return errors.New("not a size like 256MiB or 1G")
	case n == 0 && !v.zeroOK:
		return errors.New("must be more than 0")
	case n > maxSize:
		return errors.New("more than 1 PiB")
	}
	*v.n = int64(n)
	return nil
}

func (v *sizeValue) Type() string { return "size" }

// String prints the largest binary unit that divides the size, so defaults read "256MiB".
func (v *sizeValue) String() string {
	n := *v.n
	for _, u := range []struct {
		name  string
		shift uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n != 0 && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

// modeValue is octal permission bits.
type modeValue struct{ m *os.FileMode }

func newMode(p *os.FileMode, def os.FileMode) *modeValue {
	*p = def
	return &modeValue{p}
}

func (v *modeValue) Set(s string) error {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m&^0o777 != 0 {
		return errors.New("not an octal permission like 0644")
	}
	*v.m = os.FileMode(m)
	return nil
}

func (v *modeValue) Type() string   { return "mode" }
func (v *modeValue) String() string { return fmt.Sprintf("%04o", uint32(*v.m)) }

// durationValue is a time.Duration that must be positive, or not negative when zeroOK.
type durationValue struct {
	d      *time.Duration
	zeroOK bool
}

func newDuration(p *time.Duration, def time.Duration, zeroOK bool) *durationValue {
	*p = def
	return &durationValue{d: p, zeroOK: zeroOK}
}

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return errors.New("not a duration like 10s or 2m")
	case d < 0 || d == 0 && !v.zeroOK:
		if v.zeroOK {
			return errors.New("must not be negative")
		}
		return errors.New("must be positive")
	}
	*v.d = d
	return nil
}

func (v *durationValue) Type() string   { return "duration" }
func (v *durationValue) String() string { return v.d.String() }

// countValue is an int of at least min.
type countValue struct {
	n   *int
	min int
}

func newCount(p *int, def, min int) *countValue {
	*p = def
	return &countValue{n: p, min: min}
}

func (v *countValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return errors.New("not an integer")
	case n < v.min:
		return fmt.Errorf("must be at least %d", v.min)
	}
	*v.n = n
	return nil
}

func (v *countValue) Type() string   { return "int" }
func (v *countValue) String() string { return strconv.Itoa(*v.n) }

// levelValue is a log level: debug, info, warn or error.
type levelValue struct{ l *slog.Level }

func newLevel(p *slog.Level, def slog.Level) *levelValue {
	*p = def
	return &levelValue{p}
}

func (v *levelValue) Set(s string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return errors.New("not debug, info, warn or error")
	}
	*v.l = l
	return nil
}

func (v *levelValue) Type() string   { return "level" }
func (v *levelValue) String() string { return strings.ToLower(v.l.String()) }

// choiceValue is one of a fixed set of words.
type choiceValue struct {
	s       *string
	choices []string
}

func newChoice(p *string, def string, choices ...string) *choiceValue {
	*p = def
	return &choiceValue{s: p, choices: choices}
}

func (v *choiceValue) Set(s string) error {
	for _, c := range v.choices {
		if s == c {
			*v.s = s
			return nil
		}
	}
	return fmt.Errorf("not %s", strings.Join(v.choices, " or "))
}

func (v *choiceValue) Type() string   { return "string" }
func (v *choiceValue) String() string { return *v.s }
