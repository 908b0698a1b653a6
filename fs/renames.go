package fs

import (
	"slices"
	"strings"
	"sync"
)

// renames lists the renames that AIS has done and go-fuse's tree does not show yet, for the
// writers that register meanwhile. A rename renames the writers it finds (renameWriters), but
// go-fuse moves the node in its tree only after Rename returns, so object names computed from
// the tree (objName) are the old ones until then. An open for writing that reached the daemon
// in that window (the kernel's rename does not lock an open(2) without O_CREAT out) would
// register a File under the old name after the rename had looked for writers, and its bytes
// would go up under the old name at close. openWriter asks current after it registers.
//
// mu is taken before the tree walk of a run's cur, and nothing else is taken under it.
type renames struct {
	mu   sync.Mutex
	runs []*renameRun // GUARDED_BY(mu)
}

// renameRun is one rename in the window. A directory's from and to end in "/".
type renameRun struct {
	cur      func() string // the renamed node's name as the tree gives it
	from, to string
}

// begin records a rename that AIS has done; the caller ends it if Rename then fails, for the
// tree will not move.
func (r *renames) begin(cur func() string, from, to string) *renameRun {
	if from == to {
		return nil // nothing to show, and the tree would never stop showing from
	}
	run := &renameRun{cur: cur, from: from, to: to}
	r.mu.Lock()
	r.pruneLocked()
	r.runs = append(r.runs, run)
	r.mu.Unlock()
	return run
}

// end forgets run.
func (r *renames) end(run *renameRun) {
	r.mu.Lock()
	r.runs = slices.DeleteFunc(r.runs, func(x *renameRun) bool { return x == run })
	r.mu.Unlock()
}

// current returns the name an object the tree calls name has in AIS: name itself unless a
// rename of it, or of a directory above it, is in the window.
func (r *renames) current(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pruneLocked()
	for _, x := range r.runs {
		if name == x.from || strings.HasSuffix(x.from, "/") && strings.HasPrefix(name, x.from) {
			return x.to + name[len(x.from):]
		}
	}
	return name
}

// pruneLocked drops the runs whose node the tree has moved (or let go).
func (r *renames) pruneLocked() {
	r.runs = slices.DeleteFunc(r.runs, func(x *renameRun) bool { return x.cur() != x.from })
}
