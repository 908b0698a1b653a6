package fs

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/aisfs/aisfs/aisclient"
)

// Extended attributes. "user.ais.*" are read-only object (or bucket) properties; every other
// "user.*" name is a key of the object's custom metadata, read with HEAD and written with PATCH,
// which never rewrites the object.
const (
	xattrUser = "user."
	xattrAIS  = "user.ais."
	// maxCustomMD is AIS's limit on the total size of an object's custom metadata.
	maxCustomMD = 2048
)

// xattrSupported reports whether attr is in the one namespace a mount keeps, "user.". Names
// outside it (security.*, system.posix_acl_*, trusted.*) get ENOTSUP, not ENODATA: that is
// what a filesystem without the namespace answers, and tools remember it per filesystem
// (GNU ls -l asks security.selinux and system.posix_acl_access of every file until it has
// seen ENOTSUP once, two FUSE round trips per entry the kernel does not cache).
func xattrSupported(attr string) bool { return strings.HasPrefix(attr, xattrUser) }

// propsOf renders the read-only properties of an object as xattr values.
func propsOf(a *aisclient.ObjAttrs) map[string]string {
	m := map[string]string{
		"checksum.type":  a.CksumType,
		"checksum.value": a.CksumValue,
		"version":        a.Version,
		"location":       a.Location,
		"copies":         strconv.Itoa(a.Copies),
		"present":        strconv.FormatBool(a.Present),
	}
	if !a.Atime.IsZero() {
		m["atime"] = a.Atime.UTC().Format(time.RFC3339Nano)
	}
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	return m
}

// bucketPropsOf renders a bucket's properties as xattr values.
func bucketPropsOf(p *aisclient.BucketProps) map[string]string {
	m := map[string]string{
		"bucket.provider":      p.Provider,
		"bucket.checksum.type": p.CksumType,
		"bucket.versioning":    strconv.FormatBool(p.Versioning),
		"bucket.mirror":        strconv.FormatBool(p.MirrorEnabled),
		"bucket.ec":            strconv.FormatBool(p.ECEnabled),
	}
	if p.MirrorEnabled {
		m["bucket.mirror.copies"] = strconv.Itoa(p.MirrorCopies)
	}
	if !p.Created.IsZero() {
		m["bucket.created"] = p.Created.UTC().Format(time.RFC3339Nano)
	}
	return m
}

// putXattr copies val into dest following getxattr(2): a too-small buffer gets ERANGE and the size.
func putXattr(val string, dest []byte) (uint32, syscall.Errno) {
	if len(dest) < len(val) {
		return uint32(len(val)), syscall.ERANGE
	}
	return uint32(copy(dest, val)), 0
}

// putXattrList writes NUL-terminated names, sorted, following listxattr(2).
func putXattrList(names []string, dest []byte) (uint32, syscall.Errno) {
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte(0)
	}
	return putXattr(b.String(), dest)
}

// head returns the object's full properties (custom metadata included), cached for the TTL.
func (n *fileNode) head(ctx context.Context) (*aisclient.ObjAttrs, error) {
	u := n.use()
	n.mu.Lock()
	h, at := u.props, u.propsAt
	n.mu.Unlock()
	if h != nil && n.fsys.fresh(at) {
		return h, nil
	}
	if n.detached() {
		return nil, fmt.Errorf("%s: %w", n.path(), errDetached)
	}
	at = n.fsys.now()
	h, err := n.fsys.store.HeadObject(ctx, n.bck(), n.objName())
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	u.props, u.propsAt = h, at
	n.mu.Unlock()
	if !n.busy() { // else the node's attributes are newer than AIS's (writemeta.go)
		n.setAttr(attrFromHead(h), at)
	}
	return h, nil
}

// forgetProps drops cached properties after a local change.
func (n *fileNode) forgetProps() {
	n.mu.Lock()
	n.dropProps()
	n.mu.Unlock()
}

var _ = (fusefs.NodeGetxattrer)((*fileNode)(nil))

func (n *fileNode) Getxattr(ctx context.Context, attr string, dest []byte) (uint32, syscall.Errno) {
	if !xattrSupported(attr) {
		return 0, syscall.ENOTSUP
	}
	h, err := n.head(ctx)
	if err != nil {
		return 0, n.fsys.errno("getxattr", n.path(), err)
	}
	if prop, ok := strings.CutPrefix(attr, xattrAIS); ok {
		if v, ok := propsOf(h)[prop]; ok {
			return putXattr(v, dest)
		}
		return 0, syscall.ENODATA
	}
	key := strings.TrimPrefix(attr, xattrUser)
	if v, ok := h.Custom[key]; ok && !strings.HasPrefix(key, metaPrefix) {
		return putXattr(v, dest)
	}
	return 0, syscall.ENODATA
}

var _ = (fusefs.NodeListxattrer)((*fileNode)(nil))

func (n *fileNode) Listxattr(ctx context.Context, dest []byte) (uint32, syscall.Errno) {
	h, err := n.head(ctx)
	if err != nil {
		return 0, n.fsys.errno("listxattr", n.path(), err)
	}
	var names []string
	for k := range propsOf(h) {
		names = append(names, xattrAIS+k)
	}
	for k := range h.Custom {
		if !strings.HasPrefix(k, metaPrefix) {
			names = append(names, xattrUser+k)
		}
	}
	return putXattrList(names, dest)
}

var _ = (fusefs.NodeSetxattrer)((*fileNode)(nil))

func (n *fileNode) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	key, errno := n.customKey(attr)
	if errno != 0 {
		return errno
	}
	val := string(data)
	if strings.ContainsRune(val, 0x01) || strings.ContainsRune(val, 0) {
		return syscall.EINVAL
	}
	h, err := n.head(ctx)
	if err != nil {
		return n.fsys.errno("setxattr", n.path(), err)
	}
	_, exists := h.Custom[key]
	switch {
	case flags&xattrCreate != 0 && exists:
		return syscall.EEXIST
	case flags&xattrReplace != 0 && !exists:
		return syscall.ENODATA
	}
	next := cloneMap(h.Custom)
	next[key] = val
	if customSize(next) > maxCustomMD {
		return syscall.E2BIG
	}
	err = n.fsys.store.PatchCustom(ctx, n.bck(), n.objName(), map[string]string{key: val}, false)
	n.forgetProps()
	return n.fsys.errno("setxattr", n.path(), err)
}

var _ = (fusefs.NodeRemovexattrer)((*fileNode)(nil))

func (n *fileNode) Removexattr(ctx context.Context, attr string) syscall.Errno {
	key, errno := n.customKey(attr)
	if errno != 0 {
		return errno
	}
	// AIS removes keys only by replacing the whole map: no metadata PATCH of ours may land in
	// between, and while this mount writes the file its own metadata keys are the newer ones.
	mm := &n.use().metaMu
	mm.Lock()
	defer mm.Unlock()
	h, err := n.head(ctx)
	if err != nil {
		return n.fsys.errno("removexattr", n.path(), err)
	}
	if _, ok := h.Custom[key]; !ok {
		return syscall.ENODATA
	}
	next := cloneMap(h.Custom)
	delete(next, key)
	if n.busy() {
		n.mu.Lock()
		maps.Copy(next, metaKeys(n.attr.meta))
		n.mu.Unlock()
	}
	err = n.fsys.store.PatchCustom(ctx, n.bck(), n.objName(), next, true)
	n.forgetProps()
	return n.fsys.errno("removexattr", n.path(), err)
}

// customKey checks that attr names a writable custom-metadata key and returns the key.
func (n *fileNode) customKey(attr string) (string, syscall.Errno) {
	switch {
	case n.fsys.readOnly():
		return "", syscall.EROFS
	case strings.HasPrefix(attr, xattrAIS):
		return "", syscall.EPERM
	case !xattrSupported(attr):
		return "", syscall.ENOTSUP
	}
	key := strings.TrimPrefix(attr, xattrUser)
	switch {
	case strings.HasPrefix(key, metaPrefix):
		return "", syscall.EPERM // kept by chmod, chown and utimens
	case key == "" || strings.ContainsAny(key, "\x00\x01="):
		return "", syscall.EINVAL
	}
	return key, 0
}

const (
	xattrCreate  = 1 // XATTR_CREATE
	xattrReplace = 2 // XATTR_REPLACE
)

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}

// customSize estimates how AIS counts custom metadata: keys and values of all pairs.
func customSize(m map[string]string) int {
	n := 0
	for k, v := range m {
		n += len(k) + len(v)
	}
	return n
}

// Bucket directories expose the bucket's properties; other directories have none.

var _ = (fusefs.NodeGetxattrer)((*dirNode)(nil))

func (d *dirNode) Getxattr(ctx context.Context, attr string, dest []byte) (uint32, syscall.Errno) {
	if !xattrSupported(attr) {
		return 0, syscall.ENOTSUP
	}
	prop, ok := strings.CutPrefix(attr, xattrAIS)
	if !ok || !d.root {
		return 0, syscall.ENODATA
	}
	props, err := d.bucketProps(ctx)
	if err != nil {
		return 0, d.fsys.errno("getxattr", d.path(""), err)
	}
	if v, ok := props[prop]; ok {
		return putXattr(v, dest)
	}
	return 0, syscall.ENODATA
}

var _ = (fusefs.NodeListxattrer)((*dirNode)(nil))

func (d *dirNode) Listxattr(ctx context.Context, dest []byte) (uint32, syscall.Errno) {
	if !d.root {
		return 0, 0
	}
	props, err := d.bucketProps(ctx)
	if err != nil {
		return 0, d.fsys.errno("listxattr", d.path(""), err)
	}
	var names []string
	for k := range props {
		names = append(names, xattrAIS+k)
	}
	return putXattrList(names, dest)
}

func (d *dirNode) bucketProps(ctx context.Context) (map[string]string, error) {
	p, err := d.fsys.store.HeadBucket(ctx, d.bck)
	if err != nil {
		return nil, err
	}
	return bucketPropsOf(p), nil
}

var _ = (fusefs.NodeSetxattrer)((*dirNode)(nil))

// Setxattr: a directory has nowhere to keep attributes. ENOTSUP (not go-fuse's default ENODATA)
// tells cp -p and rsync -X that ACLs are not supported here, so they fall back to chmod.
func (d *dirNode) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	if d.fsys.readOnly() {
		return syscall.EROFS
	}
	if strings.HasPrefix(attr, xattrAIS) {
		return syscall.EPERM
	}
	return syscall.ENOTSUP
}

var _ = (fusefs.NodeRemovexattrer)((*dirNode)(nil))

func (d *dirNode) Removexattr(ctx context.Context, attr string) syscall.Errno {
	return d.Setxattr(ctx, attr, nil, 0)
}
