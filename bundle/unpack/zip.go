package unpack

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// Result describes one artifact's extraction, nested archives included.
type Result struct {
	Files    int           // regular files written (an entry overwritten by a later one counts twice)
	Bytes    int64         // uncompressed bytes written
	Rejected []*EntryError // hostile entries that were skipped: the caller marks the function incomplete
	Notes    []string      // harmless things skipped, e.g. in-archive symlinks that were not materialised
	Nested   []string      // nested archives extracted, as slash paths relative to dest ("layers/common.zip", "a.zip!/b.zip")
}

// zipMagic starts every zip archive that holds at least one entry.
const zipMagic = "PK\x03\x04"

// extractor is the state of one Zip call, shared by the artifact and the
// archives nested in it so that limits apply to their totals.
type extractor struct {
	ctx     context.Context
	lim     Limits
	res     *Result
	entries int    // entries counted so far, nested archives included
	dirs    int    // directories created so far, bounded by MaxEntries too
	buf     []byte // the one copy buffer, so memory does not grow with entry sizes
}

// archive is one zip being extracted: the artifact or a nested archive.
type archive struct {
	name  string          // display name: the artifact path, or "<parent>!/<entry>"
	rel   string          // slash path of root relative to the top destination, "" for the artifact
	size  int64           // size of the archive file in bytes
	root  *os.Root        // the directory the archive extracts into; every write goes through it
	depth int             // 1 for the artifact
	dirs  map[string]bool // directories known to exist under root (slash paths)
}

// Zip extracts the zip archive at src into the directory dest, which is created
// if missing and must be empty. Zero fields of lim take their defaults.
//
// Hostile entries are skipped and listed in Result.Rejected while the rest is
// extracted. A fatal problem returns an error wrapping [ErrNotFound],
// [ErrNotZip], [ErrCorrupt], [ErrLimit] or ctx.Err(), naming src; dest may then
// hold a partial tree, which must not be catalogued. The Result is never nil: on
// error it describes what was done before the failure.
func Zip(ctx context.Context, src, dest string, lim Limits) (*Result, error) {
	x := &extractor{ctx: ctx, lim: lim.withDefaults(), res: &Result{}, buf: make([]byte, 32<<10)}
	f, err := openArtifact(src)
	if err != nil {
		return x.res, err
	}
	defer f.Close()
	zr, size, err := readZip(src, f)
	if err != nil {
		return x.res, err
	}
	root, err := openDest(src, dest)
	if err != nil {
		return x.res, err
	}
	defer root.Close()
	a := &archive{name: src, size: size, root: root, depth: 1, dirs: map[string]bool{}}
	return x.res, x.extract(a, zr)
}

// openArtifact opens src, a regular file.
func openArtifact(src string) (*os.File, error) {
	fi, err := os.Stat(src)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("unpacking %s: %w; check the path, or build the artifact first", src, ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("unpacking %s: %w", src, err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("unpacking %s: %w: it is a %s, not a regular file", src, ErrNotZip, fileKind(fi.Mode()))
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, fmt.Errorf("unpacking %s: %w", src, err)
	}
	return f, nil
}

// readZip reads the zip directory of f, telling a file that is not a zip at all
// (ErrNotZip) from a damaged one (ErrCorrupt).
func readZip(name string, f *os.File) (*zip.Reader, int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("unpacking %s: %w", name, err)
	}
	size := fi.Size()
	zr, err := zip.NewReader(f, size)
	if zr != nil && (err == nil || errors.Is(err, zip.ErrInsecurePath)) {
		return zr, size, nil // insecure names are judged entry by entry
	}
	if size == 0 {
		return nil, 0, fmt.Errorf("unpacking %s: %w: the file is empty; rebuild the artifact", name, ErrNotZip)
	}
	head := make([]byte, 16)
	n, _ := f.ReadAt(head, 0)
	if !looksLikeZip(head[:n]) {
		return nil, 0, fmt.Errorf("unpacking %s: %w: its %d bytes start with %q; check that the artifact was built or downloaded correctly",
			name, ErrNotZip, size, head[:n])
	}
	return nil, 0, corruptError(name, "", err)
}

// looksLikeZip reports whether head starts with a zip signature: a local file
// header, an empty archive's end record, or a spanned-archive marker.
func looksLikeZip(head []byte) bool {
	for _, sig := range []string{zipMagic, "PK\x05\x06", "PK\x07\x08"} {
		if bytes.HasPrefix(head, []byte(sig)) {
			return true
		}
	}
	return false
}

// openDest creates dest if needed, opens it as the root of every write and
// checks that it is empty.
func openDest(src, dest string) (*os.Root, error) {
	if err := os.MkdirAll(dest, dirPerm); err != nil {
		return nil, fmt.Errorf("unpacking %s: creating the destination: %w", src, err)
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		return nil, fmt.Errorf("unpacking %s: opening the destination: %w", src, err)
	}
	if err := checkEmpty(root); err != nil {
		root.Close()
		return nil, fmt.Errorf("unpacking %s: destination %s: %w", src, dest, err)
	}
	return root, nil
}

// checkEmpty returns an error unless the directory r is empty.
func checkEmpty(r *os.Root) error {
	d, err := r.Open(".")
	if err != nil {
		return err
	}
	defer d.Close()
	names, err := d.Readdirnames(1)
	switch {
	case len(names) > 0:
		return errors.New("not empty; extract each artifact into a fresh directory")
	case errors.Is(err, io.EOF):
		return nil
	}
	return err
}

// extract writes the entries of zr under a.root, then extracts the archives
// nested in it.
func (x *extractor) extract(a *archive, zr *zip.Reader) error {
	if err := x.lim.entriesError(a.name, len(zr.File), x.entries); err != nil {
		return err
	}
	x.entries += len(zr.File)
	var nested []string // in archive order; a name written twice is extracted once
	seen := map[string]bool{}
	for _, f := range zr.File {
		if err := x.ctx.Err(); err != nil {
			return fmt.Errorf("unpacking %s: %w", a.name, err)
		}
		name, err := x.entry(a, f)
		if err != nil {
			return err
		}
		if name != "" && !seen[name] {
			seen[name] = true
			nested = append(nested, name)
		}
	}
	for _, name := range nested {
		if err := x.nested(a, name); err != nil {
			return err
		}
	}
	return nil
}

// entry extracts one entry, or skips it with a note or a rejection. It returns
// the cleaned name of the file written when that file is a nested zip.
func (x *extractor) entry(a *archive, f *zip.File) (nestedZip string, err error) {
	name, reason := entryPath(f.Name)
	if reason != "" {
		x.reject(a, f.Name, reason)
		return "", nil
	}
	mode := f.Mode()
	switch {
	case mode&fs.ModeSymlink != 0:
		return "", x.symlink(a, f, name)
	case mode.IsDir() || isDirName(f.Name):
		return "", x.dir(a, f.Name, name)
	case !mode.IsRegular():
		x.note(a, f.Name, fileKind(mode)+" skipped")
		return "", nil
	case name == ".":
		x.note(a, f.Name, "file named after the extraction directory itself skipped")
		return "", nil
	}
	return x.file(a, f, name)
}

// fileKind names the type of a non-regular file mode in plain words.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device file"
	}
	return "irregular file"
}

// reject records a hostile entry that was skipped.
func (x *extractor) reject(a *archive, entry, reason string) {
	x.res.Rejected = append(x.res.Rejected, &EntryError{Archive: a.name, Entry: entry, Reason: reason})
}

// note records a harmless entry that was skipped.
func (x *extractor) note(a *archive, entry, text string) {
	x.res.Notes = append(x.res.Notes, fmt.Sprintf("%s: entry %q: %s", a.name, entry, text))
}

// nested extracts the zip written at name under a into the sibling directory
// "<name>!", within the depth limit. A corrupt nested archive is only a note.
func (x *extractor) nested(a *archive, name string) error {
	child := &archive{name: a.name + "!/" + name, rel: path.Join(a.rel, name), depth: a.depth + 1, dirs: map[string]bool{}}
	if child.depth > x.lim.MaxDepth {
		x.res.Notes = append(x.res.Notes, fmt.Sprintf("nested archive %s not extracted: over the nesting depth limit of %d (raise --max-depth to extract it)",
			child.name, x.lim.MaxDepth))
		return nil
	}
	f, err := a.root.Open(nativePath(name))
	if err != nil {
		return fmt.Errorf("unpacking %s: %w", child.name, err)
	}
	defer f.Close()
	zr, size, err := readZip(child.name, f)
	if err != nil {
		x.noteCorrupt(child)
		return nil
	}
	child.size = size
	root, err := x.nestedRoot(a, name)
	if root == nil {
		return err
	}
	defer root.Close()
	child.root = root
	return x.extractChild(child, zr)
}

// nestedRoot creates and opens the directory "<name>!" of a nested archive. A
// name clash is a rejection of the nested archive: it returns nil, nil.
func (x *extractor) nestedRoot(a *archive, name string) (*os.Root, error) {
	dir := name + "!"
	err := x.mkdirs(a, dir)
	var root *os.Root
	if err == nil {
		root, err = a.root.OpenRoot(nativePath(dir))
	}
	return root, x.writeFailed(a, name, err)
}

// extractChild extracts a nested archive and lists it in Result.Nested, or turns
// its corruption into a note.
func (x *extractor) extractChild(child *archive, zr *zip.Reader) error {
	i := len(x.res.Nested)
	x.res.Nested = append(x.res.Nested, child.rel)
	child.rel += "!"
	err := x.extract(child, zr)
	if errors.Is(err, ErrCorrupt) {
		x.res.Nested = slices.Delete(x.res.Nested, i, i+1)
		x.noteCorrupt(child)
		return nil
	}
	return err
}

// noteCorrupt notes a nested archive that could not be read to the end.
func (x *extractor) noteCorrupt(child *archive) {
	x.res.Notes = append(x.res.Notes, fmt.Sprintf("nested archive %s: %v", child.name, ErrCorrupt))
}

// nestedExts are the zip-format archives extracted beside themselves: zips
// (a layer shipped in a bundle), Python wheels and eggs (importable from
// sys.path as they are; their *.dist-info / EGG-INFO then catalogue like
// installed packages). Jars are left to syft, which reads them itself.
var nestedExts = []string{".zip", ".whl", ".egg"}

// nestedZipName returns name if the file written there is a nested archive
// to extract: its name ends in one of nestedExts and its data starts with the
// zip magic.
func nestedZipName(name string, head []byte) string {
	lower := strings.ToLower(name)
	for _, ext := range nestedExts {
		if strings.HasSuffix(lower, ext) && string(head) == zipMagic {
			return name
		}
	}
	return ""
}
