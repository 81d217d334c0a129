package image

import (
	"errors"
	"path"
	"strings"
)

// kind is what a path of the flattened image is.
type kind uint8

const (
	kindDir     kind = iota
	kindFile         // a regular file, written to dest
	kindSymlink      // a symlink, recorded only: never written
)

// node is one path of the flattened image. The tree mirrors dest exactly,
// plus the symlinks that are not written there; Flatten consults it instead
// of the disk, so that dest is only ever written.
type node struct {
	kids   map[string]*node // entries of a directory, by name
	target string           // a symlink's target, as stored in the layer
	layer  int32            // index of the layer that last wrote the path, or created a path below it
	kind   kind
}

// lookup returns the node at the clean slash path p below n ("." is n),
// without following symlinks, or nil.
func (n *node) lookup(p string) *node {
	if p == "." || p == "" {
		return n
	}
	for part := range strings.SplitSeq(p, "/") {
		if n == nil || n.kind != kindDir {
			return nil
		}
		n = n.kids[part]
	}
	return n
}

// child returns the entry name of the directory n, or nil.
func (n *node) child(name string) *node {
	if n == nil || n.kind != kindDir {
		return nil
	}
	return n.kids[name]
}

// errLoop is the reason for an entry whose directory cannot be resolved.
var errLoop = errors.New("too many levels of symlinks in its directory")

// maxHops bounds the symlinks followed to resolve one path, as Linux does (40).
const maxHops = 40

// resolve returns where the entry at the clean slash path name lands in the
// image whose root is n: the symlinks met in its directories are followed as
// the runtime would follow them inside the container, absolute targets
// starting at the image root and ".." stopping there. The last element is
// not followed: an entry replaces a symlink of its name. The result is a
// clean path inside the root, never escaping it.
func (n *node) resolve(name string) (string, error) {
	dir, base := path.Split(name)
	queue := strings.Split(dir, "/")
	var stack []string // the resolved elements so far
	var nodes []*node  // the node of each element of stack, nil once below what exists
	for hops := 0; len(queue) > 0; {
		part := queue[0]
		queue = queue[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			if len(stack) > 0 {
				stack, nodes = stack[:len(stack)-1], nodes[:len(nodes)-1]
			}
			continue
		}
		parent := n
		if len(nodes) > 0 {
			parent = nodes[len(nodes)-1]
		}
		kid := parent.child(part)
		if kid != nil && kid.kind == kindSymlink {
			if hops++; hops > maxHops {
				return "", errLoop
			}
			if strings.HasPrefix(kid.target, "/") {
				stack, nodes = stack[:0], nodes[:0]
			}
			queue = append(strings.Split(kid.target, "/"), queue...)
			continue
		}
		stack, nodes = append(stack, part), append(nodes, kid)
	}
	return path.Join(append(stack, base)...), nil
}

// walk calls fn for every path below n, depth first, with its clean slash
// path (p being n's own).
func (n *node) walk(p string, fn func(string, *node)) {
	for name, kid := range n.kids {
		kp := path.Join(p, name)
		fn(kp, kid)
		if kid.kind == kindDir {
			kid.walk(kp, fn)
		}
	}
}
