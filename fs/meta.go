package fs

import (
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// POSIX attributes that AIS objects lack are kept as custom metadata keys, one key each, so that
// chmod, chown and utimens are one PATCH and never rewrite the object. They are hidden from the
// user.* xattrs, which would otherwise let them be edited behind the filesystem's back.
const (
	metaPrefix = "aisfs."
	metaMode   = metaPrefix + "mode"  // octal, with the file type bits (0100644, 0120777 for a symlink)
	metaUID    = metaPrefix + "uid"   // decimal
	metaGID    = metaPrefix + "gid"   // decimal
	metaMtime  = metaPrefix + "mtime" // unix seconds with nanoseconds: "1700000000.123456789"
)

// posixMeta is what the custom keys say; zero fields mean "not set, use the mount's defaults".
type posixMeta struct {
	mode     uint32 // with type bits; 0 = unset
	uid, gid int64  // -1 = unset
	mtime    time.Time
}

var noMeta = posixMeta{uid: -1, gid: -1}

func (m posixMeta) isSymlink() bool { return m.mode&syscall.S_IFMT == syscall.S_IFLNK }

// metaFromMap reads the keys from a HEAD's custom metadata.
func metaFromMap(custom map[string]string) posixMeta {
	m := noMeta
	for k, v := range custom {
		m.set(k, v)
	}
	return m
}

// listedMeta finds our keys in a listing's rendering of custom metadata, "[k:v k2:v2]". Our
// values never hold spaces, so a key is found reliably even when other keys' values are odd.
var listedMeta = regexp.MustCompile(`(?:^\[|\s)(aisfs\.[a-z]+):([^\s\]]+)`)

func metaFromListing(raw string) posixMeta {
	m := noMeta
	if !strings.Contains(raw, metaPrefix) {
		return m
	}
	for _, sm := range listedMeta.FindAllStringSubmatch(raw, -1) {
		m.set(sm[1], sm[2])
	}
	return m
}

func (m *posixMeta) set(k, v string) {
	switch k {
	case metaMode:
		if n, err := strconv.ParseUint(v, 8, 32); err == nil {
			m.mode = uint32(n)
		}
	case metaUID:
		if n, err := strconv.ParseUint(v, 10, 32); err == nil {
			m.uid = int64(n)
		}
	case metaGID:
		if n, err := strconv.ParseUint(v, 10, 32); err == nil {
			m.gid = int64(n)
		}
	case metaMtime:
		if t, ok := parseUnixTime(v); ok {
			m.mtime = t
		}
	}
}

func formatMode(mode uint32) string { return "0" + strconv.FormatUint(uint64(mode), 8) }

func formatUnixTime(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10) + "." + strconv.FormatInt(int64(t.Nanosecond())+1e9, 10)[1:]
}

func parseUnixTime(v string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(v, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	var ns int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		frac += strings.Repeat("0", 9-len(frac))
		if ns, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return time.Time{}, false
		}
	}
	return time.Unix(s, ns), true
}
