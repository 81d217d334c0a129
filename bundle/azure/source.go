package azure

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Bounds on what the loader reads.
const (
	// maxJSONBytes bounds one JSON file (host.json, function.json,
	// functions.metadata, package.json, local.settings.json).
	maxJSONBytes = 16 << 20
	// maxFunctions bounds the functions of one app.
	maxFunctions = 10_000
	// maxRootEntries bounds the entries of the app folder that are looked at
	// for a function.json.
	maxRootEntries = 100_000
)

// errTooLarge is returned for a file over the size it may have.
var errTooLarge = errors.New("file too large")

// appFS is the app's files: a folder (through an [os.Root], so that no
// symbolic link leads out of it) or a run-from-package zip.
type appFS struct {
	fsys fs.FS
	// base is the folder, or the zip file, as given: locations are base
	// joined with a path inside (a zip's entries are written zip!/entry).
	base  string
	isZip bool
	close func() error
}

// openDir opens the app folder dir.
func openDir(dir string) (*appFS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	return &appFS{fsys: root.FS(), base: dir, close: root.Close}, nil
}

// openZipFS opens the run-from-package zip at file.
func openZipFS(file string) (*appFS, error) {
	if fi, err := os.Stat(file); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("opening %s: %w", file, errNotZip)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", file, err)
	}
	zr, err := readZip(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return &appFS{fsys: zr, base: file, isZip: true, close: f.Close}, nil
}

// loc is how the file rel (slash-separated, inside the app) is named in
// locations and messages.
func (a *appFS) loc(rel string) string {
	if a.isZip {
		return a.base + "!/" + rel
	}
	return filepath.Join(a.base, filepath.FromSlash(rel))
}

// readFile reads the regular file rel, at most limit bytes.
func (a *appFS) readFile(rel string, limit int64) ([]byte, error) {
	fi, err := fs.Stat(a.fsys, rel)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", rel)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%w: %d bytes, over the limit of %d", errTooLarge, fi.Size(), limit)
	}
	f, err := a.fsys.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over the limit of %d bytes", errTooLarge, limit)
	}
	return data, nil
}

// isFile says whether rel is a regular file (following symbolic links that
// stay inside the app).
func (a *appFS) isFile(rel string) bool {
	fi, err := fs.Stat(a.fsys, rel)
	return err == nil && fi.Mode().IsRegular()
}

// dirEntry is one entry of a folder: its name and whether it is a folder
// (or a symbolic link, which may lead to one).
type dirEntry struct {
	name    string
	dir     bool
	symlink bool
}

// list returns the entries of folder rel sorted by name, at most limit of
// them; more is an error.
func (a *appFS) list(rel string, limit int) ([]dirEntry, error) {
	f, err := a.fsys.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, ok := f.(fs.ReadDirFile)
	if !ok {
		return nil, fmt.Errorf("%s is not a folder", rel)
	}
	var out []dirEntry
	for {
		batch, err := rd.ReadDir(1024)
		for _, e := range batch {
			out = append(out, dirEntry{name: e.Name(), dir: e.IsDir(), symlink: e.Type()&fs.ModeSymlink != 0})
		}
		if len(out) > limit {
			return nil, fmt.Errorf("%s holds more than %d entries", a.loc(rel), limit)
		}
		if errors.Is(err, io.EOF) || (err == nil && len(batch) == 0) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(x, y dirEntry) int { return strings.Compare(x.name, y.name) })
	return out, nil
}

// glob returns the files matching pattern (path.Match syntax), sorted, at
// most limit of them.
func (a *appFS) glob(pattern string, limit int) []string {
	dir, file := path.Split(pattern)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	entries, err := a.list(dir, maxRootEntries)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if ok, _ := path.Match(file, e.name); ok && !e.dir {
			out = append(out, path.Join(dir, e.name))
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

// packageZip says whether the file rel of the app folder is a zip with
// host.json at its root. It reads the central directory only.
func (a *appFS) packageZip(rel string) bool {
	if a.isZip || !a.isFile(rel) {
		return false
	}
	f, err := a.fsys.Open(rel)
	if err != nil {
		return false
	}
	defer f.Close()
	osf, ok := f.(*os.File)
	if !ok {
		return false
	}
	zr, err := readZip(osf)
	return err == nil && hasRootHost(zr)
}
