package azure

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden.json files")

// view is an Application as the golden files show it: every field,
// including those the report JSON leaves out (mounts, trigger sources).
type view struct {
	Name      string
	Kind      bundle.Kind
	Manifest  string
	Functions []viewFunction
	Warnings  []string
}

type viewFunction struct {
	Name        string
	Exposure    bundle.Exposure
	Runtime     string
	Handler     string
	PackageType string
	Source      string
	Artifacts   []viewArtifact
	Triggers    []viewTrigger
	Role        bundle.Role
}

type viewArtifact struct {
	Role  bundle.ArtifactRole
	Name  string
	Path  string
	Mount string
}

type viewTrigger struct {
	Type     string
	Detail   string
	Auth     string
	Exposure bundle.Exposure
	Source   string
}

// render turns app into golden JSON, replacing tmp (when set) by $TMP.
func render(t *testing.T, app *bundle.Application, tmp string) []byte {
	t.Helper()
	v := view{Name: app.Name, Kind: app.Kind, Manifest: app.Manifest, Warnings: app.Warnings}
	for _, f := range app.Functions {
		vf := viewFunction{Name: f.Name, Exposure: f.Exposure(), Runtime: f.Runtime, Handler: f.Handler,
			PackageType: f.PackageType, Source: location(f.Source), Role: f.Role}
		for _, a := range f.Artifacts {
			vf.Artifacts = append(vf.Artifacts, viewArtifact{Role: a.Role, Name: a.Name, Path: a.Path, Mount: a.Mount})
		}
		for _, tr := range f.Triggers {
			vf.Triggers = append(vf.Triggers, viewTrigger{Type: tr.Type, Detail: tr.Detail, Auth: tr.Auth,
				Exposure: tr.Exposure, Source: location(tr.Source)})
		}
		v.Functions = append(v.Functions, vf)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if tmp != "" {
		out = bytes.ReplaceAll(out, []byte(tmp), []byte("$TMP"))
	}
	return out
}

func location(l bundle.Location) string {
	if l.Line == 0 {
		return l.File
	}
	return l.File + ":" + itoa(l.Line)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// golden compares got with testdata/name.golden.json, or rewrites it.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./bundle/azure -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", file, diff)
	}
}

// detectAndLoad loads path the way bundle.Load does.
func detectAndLoad(t *testing.T, path string) *bundle.Application {
	t.Helper()
	l := New()
	manifest, ok := l.Detect(path)
	if !ok {
		t.Fatalf("Detect(%q) = false", path)
	}
	app, err := l.Load(context.Background(), manifest)
	if err != nil {
		t.Fatalf("Load(%q): %v", manifest, err)
	}
	return app
}

func TestGolden(t *testing.T) {
	for _, name := range []string{"node-v3", "python-v2", "node-v4", "dotnet-isolated", "csharp-project"} {
		t.Run(name, func(t *testing.T) {
			app := detectAndLoad(t, filepath.Join("testdata", name))
			golden(t, name, render(t, app, ""))
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
			golden(t, tt.name, render(t, detectAndLoad(t, tt.path), tmp))
		})
	}
}
