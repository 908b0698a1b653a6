package mountopts

import "slices"

// WithPermissionChecks returns the FUSE options with default_permissions added when other users
// may enter the mount (allowOther, or allow_other among the options) and off is false. Without it
// nothing would check a file's mode for them: aisfs itself trusts every caller.
func WithPermissionChecks(fuseOpts []string, allowOther, off bool) []string {
	other := allowOther || slices.Contains(fuseOpts, "allow_other")
	if off || !other || slices.Contains(fuseOpts, "default_permissions") {
		return fuseOpts
	}
	return append(slices.Clip(fuseOpts), "default_permissions")
}
