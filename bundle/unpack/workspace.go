package unpack

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// ErrWorkspaceClosed is returned by [Workspace.MkdirTemp] after Close.
var ErrWorkspaceClosed = errors.New("workspace closed")

// Workspace is one run's temp directory; everything fnaudit unpacks lives
// under it, and Close removes it all. The command closes it on exit and when
// interrupted (cancel the run's context, then Close).
type Workspace struct {
	dir string

	mu     sync.Mutex // guards closed and err, and orders MkdirTemp before Close
	closed bool
	err    error // the result of the first Close
}

// NewWorkspace creates a directory fnaudit-run-XXXX, readable by its owner
// only, under parent ("" means os.TempDir()).
func NewWorkspace(parent string) (*Workspace, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	dir, err := os.MkdirTemp(parent, "fnaudit-run-*")
	if err != nil {
		return nil, fmt.Errorf("creating the run's temp directory: %w; set TMPDIR to a writable directory", err)
	}
	// MkdirTemp creates 0700 before umask; make sure of it.
	if err := os.Chmod(dir, 0o700); err != nil {
		os.Remove(dir)
		return nil, fmt.Errorf("creating the run's temp directory: %w", err)
	}
	return &Workspace{dir: dir}, nil
}

// Dir returns the workspace directory.
func (w *Workspace) Dir() string { return w.dir }

// MkdirTemp creates a fresh directory under the workspace, named after
// pattern as in [os.MkdirTemp], and returns its path.
func (w *Workspace) MkdirTemp(pattern string) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return "", fmt.Errorf("creating a temp directory in %s: %w", w.dir, ErrWorkspaceClosed)
	}
	dir, err := os.MkdirTemp(w.dir, pattern)
	if err != nil {
		return "", fmt.Errorf("creating a temp directory in %s: %w", w.dir, err)
	}
	return dir, nil
}

// Close removes the workspace and everything in it. It is safe to call more
// than once and from several goroutines; every call returns the first result.
func (w *Workspace) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		w.err = removeTree(w.dir)
	}
	return w.err
}

// removeTree removes dir, first making its directories writable if a plain
// removal fails (a cataloger or an archive may have left read-only ones).
func removeTree(dir string) error {
	if os.RemoveAll(dir) == nil {
		return nil
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing the run's temp directory: %w", err)
	}
	return nil
}
