package unpack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
)

// Dir copies the folder src (a `sam build` output, a function app folder)
// into dest, with the same rules and limits as [Zip]: regular files and
// directories are copied, symlinks are never followed or created (one that
// points outside src is Rejected, one inside is a Note), other file types are
// Notes, zips inside are extracted beside themselves into "<name>!". Reads go
// through os.Root on src, so even a symlink swapped in during the copy cannot
// make fnaudit read outside the folder.
func Dir(ctx context.Context, src, dest string, lim Limits) (*Result, error) {
	x := &extractor{ctx: ctx, lim: lim.withDefaults(), res: &Result{}, buf: make([]byte, 32<<10)}
	fi, err := os.Stat(src)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return x.res, fmt.Errorf("copying %s: %w; check the path, or build the function first", src, ErrNotFound)
	case err != nil:
		return x.res, fmt.Errorf("copying %s: %w", src, err)
	case !fi.IsDir():
		return x.res, fmt.Errorf("copying %s: not a directory", src)
	}
	in, err := os.OpenRoot(src)
	if err != nil {
		return x.res, fmt.Errorf("copying %s: %w", src, err)
	}
	defer in.Close()
	out, err := openDest(src, dest)
	if err != nil {
		return x.res, err
	}
	defer out.Close()
	a := &archive{name: src, root: out, depth: 1, dirs: map[string]bool{}}
	var zips []string
	if err := x.copyTree(a, in, ".", &zips); err != nil {
		return x.res, err
	}
	for _, name := range zips {
		if err := x.nested(a, name); err != nil {
			return x.res, err
		}
	}
	return x.res, nil
}

// copyTree copies the directory dir of in (a slash path, "." for the top)
// into a, depth first in name order, collecting the zips it writes.
func (x *extractor) copyTree(a *archive, in *os.Root, dir string, zips *[]string) error {
	d, err := in.Open(nativePath(dir))
	if err != nil {
		return fmt.Errorf("copying %s: %w", a.name, err)
	}
	entries, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return fmt.Errorf("copying %s: reading %s: %w", a.name, dir, err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		if err := x.ctx.Err(); err != nil {
			return fmt.Errorf("copying %s: %w", a.name, err)
		}
		x.entries++
		if err := x.lim.entriesError(a.name, x.entries, 0); err != nil {
			return err
		}
		if err := x.copyEntry(a, in, path.Join(dir, e.Name()), e.Type(), zips); err != nil {
			return err
		}
	}
	return nil
}

// copyEntry copies one directory entry.
func (x *extractor) copyEntry(a *archive, in *os.Root, name string, mode fs.FileMode, zips *[]string) error {
	switch {
	case mode&fs.ModeSymlink != 0:
		x.copyLink(a, in, name)
		return nil
	case mode.IsDir():
		if err := x.dir(a, name, name); err != nil {
			return err
		}
		return x.copyTree(a, in, name, zips)
	case !mode.IsRegular():
		x.note(a, name, fileKind(mode)+" skipped")
		return nil
	}
	nested, err := x.copyFile(a, in, name)
	if nested != "" {
		*zips = append(*zips, nested)
	}
	return err
}

// copyLink judges a symlink: never followed, never created.
func (x *extractor) copyLink(a *archive, in *os.Root, name string) {
	target, err := in.Readlink(nativePath(name))
	switch {
	case err != nil:
		x.note(a, name, "unreadable symlink skipped")
	case linkEscapes(name, target):
		x.reject(a, name, "symlink points outside the folder: -> "+printable(target))
	default:
		x.note(a, name, "symlink inside the folder skipped")
	}
}

// copyFile copies one regular file within the limits. It returns name when
// the file is a zip to extract.
func (x *extractor) copyFile(a *archive, in *os.Root, name string) (string, error) {
	f, err := in.Open(nativePath(name))
	if err != nil {
		return "", fmt.Errorf("copying %s: %w", a.name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("copying %s: %w", a.name, err)
	}
	size := uint64(fi.Size())
	if err := x.lim.sizeError(a.name, name, "is", size, uint64(x.res.Bytes)); err != nil {
		return "", err
	}
	out, err := x.create(a, name, name, permFor(fi.Mode()))
	if out == nil {
		return "", err
	}
	head, err := x.copyBounded(a, name, out, f)
	if cerr := out.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("copying %s: writing %q: %w", a.name, name, cerr)
	}
	if err != nil {
		a.root.Remove(nativePath(name))
		return "", err
	}
	x.res.Files++
	return nestedZipName(name, head), nil
}

// copyBounded copies r to w, counting the bytes against the limits as they
// are written (a file may grow while it is copied), and returns the first
// four bytes.
func (x *extractor) copyBounded(a *archive, name string, w io.Writer, r io.Reader) ([]byte, error) {
	var head []byte
	var written uint64
	for {
		if err := x.ctx.Err(); err != nil {
			return nil, fmt.Errorf("copying %s: %w", a.name, err)
		}
		n, rerr := r.Read(x.buf)
		if n > 0 {
			if len(head) < 4 {
				head = append(head, x.buf[:min(n, 4-len(head))]...)
			}
			written += uint64(n)
			x.res.Bytes += int64(n)
			if err := x.lim.sizeError(a.name, name, "grows to", written, uint64(x.res.Bytes-int64(written))); err != nil {
				return nil, err
			}
			if _, err := w.Write(x.buf[:n]); err != nil {
				return nil, fmt.Errorf("copying %s: writing %q: %w", a.name, name, err)
			}
		}
		if rerr == io.EOF {
			return head, nil
		}
		if rerr != nil {
			return nil, fmt.Errorf("copying %s: reading %q: %w", a.name, name, rerr)
		}
	}
}

// File copies the single file src into the directory dest under its own
// name, within the limits: an artifact that is read as it is (a Java
// function's jar, which syft opens itself).
func File(ctx context.Context, src, dest string, lim Limits) (*Result, error) {
	x := &extractor{ctx: ctx, lim: lim.withDefaults(), res: &Result{}, buf: make([]byte, 32<<10)}
	f, err := openArtifact(src)
	if err != nil {
		return x.res, err
	}
	f.Close()
	in, err := os.OpenRoot(filepath.Dir(src))
	if err != nil {
		return x.res, fmt.Errorf("copying %s: %w", src, err)
	}
	defer in.Close()
	out, err := openDest(src, dest)
	if err != nil {
		return x.res, err
	}
	defer out.Close()
	a := &archive{name: src, root: out, depth: 1, dirs: map[string]bool{}}
	_, err = x.copyFile(a, in, filepath.Base(src))
	return x.res, err
}
