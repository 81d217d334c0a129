package azure

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle/bundletest"
	"github.com/fnaudit/fnaudit/internal/golden"
)

func goldenPath(name string) string { return filepath.Join("testdata", name+".golden.json") }

func TestGolden(t *testing.T) {
	for _, name := range []string{"node-v3", "python-v2", "node-v4", "dotnet-isolated", "csharp-project"} {
		t.Run(name, func(t *testing.T) {
			app := bundletest.Load(t, New(), filepath.Join("testdata", name))
			golden.Check(t, goldenPath(name), bundletest.Render(t, app))
		})
	}
}

// copyTree copies the folder src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// zipTree writes the files of folder src into a new zip at dst, named
// relative to src (with backslashes when windows is set, as PowerShell's
// Compress-Archive once wrote them).
func zipTree(t *testing.T, src, dst string, windows bool) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		name := filepath.ToSlash(rel)
		if windows {
			name = strings.ReplaceAll(name, "/", `\`)
		}
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunFromPackage covers the run-from-package zip: found in the app's
// dist folder (the artifact of every function), given on its own (the
// manifest), and read for its functions when the folder is a source
// project that declares none.
func TestRunFromPackage(t *testing.T) {
	tmp := t.TempDir()
	app := filepath.Join(tmp, "shop")
	copyTree(t, filepath.Join("testdata", "dotnet-isolated"), filepath.Join(tmp, "publish"))
	copyTree(t, filepath.Join("testdata", "csharp-project"), app)
	zipTree(t, filepath.Join(tmp, "publish"), filepath.Join(app, "dist", "shop.zip"), true)
	zipTree(t, filepath.Join(tmp, "publish"), filepath.Join(tmp, "alone.zip"), false)
	if err := os.WriteFile(filepath.Join(app, "dist", "notes.zip"), []byte("PK not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path string }{
		{"package-in-dist", app},
		{"package-alone", filepath.Join(tmp, "alone.zip")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bundletest.Render(t, bundletest.Load(t, New(), tt.path))
			golden.Check(t, goldenPath(tt.name), bytes.ReplaceAll(got, []byte(tmp), []byte("$TMP")))
		})
	}
}
