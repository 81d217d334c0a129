// Package bundletest renders what a manifest loader produced for golden
// files: every field of a bundle.Application, those the report JSON leaves
// out (mounts, artifact problems, trigger and function sources) included.
package bundletest

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fnaudit/fnaudit/bundle"
)

type app struct {
	Name      string      `json:"name"`
	Kind      bundle.Kind `json:"kind"`
	Manifest  string      `json:"manifest"`
	Functions []function  `json:"functions"`
	Warnings  []string    `json:"warnings,omitempty"`
}

type function struct {
	Name        string          `json:"name"`
	Runtime     string          `json:"runtime,omitempty"`
	Handler     string          `json:"handler,omitempty"`
	PackageType string          `json:"package_type"`
	Source      string          `json:"source"`
	Exposure    bundle.Exposure `json:"exposure"`
	Artifacts   []artifact      `json:"artifacts"`
	Triggers    []trigger       `json:"triggers,omitempty"`
	Role        role            `json:"role"`
}

type artifact struct {
	Role    bundle.ArtifactRole `json:"role"`
	Name    string              `json:"name"`
	Path    string              `json:"path,omitempty"`
	Mount   string              `json:"mount,omitempty"`
	Problem string              `json:"problem,omitempty"`
}

type trigger struct {
	Type     string          `json:"type"`
	Detail   string          `json:"detail"`
	Auth     string          `json:"auth"`
	Exposure bundle.Exposure `json:"exposure"`
	Source   string          `json:"source"`
}

type role struct {
	Name      string           `json:"name,omitempty"`
	Privilege bundle.Privilege `json:"privilege"`
	Reasons   []string         `json:"reasons,omitempty"`
}

// Render returns a as indented JSON, paths with forward slashes.
func Render(t testing.TB, a *bundle.Application) []byte {
	t.Helper()
	v := app{Name: a.Name, Kind: a.Kind, Manifest: filepath.ToSlash(a.Manifest), Functions: []function{}, Warnings: a.Warnings}
	for _, f := range a.Functions {
		fv := function{Name: f.Name, Runtime: f.Runtime, Handler: f.Handler, PackageType: f.PackageType,
			Source: location(f.Source), Exposure: f.Exposure(), Artifacts: []artifact{},
			Role: role{Name: f.Role.Name, Privilege: f.Role.Privilege, Reasons: f.Role.Reasons}}
		for _, x := range f.Artifacts {
			fv.Artifacts = append(fv.Artifacts, artifact{x.Role, x.Name, filepath.ToSlash(x.Path), x.Mount, x.Problem})
		}
		for _, tr := range f.Triggers {
			fv.Triggers = append(fv.Triggers, trigger{tr.Type, tr.Detail, tr.Auth, tr.Exposure, location(tr.Source)})
		}
		v.Functions = append(v.Functions, fv)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// location is "file:line", or the file alone when the line is unknown.
func location(l bundle.Location) string {
	if l.Line == 0 {
		return filepath.ToSlash(l.File)
	}
	return filepath.ToSlash(l.File) + ":" + strconv.Itoa(l.Line)
}

// Load detects the manifest at path with l and loads it, failing the test
// when either step does.
func Load(t testing.TB, l bundle.Loader, path string) *bundle.Application {
	t.Helper()
	manifest, ok := l.Detect(path)
	if !ok {
		t.Fatalf("Detect(%s) = false", path)
	}
	app, err := l.Load(context.Background(), manifest)
	if err != nil {
		t.Fatalf("Load(%s): %v", manifest, err)
	}
	return app
}
