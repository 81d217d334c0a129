package dbupdate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/fnaudit/fnaudit/vuln"
)

// zipName is the file name of an ecosystem archive.
const zipName = "all.zip"

// workDir is an update's temp dir, <dir>/.fnaudit/tmp: on the database's
// filesystem, so that renaming out of it is atomic. Only the lock holder
// uses it; it is emptied when the lock is taken (what a killed run left)
// and removed when the run ends.
type workDir struct{ path string }

// newWorkDir empties and creates the temp dir of database dir.
func newWorkDir(dir string) (*workDir, error) {
	p := filepath.Join(dir, vuln.MetaDir, "tmp")
	if err := os.RemoveAll(p); err != nil {
		return nil, fmt.Errorf("removing the temp dir a previous run left, %s: %w", p, err)
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", p, err)
	}
	return &workDir{path: p}, nil
}

// create makes a new temp file; the caller removes it when it is not
// renamed away (remove does, and ignores a file already renamed).
func (w *workDir) create(pattern string) (*os.File, error) {
	f, err := os.CreateTemp(w.path, pattern)
	if err != nil {
		return nil, fmt.Errorf("creating a temp file in %s: %w", w.path, err)
	}
	return f, nil
}

// remove closes and removes a temp file made by create.
func (w *workDir) remove(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// close removes the temp dir.
func (w *workDir) close() error { return os.RemoveAll(w.path) }

// finish makes a complete temp file durable: mode 0644, data fsynced,
// closed.
func finish(f *os.File) error {
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	return nil
}

// install renames the finished archive tmp into place as
// <dir>/<eco>/all.zip and fsyncs the directories changed, returning the
// installed file's info.
func install(dir, eco, tmp string) (fs.FileInfo, error) {
	ecoDir := filepath.Join(dir, eco)
	switch err := os.Mkdir(ecoDir, 0o755); {
	case err == nil:
		if err := syncDir(dir); err != nil {
			return nil, err
		}
	case !errors.Is(err, fs.ErrExist):
		return nil, fmt.Errorf("creating %s: %w", ecoDir, err)
	}
	dst := filepath.Join(ecoDir, zipName)
	if err := os.Rename(tmp, dst); err != nil {
		return nil, fmt.Errorf("installing %s: %w", dst, err)
	}
	if err := syncDir(ecoDir); err != nil {
		return nil, err
	}
	fi, err := os.Stat(dst)
	if err != nil {
		return nil, fmt.Errorf("installing %s: %w", dst, err)
	}
	return fi, nil
}

// syncDir fsyncs a directory, making the renames in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

// writeState replaces the state file of database dir atomically.
func writeState(dir string, w *workDir, s vuln.State) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the database state: %w", err)
	}
	f, err := w.create("state-*.json")
	if err != nil {
		return err
	}
	defer w.remove(f)
	if _, err := f.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	if err := finish(f); err != nil {
		return err
	}
	path := vuln.StatePath(dir)
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}
