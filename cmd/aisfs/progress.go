package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"golang.org/x/sys/unix"
)

// progress shows how far a job is: a bar redrawn in place on a terminal, otherwise a plain
// line every few seconds (logs and pipes get no control characters).
type progress struct {
	w     io.Writer
	tty   bool
	label string
	total int64 // objects (or bytes, with inBytes) expected; 0: unknown
	bytes bool  // count is bytes
	last  time.Time
	shown bool
}

func newProgress(w io.Writer, label string, total int64, inBytes bool) *progress {
	return &progress{w: w, tty: isTerminal(w), label: label, total: total, bytes: inBytes}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

const plainEvery = 2 * time.Second

// update shows count (objects or bytes) and bytes so far.
func (p *progress) update(count, bytes int64) {
	now := time.Now()
	if !p.tty {
		if now.Sub(p.last) < plainEvery {
			return
		}
		p.last = now
		fmt.Fprintf(p.w, "%s: %s\n", p.label, p.describe(count, bytes))
		return
	}
	if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last, p.shown = now, true
	done := count
	if p.bytes {
		done = bytes
	}
	fmt.Fprintf(p.w, "\r%s %s %s\033[K", p.label, p.bar(done), p.describe(count, bytes))
}

// end clears the bar, so the summary line that follows stands alone.
func (p *progress) end() {
	if p.tty && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// bar is done of total as a bar, "" when the total is unknown.
func (p *progress) bar(done int64) string {
	const width = 30
	if p.total <= 0 {
		return ""
	}
	n := int(min(done, p.total) * width / p.total)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

func (p *progress) describe(count, bytes int64) string {
	if p.bytes {
		if p.total > 0 {
			return fmt.Sprintf("%s of %s", humanize.IBytes(uint64(bytes)), humanize.IBytes(uint64(p.total)))
		}
		return humanize.IBytes(uint64(bytes))
	}
	if p.total > 0 {
		return fmt.Sprintf("%d of %d objects, %s", count, p.total, humanize.IBytes(uint64(bytes)))
	}
	return fmt.Sprintf("%d objects, %s", count, humanize.IBytes(uint64(bytes)))
}
