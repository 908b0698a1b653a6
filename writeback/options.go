package writeback

import (
	"maps"

	"github.com/aisfs/aisfs/aisclient"
)

// Mode says what a File's content starts as.
type Mode int

const (
	// Truncate: a new file or O_TRUNC; the content starts empty and a Sync creates the
	// object even when nothing was written.
	Truncate Mode = iota
	// Edit: an existing object opened for writing; the content is the object's, fetched on
	// the first ReadAt, WriteAt or Truncate.
	Edit
	// Append: O_APPEND on an existing object of OpenOptions.Size bytes; writes after them
	// go to AIS append on top of the object.
	Append
)

func (m Mode) String() string {
	switch m {
	case Truncate:
		return "truncate"
	case Edit:
		return "edit"
	case Append:
		return "append"
	}
	return "mode(?)"
}

// OpenOptions are the optional parts of Manager.Open.
type OpenOptions struct {
	// Size is the object's current size, as the caller knows it (Edit, Append). Edit uses
	// it until the content is fetched; Append trusts it as the offset of the first new byte.
	Size int64
	// Exists says that a Truncate-mode file replaces an existing object. AIS append starts
	// from an existing object's content, so such a file is not streamed: it goes up with one
	// PUT at Sync. (Streaming onto an object that appeared unexpectedly is caught by the
	// flush checksum and repaired by the PUT retry.)
	Exists bool
	// Custom metadata sent with every PUT of this file (AIS merges it into the object's).
	// An append-flush cannot carry it: see File.LastSync.
	Custom map[string]string
	// CustomFunc, when set, is called as each PUT starts (also one that Manager.Shutdown
	// makes), with the File's content held still but none of its mutexes; its result is
	// merged over Custom and SetCustom's. It must not call back into the File.
	CustomFunc func() map[string]string
}

// Method is how a Sync made the object durable.
type Method int

const (
	MethodNone   Method = iota // nothing uploaded yet
	MethodPut                  // one PUT of the whole content (custom metadata included)
	MethodAppend               // append chain + flush (custom metadata NOT sent)
	// A streaming PUT whose custom metadata is the one from when it started: what changed
	// since is NOT in the object.
	MethodStreamNoMeta
)

// NeedsMeta: the object may lack the custom metadata the File had at Sync; the caller sets
// it (a PATCH) if it needs to.
func (r SyncResult) NeedsMeta() bool {
	return r.Method == MethodAppend || r.Method == MethodStreamNoMeta
}

func (m Method) String() string {
	switch m {
	case MethodPut:
		return "put"
	case MethodAppend:
		return "append"
	case MethodStreamNoMeta:
		return "stream"
	}
	return "none"
}

// SyncResult describes the last successful upload of a File.
type SyncResult struct {
	Method Method
	Size   int64               // content size that was made durable
	Attrs  *aisclient.ObjAttrs // from the PUT response; nil after an append-flush
}

func cloneCustom(md map[string]string) map[string]string {
	if len(md) == 0 {
		return nil
	}
	return maps.Clone(md)
}
