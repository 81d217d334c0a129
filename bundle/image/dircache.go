package image

import (
	"os"
	"path"
	"strings"
)

// dirCache is the directory of dest the last file was written in, kept
// open: the next file there (a layer lists a directory's files together)
// then costs one lookup instead of one per element of its path.
type dirCache struct {
	path string   // slash path relative to dest
	root *os.Root // nil when nothing is cached
}

// dirOf returns the directory of the path p, opened through f.root, and
// the name of p in it.
func (f *flattener) dirOf(p string) (*os.Root, string, error) {
	dir, base := path.Split(p)
	dir = path.Clean(dir)
	if dir == "." {
		return f.root, base, nil
	}
	if f.cache.root == nil || f.cache.path != dir {
		f.closeCache()
		r, err := f.root.OpenRoot(dir)
		if err != nil {
			return nil, "", err
		}
		f.cache = dirCache{path: dir, root: r}
	}
	return f.cache.root, base, nil
}

// forget closes the cached directory if it is p or below it: p is about to
// be removed.
func (f *flattener) forget(p string) {
	if f.cache.path == p || strings.HasPrefix(f.cache.path, p+"/") {
		f.closeCache()
	}
}

// closeCache closes the cached directory.
func (f *flattener) closeCache() {
	if f.cache.root != nil {
		f.cache.root.Close()
	}
	f.cache = dirCache{}
}

// openDir returns a handle on the directory p of dest ("" or "." is dest
// itself, f.root), taking it from the cache when it is there.
func (f *flattener) openDir(p string) (*os.Root, error) {
	switch {
	case p == "" || p == ".":
		return f.root, nil
	case f.cache.root != nil && f.cache.path == p:
		r := f.cache.root
		f.cache = dirCache{}
		return r, nil
	}
	return f.root.OpenRoot(p)
}
