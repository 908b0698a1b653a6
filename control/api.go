package control

import "github.com/aisfs/aisfs/aisclient"

// Info describes a mount, as its daemon sees it.
type Info struct {
	Source     string `json:"source"`     // canonical SOURCE
	Endpoint   string `json:"endpoint"`   // the AIS endpoint the daemon uses
	Bucket     string `json:"bucket"`     // "ais://b", "ais://@uuid/b"; "" for a cluster mount
	Prefix     string `json:"prefix"`     // object-name prefix of a bucket mount, "" or ending in "/"
	Mountpoint string `json:"mountpoint"` // as the daemon was given it
	PID        int    `json:"pid"`
	ReadOnly   bool   `json:"read_only"`
	StatTTL    string `json:"stat_ttl"`            // how long until the mount shows a change made in AIS
	AISError   string `json:"ais_error,omitempty"` // with ?probe=1: why AIS does not answer, "" if it does
}

// Job operations.
const (
	OpPrefetch = "prefetch"
	OpEvict    = "evict"
)

// JobRequest asks the daemon to start a prefetch or evict of a path of its mount.
type JobRequest struct {
	Op    string   `json:"op"`              // OpPrefetch or OpEvict
	Path  string   `json:"path"`            // relative to the mount point, "/"-separated; "" is the root
	Dir   bool     `json:"dir"`             // Path is a directory: every object below it
	Names []string `json:"names,omitempty"` // for a directory: its files' paths, used only when AIS cannot take the prefix
	Check bool     `json:"check,omitempty"` // only check that the job could start: the path is in a remote bucket
}

// JobRef names a started job.
type JobRef struct {
	Kind   string `json:"kind"`   // aisclient.KindPrefetch or KindEvict
	ID     string `json:"id"`     // AIS's job ID
	Bucket string `json:"bucket"` // the bucket it works on
	What   string `json:"what"`   // "prefix dir/" or "3 objects", for messages
}

// JobStatus is aisclient.JobStatus on the wire.
type JobStatus = aisclient.JobStatus

// UmountResult is the daemon's answer to an umount.
type UmountResult struct {
	Lazy bool `json:"lazy"` // the mount was busy and is detached lazily
}

type errorBody struct {
	Error string `json:"error"`
}
