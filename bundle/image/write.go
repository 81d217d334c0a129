package image

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
)

// Permissions of what Flatten writes: no setuid, setgid or sticky bits, ever.
const (
	dirPerm  fs.FileMode = 0o755
	filePerm fs.FileMode = 0o644
	execPerm fs.FileMode = 0o755
)

// permFor maps an entry's mode to 0644, or 0755 when any exec bit is set.
func permFor(mode int64) fs.FileMode {
	if mode&0o111 != 0 {
		return execPerm
	}
	return filePerm
}

// mkdirs creates the directory at the clean slash path dir and its parents,
// in the tree and in dest, and marks each as used by the current layer (an
// opaque marker of this layer must not hide them). It returns the directory's
// node, or nil when a file of an earlier entry is in the way: the entry raw
// is then rejected, or err is fatal.
func (f *flattener) mkdirs(run *layerRun, raw, dir string) (*node, error) {
	cur := f.tree
	if dir == "." {
		return cur, nil
	}
	for start := 0; start <= len(dir); {
		end := len(dir)
		if i := strings.IndexByte(dir[start:], '/'); i >= 0 {
			end = start + i
		}
		kid := cur.kids[dir[start:end]]
		switch {
		case kid == nil:
			return f.makeDirs(run, raw, cur, dir, start)
		case kid.kind != kindDir:
			f.reject(run, raw, fmt.Sprintf("%q is not a directory but a file of an earlier entry", dir[:end]))
			return nil, nil
		}
		kid.layer = run.index
		cur, start = kid, end+1
	}
	return cur, nil
}

// makeDirs creates the directories dir[start:] below cur, the directory
// node at dir[:start], one level at a time through a handle on the level
// above, and keeps the last one open in the cache: the entry's file goes
// there next.
func (f *flattener) makeDirs(run *layerRun, raw string, cur *node, dir string, start int) (*node, error) {
	r, err := f.openDir(dir[:max(start-1, 0)])
	if err != nil {
		return nil, f.writeFailed(run, raw, err)
	}
	for part := range strings.SplitSeq(dir[start:], "/") {
		next, err := mkdirIn(r, part)
		if r != f.root {
			r.Close()
		}
		if err != nil {
			return nil, f.writeFailed(run, raw, err)
		}
		kid := &node{kind: kindDir, kids: map[string]*node{}, layer: run.index}
		cur.kids[strings.Clone(part)] = kid // not a slice of a long entry name
		cur, r = kid, next
		f.dirs++
		if err := f.lim.dirs(run.name, f.dirs); err != nil {
			r.Close()
			return nil, err
		}
	}
	f.closeCache()
	f.cache = dirCache{path: dir, root: r}
	return cur, nil
}

// mkdirIn creates the directory name in r with exactly dirPerm, and opens it.
func mkdirIn(r *os.Root, name string) (*os.Root, error) {
	err := r.Mkdir(name, dirPerm)
	if errors.Is(err, fs.ErrExist) { // only on a case-insensitive file system
		err = nil
	}
	if err == nil {
		err = r.Chmod(name, dirPerm) // umask, and setgid inherited from the parent
	}
	if err != nil {
		return nil, err
	}
	return r.OpenRoot(name)
}

// clear removes what the path p of parent holds unless it already is what
// is about to be written there: a directory stays for a directory, a file is
// overwritten in place.
func (f *flattener) clear(parent *node, p string, want kind) error {
	kid := parent.kids[path.Base(p)]
	if kid == nil || kid.kind == want && want != kindSymlink {
		return nil
	}
	return f.remove(parent, p)
}

// remove deletes the path p of parent, from the tree and from dest.
func (f *flattener) remove(parent *node, p string) error {
	name := path.Base(p)
	kid := parent.kids[name]
	if kid == nil {
		return nil
	}
	delete(parent.kids, name)
	if kid.kind == kindSymlink {
		return nil
	}
	f.forget(p)
	if err := f.root.RemoveAll(p); err != nil {
		return fmt.Errorf("flattening %s: removing %q: %w", f.im.path, p, err)
	}
	return nil
}

// write writes the file p of parent with the data of r, exactly perm. fail
// turns an error reading r into the error to return.
func (f *flattener) write(run *layerRun, raw string, parent *node, p string, perm fs.FileMode, r io.Reader, fail func(error) error) error {
	if err := f.clear(parent, p, kindFile); err != nil {
		return err
	}
	out, err := f.create(run, raw, p, perm)
	if out == nil {
		return err
	}
	err = f.copy(run, raw, out, r, fail)
	if cerr := out.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("flattening %s: writing entry %q: %w", run.name, raw, cerr)
	}
	if err != nil {
		f.root.Remove(p) // partial data: best effort, the tree is abandoned anyway
		delete(parent.kids, path.Base(p))
		return err
	}
	parent.kids[strings.Clone(path.Base(p))] = &node{kind: kindFile, layer: run.index}
	f.res.Files++
	return nil
}

// create opens the file p for writing, with exactly the permissions perm. A
// path the file system refuses is a rejection: create then returns nil, nil.
func (f *flattener) create(run *layerRun, raw, p string, perm fs.FileMode) (*os.File, error) {
	var out *os.File
	d, base, err := f.dirOf(p)
	if err == nil {
		out, err = d.OpenFile(base, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	}
	if err == nil {
		if err = out.Chmod(perm); err != nil { // umask, and the mode of a file overwritten
			out.Close()
			out = nil
		}
	}
	if err != nil {
		return nil, f.writeFailed(run, raw, err)
	}
	return out, nil
}

// copy streams r to w in fixed chunks, checking ctx and the size limits on
// the bytes actually read before each chunk is written.
func (f *flattener) copy(run *layerRun, raw string, w io.Writer, r io.Reader, fail func(error) error) error {
	start := f.res.Bytes
	var n int64
	for {
		if err := f.ctx.Err(); err != nil {
			return fmt.Errorf("flattening %s: %w", run.name, err)
		}
		m, rerr := fill(r, f.buf)
		if m > 0 {
			n += int64(m)
			if err := f.lim.size(run.name, raw, "holds at least", n, start); err != nil {
				return err
			}
			if _, err := w.Write(f.buf[:m]); err != nil {
				return fmt.Errorf("flattening %s: writing entry %q: %w", run.name, raw, err)
			}
			f.res.Bytes += int64(m)
		}
		if errors.Is(rerr, io.EOF) {
			return nil
		}
		if rerr != nil {
			return fail(rerr)
		}
	}
}

// fill reads from r until buf is full or r fails or ends. Whole buffers
// save write calls: decompressors return 32 KiB at a time.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// copyLink writes p of parent as a copy of the file tp that dest holds.
func (f *flattener) copyLink(run *layerRun, raw string, parent *node, p, tp string) error {
	in, err := f.root.Open(tp)
	if err != nil {
		return fmt.Errorf("flattening %s: hard link %q: %w", run.name, raw, err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return fmt.Errorf("flattening %s: hard link %q: %w", run.name, raw, err)
	}
	if err := f.lim.size(run.name, raw, "links to", fi.Size(), f.res.Bytes); err != nil {
		return err
	}
	return f.write(run, raw, parent, p, fi.Mode().Perm(), in, func(err error) error {
		return fmt.Errorf("flattening %s: hard link %q: reading %q: %w", run.name, raw, tp, err)
	})
}

// writeFailed turns a failure to create the path of entry raw into a
// rejection when the path cannot exist here (the file system refuses the
// name), and into a fatal error otherwise.
func (f *flattener) writeFailed(run *layerRun, raw string, err error) error {
	if err == nil {
		return nil
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) || !isPathProblem(errno) {
		return fmt.Errorf("flattening %s: writing entry %q: %w", run.name, raw, err)
	}
	f.reject(run, raw, "cannot be written: "+errno.Error())
	return nil
}

// isPathProblem reports whether errno is about the name being written rather
// than about the file system (full, read-only, failing).
func isPathProblem(errno syscall.Errno) bool {
	switch errno {
	case syscall.ENOTDIR, syscall.EISDIR, syscall.ENAMETOOLONG, syscall.EILSEQ, syscall.EINVAL, syscall.ELOOP:
		return true
	}
	return false
}
