package unpack

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unicode"
)

// Permissions of what Zip writes: no setuid, setgid or sticky bits, ever.
const (
	dirPerm  fs.FileMode = 0o755
	filePerm fs.FileMode = 0o644
	execPerm fs.FileMode = 0o755

	// maxLinkTarget bounds what is read of a symlink entry: longer targets
	// exceed PATH_MAX on Linux and are no real links.
	maxLinkTarget = 4096
)

// nativePath converts a cleaned slash path to the form os.Root expects.
func nativePath(name string) string { return filepath.FromSlash(name) }

// file writes the regular-file entry f at the cleaned path name. It returns
// name when the file is a nested zip to extract.
func (x *extractor) file(a *archive, f *zip.File, name string) (string, error) {
	compressed := compressedBound(f, a.size)
	rc, err := x.openEntry(a, f, compressed)
	if rc == nil {
		return "", err
	}
	defer rc.Close()
	out, err := x.create(a, f.Name, name, permFor(f.Mode()))
	if out == nil {
		return "", err
	}
	head, err := x.copy(a, f, compressed, out, rc)
	if cerr := out.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("unpacking %s: writing entry %q: %w", a.name, f.Name, cerr)
	}
	if err != nil {
		a.root.Remove(nativePath(name)) // partial or unverified data: best effort
		return "", err
	}
	x.res.Files++
	return nestedZipName(name, head), nil
}

// openEntry checks the declared sizes of f against the limits and opens its
// data. An entry that cannot be audited is rejected: openEntry then returns
// nil, nil.
func (x *extractor) openEntry(a *archive, f *zip.File, compressed uint64) (io.ReadCloser, error) {
	if f.Flags&0x1 != 0 {
		x.reject(a, f.Name, "encrypted entry: its contents cannot be audited")
		return nil, nil
	}
	if err := x.checkSizes(a, f, declared, f.UncompressedSize64, compressed, uint64(x.res.Bytes)); err != nil {
		return nil, err
	}
	rc, err := f.Open()
	switch {
	case errors.Is(err, zip.ErrAlgorithm):
		x.reject(a, f.Name, fmt.Sprintf("unsupported compression method %d: its contents cannot be audited", f.Method))
		return nil, nil
	case err != nil:
		return nil, corruptError(a.name, f.Name, err)
	}
	return rc, nil
}

// compressedBound returns the compressed size of f, clamped to the bytes the
// archive holds after the entry's data offset, so that a header overstating
// it cannot hide a high compression ratio.
func compressedBound(f *zip.File, archiveSize int64) uint64 {
	off, err := f.DataOffset()
	if err != nil || off < 0 || off > archiveSize {
		return f.CompressedSize64 // f.Open fails on it anyway
	}
	return min(f.CompressedSize64, uint64(archiveSize-off))
}

// permFor maps an entry's mode to 0644, or 0755 when any exec bit is set.
func permFor(m fs.FileMode) fs.FileMode {
	if m&0o111 != 0 {
		return execPerm
	}
	return filePerm
}

// checkSizes applies the size and ratio limits to an entry of size bytes
// (declared or inflated, as verb says) from compressed bytes, start being the
// total written before the entry.
func (x *extractor) checkSizes(a *archive, f *zip.File, verb string, size, compressed, start uint64) error {
	if err := x.lim.sizeError(a.name, f.Name, verb, size, start); err != nil {
		return err
	}
	return x.lim.ratioError(a.name, f.Name, verb, size, compressed)
}

// copy streams the entry f, of at most compressed bytes, from r to w in fixed
// chunks, checking ctx and the limits on the bytes actually decompressed before
// each chunk is written. It returns up to the first four bytes written.
func (x *extractor) copy(a *archive, f *zip.File, compressed uint64, w io.Writer, r io.Reader) ([]byte, error) {
	start := uint64(x.res.Bytes)
	var n uint64
	var head [len(zipMagic)]byte
	hn := 0
	for {
		if err := x.ctx.Err(); err != nil {
			return nil, fmt.Errorf("unpacking %s: %w", a.name, err)
		}
		m, rerr := r.Read(x.buf)
		if m > 0 {
			n += uint64(m)
			if err := x.checkSizes(a, f, inflated, n, compressed, start); err != nil {
				return nil, err
			}
			if _, err := w.Write(x.buf[:m]); err != nil {
				return nil, fmt.Errorf("unpacking %s: writing entry %q: %w", a.name, f.Name, err)
			}
			x.res.Bytes += int64(m)
			hn += copy(head[hn:], x.buf[:m])
		}
		if rerr == io.EOF {
			return head[:hn], nil
		}
		if rerr != nil {
			return nil, corruptError(a.name, f.Name, rerr)
		}
	}
}

// create opens the file at the cleaned path name for writing, creating its
// directories, with exactly the permissions perm. A name that clashes with an
// earlier entry is rejected: create then returns nil, nil.
func (x *extractor) create(a *archive, raw, name string, perm fs.FileMode) (*os.File, error) {
	err := x.mkdirs(a, path.Dir(name))
	var out *os.File
	if err == nil {
		out, err = a.root.OpenFile(nativePath(name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	}
	if err == nil {
		if err = out.Chmod(perm); err != nil { // umask, and the mode of a file overwritten
			out.Close()
			out = nil
		}
	}
	return out, x.writeFailed(a, raw, err)
}

// dir creates the directory entry at the cleaned path name.
func (x *extractor) dir(a *archive, raw, name string) error {
	return x.writeFailed(a, raw, x.mkdirs(a, name))
}

// mkdirs creates the slash directory path dir under a.root, each new level with
// exactly dirPerm. It walks one level at a time from the deepest directory
// already known, so that a deep path costs linear, not quadratic, time.
func (x *extractor) mkdirs(a *archive, dir string) error {
	if dir == "." || a.dirs[dir] {
		return nil
	}
	base := path.Dir(dir)
	for base != "." && !a.dirs[base] {
		base = path.Dir(base)
	}
	cur := a.root
	defer func() {
		if cur != a.root {
			cur.Close()
		}
	}()
	rest := dir
	if base != "." {
		sub, err := a.root.OpenRoot(nativePath(base))
		if err != nil {
			return err
		}
		cur, rest = sub, dir[len(base)+1:]
	}
	for _, part := range strings.Split(rest, "/") {
		next, created, err := mkdirIn(cur, part)
		if err != nil {
			return err
		}
		if created {
			x.dirs++
		}
		if cur != a.root {
			cur.Close()
		}
		cur, base = next, path.Join(base, part)
		a.dirs[base] = true
	}
	return x.lim.dirsError(a.name, x.dirs)
}

// mkdirIn creates the directory name in r if it does not exist, and opens it.
func mkdirIn(r *os.Root, name string) (dir *os.Root, created bool, err error) {
	err = r.Mkdir(name, dirPerm)
	switch {
	case err == nil:
		created = true
		err = r.Chmod(name, dirPerm) // umask, and setgid inherited from the parent
	case errors.Is(err, fs.ErrExist):
		err = requireDir(r, name)
	}
	if err != nil {
		return nil, false, err
	}
	dir, err = r.OpenRoot(name)
	return dir, created, err
}

// requireDir returns an ENOTDIR error unless name in r is a directory.
func requireDir(r *os.Root, name string) error {
	fi, err := r.Lstat(name)
	if err == nil && !fi.IsDir() {
		err = &fs.PathError{Op: "mkdir", Path: name, Err: syscall.ENOTDIR}
	}
	return err
}

// writeFailed turns a failure to create the path of entry raw into a
// rejection when the path cannot exist here (it clashes with an earlier entry,
// or the file system refuses the name), and into a fatal error otherwise.
func (x *extractor) writeFailed(a *archive, raw string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrLimit) {
		return err
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) || !isPathProblem(errno) {
		return fmt.Errorf("unpacking %s: writing entry %q: %w", a.name, raw, err)
	}
	reason := "cannot be written: " + errno.Error()
	if errno == syscall.ENOTDIR || errno == syscall.EISDIR {
		reason += " (it clashes with an earlier entry)"
	}
	x.reject(a, raw, reason)
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

// symlink judges the symlink entry f stored at the cleaned path name, never
// creating it: a target outside the archive is rejected, one inside is noted.
func (x *extractor) symlink(a *archive, f *zip.File, name string) error {
	target, reason, err := x.readLink(a, f)
	switch {
	case err != nil:
		return err
	case reason != "":
		x.reject(a, f.Name, reason)
	case linkEscapes(name, target):
		x.reject(a, f.Name, reasonLinkOut+printable(target))
	default:
		x.note(a, f.Name, "symlink -> "+printable(target)+" not materialised (symlinks are never created)")
	}
	return nil
}

// readLink reads the target of the symlink entry f, bounded by maxLinkTarget.
// It returns a rejection reason for a target that cannot be judged.
func (x *extractor) readLink(a *archive, f *zip.File) (target, reason string, err error) {
	if f.UncompressedSize64 > maxLinkTarget {
		return "", fmt.Sprintf("symlink target longer than %d bytes", maxLinkTarget), nil
	}
	rc, err := f.Open()
	if errors.Is(err, zip.ErrAlgorithm) {
		return "", fmt.Sprintf("symlink with unsupported compression method %d", f.Method), nil
	}
	if err != nil {
		return "", "", corruptError(a.name, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLinkTarget+1))
	if err != nil {
		return "", "", corruptError(a.name, f.Name, err)
	}
	if len(b) > maxLinkTarget {
		return "", fmt.Sprintf("symlink target longer than %d bytes", maxLinkTarget), nil
	}
	return string(b), "", nil
}

// printable returns s, quoted if it holds characters that would garble a
// report line.
func printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}
