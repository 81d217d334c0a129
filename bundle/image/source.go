package image

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/fnaudit/fnaudit/bundle/unpack"
)

// source opens the files of an image archive or layout by their slash path
// inside it ("manifest.json", "blobs/sha256/ab12...", "ab12.../layer.tar").
type source interface {
	// open returns the file stored at name and its size in bytes. A name that
	// is not there wraps fs.ErrNotExist.
	open(name string) (io.ReadCloser, int64, error)
	// has reports whether a file is stored at name.
	has(name string) bool
}

// Bounds of an archive's outer tar: a docker-archive holds a manifest, a
// config and the layers of a few images; an OCI layout tar its blobs.
const (
	maxOuterEntries = 100_000
	maxLinkHops     = 16 // links followed inside the outer tar (docker save links shared layers)
)

var (
	_ source = (*tarSource)(nil)
	_ source = dirSource("")
)

// tarSource is an archive's outer tar, indexed once from its headers: the
// files inside are then read in place through section readers, never
// extracted.
type tarSource struct {
	path    string
	entries map[string]tarEntry // cleaned name → the last entry of that name, as tar extraction keeps
}

// tarEntry is one member of the outer tar.
type tarEntry struct {
	offset, size int64
	typ          byte
	link         string // cleaned target of a symlink or hard link
	sparse       bool   // stored sparse: its data section is not its content
}

// indexTar reads the headers of the tar at path, skipping over the data. A
// file that does not start with a tar header wraps ErrNotImage, one that ends
// early unpack.ErrCorrupt.
func indexTar(ctx context.Context, path string) (*tarSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening image %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("opening image %s: %w", path, err)
	}
	if err := sniff(path, f, fi.Size()); err != nil {
		return nil, err
	}
	src := &tarSource{path: path, entries: map[string]tarEntry{}}
	tr := tar.NewReader(f)
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("opening image %s: %w", path, err)
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return src, nil
		}
		if err != nil {
			return nil, outerTarError(path, n, err)
		}
		if n >= maxOuterEntries {
			return nil, fmt.Errorf("opening image %s: %w: the archive has more than %d entries, more than any image archive",
				path, unpack.ErrLimit, maxOuterEntries)
		}
		if err := src.add(f, fi.Size(), hdr); err != nil {
			return nil, err
		}
	}
}

// gzipMagic starts a gzip stream: `docker save | gzip` output.
const gzipMagic = "\x1f\x8b"

// sniff rejects an empty file and a compressed archive with a useful reason.
func sniff(path string, f *os.File, size int64) error {
	if size == 0 {
		return notImage(path, "the file is empty")
	}
	head := make([]byte, 2)
	if _, err := f.ReadAt(head, 0); err == nil && string(head) == gzipMagic {
		return notImage(path, "it is gzip-compressed; decompress it first (gunzip), fnaudit reads the plain tar in place")
	}
	return nil
}

// outerTarError classifies a failure to read the header of entry n.
func outerTarError(path string, n int, err error) error {
	if n == 0 {
		return notImage(path, "not a tar archive ("+err.Error()+")")
	}
	return fmt.Errorf("opening image %s: %w: reading entry %d: %w; re-create the archive (docker save, or skopeo copy)",
		path, unpack.ErrCorrupt, n+1, err)
}

// add records the entry hdr, whose data starts at the current offset of f.
func (s *tarSource) add(f *os.File, size int64, hdr *tar.Header) error {
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("opening image %s: %w", s.path, err)
	}
	e := tarEntry{offset: off, size: hdr.Size, typ: hdr.Typeflag, sparse: isSparse(hdr)}
	if off+hdr.Size > size || hdr.Size < 0 {
		return fmt.Errorf("opening image %s: %w: entry %q runs past the end of the file; re-create the archive",
			s.path, unpack.ErrCorrupt, hdr.Name)
	}
	name := outerName(hdr.Name)
	switch {
	case hdr.Typeflag == tar.TypeLink || hdr.Typeflag == tar.TypeSymlink && strings.HasPrefix(hdr.Linkname, "/"):
		e.link = outerName(hdr.Linkname) // from the archive root
	case hdr.Typeflag == tar.TypeSymlink:
		e.link = outerName(path.Join(path.Dir(name), hdr.Linkname))
	}
	s.entries[name] = e
	return nil
}

// isSparse reports whether hdr is stored in one of the GNU sparse formats.
func isSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// outerName is the key of an outer tar member: "./a/b" and "/a/b" are "a/b".
func outerName(name string) string {
	return strings.TrimLeft(path.Clean("/"+name), "/")
}

// has implements source.
func (s *tarSource) has(name string) bool {
	_, err := s.resolve(name)
	return err == nil
}

// resolve follows links from name to a regular member.
func (s *tarSource) resolve(name string) (tarEntry, error) {
	name = outerName(name)
	for range maxLinkHops {
		e, ok := s.entries[name]
		switch {
		case !ok:
			return e, fmt.Errorf("%q: %w", name, fs.ErrNotExist)
		case e.typ == tar.TypeSymlink || e.typ == tar.TypeLink:
			name = e.link
		case e.typ != tar.TypeReg && e.typ != tar.TypeCont:
			return e, fmt.Errorf("%q is not a regular file (tar type %q)", name, e.typ)
		case e.sparse:
			return e, fmt.Errorf("%q is stored as a sparse file, which no image tool writes", name)
		default:
			return e, nil
		}
	}
	return tarEntry{}, fmt.Errorf("%q: more than %d links to follow", name, maxLinkHops)
}

// open implements source: the data of a member, read in place.
func (s *tarSource) open(name string) (io.ReadCloser, int64, error) {
	e, err := s.resolve(name)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, 0, err
	}
	return sectionFile{io.NewSectionReader(f, e.offset, e.size), f}, e.size, nil
}

// sectionFile reads a section of a file and closes the file.
type sectionFile struct {
	*io.SectionReader
	io.Closer
}

// dirSource is an OCI image layout directory. Every file is opened through
// an os.Root on it, so a symlink inside cannot make fnaudit read elsewhere.
type dirSource string

// open implements source.
func (d dirSource) open(name string) (io.ReadCloser, int64, error) {
	root, err := os.OpenRoot(string(d))
	if err != nil {
		return nil, 0, err
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%q is not a regular file", name)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// has implements source.
func (d dirSource) has(name string) bool {
	rc, _, err := d.open(name)
	if err != nil {
		return false
	}
	rc.Close()
	return true
}

// readSmall reads the metadata file name (a manifest, an index, a config)
// of at most limit bytes.
func readSmall(src source, name string, limit int64) ([]byte, error) {
	rc, size, err := src.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if size > limit {
		return nil, fmt.Errorf("%q is %d bytes, more than the %d any image metadata file needs", name, size, limit)
	}
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%q is more than %d bytes, more than any image metadata file needs", name, limit)
	}
	return b, err
}
