package unpack

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestWorkspace(t *testing.T) {
	parent := t.TempDir()
	w, err := NewWorkspace(parent)
	if err != nil {
		t.Fatalf("NewWorkspace: %v", err)
	}
	if filepath.Dir(w.Dir()) != parent || !strings.HasPrefix(filepath.Base(w.Dir()), "fnaudit-run-") {
		t.Errorf("Dir() = %s, want %s/fnaudit-run-*", w.Dir(), parent)
	}
	fi, err := os.Stat(w.Dir())
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("workspace mode = %v (%v), want 0700", fi.Mode(), err)
	}
	dest, err := w.MkdirTemp("code-*")
	if err != nil || filepath.Dir(dest) != w.Dir() {
		t.Fatalf("MkdirTemp = %s, %v; want a directory in %s", dest, err, w.Dir())
	}
	src := writeArtifact(t, "app.zip", buildZip(t, entry{name: "node_modules/x/index.js", body: "ok"}))
	if _, err := Zip(context.Background(), src, dest, Limits{}); err != nil {
		t.Fatalf("Zip: %v", err)
	}
	// Something later in the run may leave a read-only directory behind.
	if err := os.Chmod(filepath.Join(dest, "node_modules"), 0o500); err != nil {
		t.Fatal(err)
	}

	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(w.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Close, stat %s: %v; want it removed", w.Dir(), err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := w.MkdirTemp("late-*"); !errors.Is(err, ErrWorkspaceClosed) {
		t.Errorf("MkdirTemp after Close: %v, want ErrWorkspaceClosed", err)
	}
	if names := dirNames(t, parent); len(names) != 0 {
		t.Errorf("parent holds %q after Close, want nothing", names)
	}
}

func TestWorkspaceConcurrentClose(t *testing.T) {
	w, err := NewWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := w.MkdirTemp("x-*"); err != nil && !errors.Is(err, ErrWorkspaceClosed) {
				t.Errorf("MkdirTemp: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	wg.Wait()
	if _, err := os.Stat(w.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Close, stat %s: %v; want it removed", w.Dir(), err)
	}
}

func TestWorkspaceDefaultParent(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	w, err := NewWorkspace("")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if filepath.Dir(w.Dir()) != tmp {
		t.Errorf("Dir() = %s, want it in os.TempDir() = %s", w.Dir(), tmp)
	}
}

func TestWorkspaceBadParent(t *testing.T) {
	_, err := NewWorkspace(filepath.Join(t.TempDir(), "missing"))
	if err == nil || !strings.Contains(err.Error(), "TMPDIR") {
		t.Errorf("NewWorkspace in a missing directory: %v, want an error suggesting TMPDIR", err)
	}
}
