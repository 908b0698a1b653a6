package fs

// How a file tells its directory about itself. A fileNode never touches its parent's overlay;
// it finds its directory with parentDir and calls one of these methods, which keep the
// directory's view (listing plus overlay) true to what this mount changed.

// parentDir is the node's current name and directory, or nil once it has none.
func (n *fileNode) parentDir() (string, *dirNode) {
	name, parent := n.Parent()
	if parent == nil {
		return "", nil
	}
	d, _ := parent.Operations().(*dirNode)
	return name, d
}

// fileStored records a file's attributes after an upload or a metadata change made here:
// pending says the object is not in AIS yet.
func (d *dirNode) fileStored(name string, a objAttr, pending bool) {
	d.ov.add(&dirent{name: name, attr: a, at: d.fsys.now(), pending: pending})
}

// fileAttrChanged records new attributes of a file (chmod, chown, utimens), keeping the state of
// an entry this mount made.
func (d *dirNode) fileAttrChanged(name string, a objAttr) {
	d.ov.changed(name, a, d.fsys.now())
}

// fileNeverStored drops a file created here whose upload failed: it counts as removed, and the
// kernel forgets the name too, or stat and open would find the node until the entry expires.
func (d *dirNode) fileNeverStored(name string, n *fileNode) {
	d.ov.remove(name, d.fsys.now())
	if d.GetChild(name) == &n.Inode {
		d.RmChild(name)
		// At once, before close(2) returns: the kernel holds no lock of the directory during a
		// flush or release, so this cannot deadlock with it.
		d.NotifyEntry(name)
	}
}
