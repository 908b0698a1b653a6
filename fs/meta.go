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
	metaAtime  = metaPrefix + "atime" // as mtime; set only by utimens (else the object's atime)
	metaCtime  = metaPrefix + "ctime" // as mtime; moves with every change of content or metadata
	metaRdev   = metaPrefix + "rdev"  // decimal device number of a character or block device
)

// posixMeta is what the custom keys say; zero fields mean "not set, use the mount's defaults".
// Owner 0 is root, never "unset": unset is -1.
type posixMeta struct {
	mode                uint32 // with type bits; 0 = unset
	uid, gid            int64  // -1 = unset
	mtime, atime, ctime time.Time
	rdev                uint32
}

var noMeta = posixMeta{uid: -1, gid: -1}

func (m posixMeta) isSymlink() bool { return m.mode&syscall.S_IFMT == syscall.S_IFLNK }

// fileType is the S_IFMT bits the metadata gives: a symlink, fifo, socket or device, else a
// regular file.
func (m posixMeta) fileType() uint32 {
	switch t := m.mode & syscall.S_IFMT; t {
	case syscall.S_IFLNK, syscall.S_IFIFO, syscall.S_IFSOCK, syscall.S_IFCHR, syscall.S_IFBLK:
		return t
	}
	return syscall.S_IFREG
}

// keys is the custom metadata that records m, every set field.
func (m posixMeta) keys() map[string]string {
	md := map[string]string{}
	if m.mode != 0 {
		md[metaMode] = formatMode(m.mode)
	}
	if m.uid >= 0 {
		md[metaUID] = strconv.FormatInt(m.uid, 10)
	}
	if m.gid >= 0 {
		md[metaGID] = strconv.FormatInt(m.gid, 10)
	}
	for k, t := range map[string]time.Time{metaMtime: m.mtime, metaAtime: m.atime, metaCtime: m.ctime} {
		if !t.IsZero() {
			md[k] = formatUnixTime(t)
		}
	}
	if m.rdev != 0 {
		md[metaRdev] = strconv.FormatUint(uint64(m.rdev), 10)
	}
	return md
}

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
	case metaMtime, metaAtime, metaCtime:
		t, ok := parseUnixTime(v)
		switch {
		case !ok:
		case k == metaMtime:
			m.mtime = t
		case k == metaAtime:
			m.atime = t
		default:
			m.ctime = t
		}
	case metaRdev:
		if n, err := strconv.ParseUint(v, 10, 32); err == nil {
			m.rdev = uint32(n)
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
