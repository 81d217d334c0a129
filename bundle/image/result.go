package image

import (
	"path"
	"strings"

	"github.com/fnaudit/fnaudit/bundle/unpack"
)

// Result describes one Flatten. The embedded unpack.Result counts the
// regular files and bytes written (a file written by two layers counts
// twice, and a hard link once more) and lists hostile entries (Rejected:
// the caller marks the function incomplete) and harmless skips (Notes, with
// one summary per layer for names from "/", symlinks and entries placed
// through symlinks). Each list holds at most 1000 entries, then one saying
// how many more there were. Nested stays empty: layers are not searched for
// nested archives.
type Result struct {
	unpack.Result

	// Symlinks lists the symlinks of the flattened image, by slash path
	// relative to dest, with their targets as stored. They are never
	// created in dest: a target is relative to the image root, not to dest.
	Symlinks map[string]string

	root   *node    // the flattened tree, for Origin
	layers []string // blob path of each layer, by index
}

// Origin returns the blob path, inside the image archive, of the layer that
// wrote the regular file at p in dest (a slash path relative to dest; a
// leading "/" is ignored), or "" when dest holds no file there. A report
// locates the file as "<image>!/<Origin(p)>!/<p>".
func (r *Result) Origin(p string) string {
	if r.root == nil {
		return ""
	}
	n := r.root.lookup(path.Clean(strings.TrimLeft(p, "/")))
	if n == nil || n.kind != kindFile {
		return ""
	}
	return r.layers[n.layer]
}

// Origins returns Origin for every regular file in dest, by slash path.
// Origin alone costs no memory beyond the tree Flatten keeps anyway; use this
// map for small images and tests.
func (r *Result) Origins() map[string]string {
	m := map[string]string{}
	if r.root == nil {
		return m
	}
	r.root.walk(".", func(p string, n *node) {
		if n.kind == kindFile {
			m[p] = r.layers[n.layer]
		}
	})
	return m
}

// collectSymlinks fills Symlinks from the tree.
func (r *Result) collectSymlinks() {
	r.Symlinks = map[string]string{}
	r.root.walk(".", func(p string, n *node) {
		if n.kind == kindSymlink {
			r.Symlinks[p] = n.target
		}
	})
}
