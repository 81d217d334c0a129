package serverless

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the loader's output")

// goldenApp renders an Application with every field the loader sets,
// including those the report JSON leaves out (Mount, Problem, trigger
// sources).
type goldenApp struct {
	Name      string       `json:"name"`
	Kind      bundle.Kind  `json:"kind"`
	Manifest  string       `json:"manifest"`
	Functions []goldenFunc `json:"functions"`
	Warnings  []string     `json:"warnings"`
}

type goldenFunc struct {
	Name        string           `json:"name"`
	Runtime     string           `json:"runtime,omitempty"`
	Handler     string           `json:"handler,omitempty"`
	PackageType string           `json:"package_type"`
	Source      string           `json:"source"`
	Exposure    bundle.Exposure  `json:"exposure"`
	Artifacts   []goldenArtifact `json:"artifacts"`
	Triggers    []goldenTrigger  `json:"triggers"`
	Role        goldenRole       `json:"role"`
}

type goldenArtifact struct {
	Role    bundle.ArtifactRole `json:"role"`
	Name    string              `json:"name"`
	Path    string              `json:"path,omitempty"`
	Mount   string              `json:"mount,omitempty"`
	Problem string              `json:"problem,omitempty"`
}

type goldenTrigger struct {
	Type     string          `json:"type"`
	Detail   string          `json:"detail"`
	Auth     string          `json:"auth"`
	Exposure bundle.Exposure `json:"exposure"`
	Source   string          `json:"source"`
}

type goldenRole struct {
	Name      string           `json:"name"`
	Privilege bundle.Privilege `json:"privilege"`
	Reasons   []string         `json:"reasons,omitempty"`
}

func loc(l bundle.Location) string {
	b, _ := json.Marshal(l.Line)
	return filepath.ToSlash(l.File) + ":" + string(b)
}

// render turns an Application into indented JSON.
func render(t *testing.T, app *bundle.Application) []byte {
	t.Helper()
	g := goldenApp{Name: app.Name, Kind: app.Kind, Manifest: filepath.ToSlash(app.Manifest), Warnings: app.Warnings}
	for _, f := range app.Functions {
		gf := goldenFunc{Name: f.Name, Runtime: f.Runtime, Handler: f.Handler, PackageType: f.PackageType,
			Source: loc(f.Source), Exposure: f.Exposure(),
			Role: goldenRole{Name: f.Role.Name, Privilege: f.Role.Privilege, Reasons: f.Role.Reasons}}
		for _, a := range f.Artifacts {
			gf.Artifacts = append(gf.Artifacts, goldenArtifact{Role: a.Role, Name: a.Name, Path: filepath.ToSlash(a.Path), Mount: a.Mount, Problem: a.Problem})
		}
		for _, tr := range f.Triggers {
			gf.Triggers = append(gf.Triggers, goldenTrigger{Type: tr.Type, Detail: tr.Detail, Auth: tr.Auth, Exposure: tr.Exposure, Source: loc(tr.Source)})
		}
		g.Functions = append(g.Functions, gf)
	}
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// checkGolden compares got with testdata/<name>.golden.json, or rewrites
// it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bundle/serverless -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// loadDir detects and loads a fixture folder.
func loadDir(t *testing.T, dir string) *bundle.Application {
	t.Helper()
	l := New()
	manifest, ok := l.Detect(dir)
	if !ok {
		t.Fatalf("Detect(%s) = false", dir)
	}
	app, err := l.Load(context.Background(), manifest)
	if err != nil {
		t.Fatalf("Load(%s): %v", manifest, err)
	}
	return app
}
