package cloudformation

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// rendered is an Application as golden files show it: every field the
// loader sets, Mount and Problem included.
type rendered struct {
	Name      string         `json:"name"`
	Kind      bundle.Kind    `json:"kind"`
	Manifest  string         `json:"manifest"`
	Functions []renderedFunc `json:"functions"`
	Warnings  []string       `json:"warnings,omitempty"`
}

type renderedFunc struct {
	Name        string             `json:"name"`
	Runtime     string             `json:"runtime,omitempty"`
	Handler     string             `json:"handler,omitempty"`
	PackageType string             `json:"packageType"`
	Source      string             `json:"source"`
	Exposure    bundle.Exposure    `json:"exposure"`
	Artifacts   []renderedArtifact `json:"artifacts"`
	Triggers    []renderedTrigger  `json:"triggers,omitempty"`
	Role        renderedRole       `json:"role"`
}

type renderedRole struct {
	Name      string           `json:"name,omitempty"`
	Privilege bundle.Privilege `json:"privilege"`
	Reasons   []string         `json:"reasons,omitempty"`
}

type renderedArtifact struct {
	Role    bundle.ArtifactRole `json:"role"`
	Name    string              `json:"name"`
	Path    string              `json:"path,omitempty"`
	Mount   string              `json:"mount"`
	Problem string              `json:"problem,omitempty"`
}

type renderedTrigger struct {
	Type     string          `json:"type"`
	Detail   string          `json:"detail"`
	Auth     string          `json:"auth"`
	Exposure bundle.Exposure `json:"exposure"`
	Source   string          `json:"source"`
}

func loc(l bundle.Location) string { return fmt.Sprintf("%s:%d", filepath.ToSlash(l.File), l.Line) }

// render turns an Application into indented JSON for golden files.
func render(t *testing.T, app *bundle.Application) []byte {
	t.Helper()
	r := rendered{Name: app.Name, Kind: app.Kind, Manifest: filepath.ToSlash(app.Manifest), Warnings: app.Warnings}
	for _, f := range app.Functions {
		rf := renderedFunc{Name: f.Name, Runtime: f.Runtime, Handler: f.Handler, PackageType: f.PackageType,
			Source: loc(f.Source), Exposure: f.Exposure(),
			Role: renderedRole{f.Role.Name, f.Role.Privilege, f.Role.Reasons}}
		for _, a := range f.Artifacts {
			rf.Artifacts = append(rf.Artifacts, renderedArtifact{a.Role, a.Name, filepath.ToSlash(a.Path), a.Mount, a.Problem})
		}
		for _, tr := range f.Triggers {
			rf.Triggers = append(rf.Triggers, renderedTrigger{tr.Type, tr.Detail, tr.Auth, tr.Exposure, loc(tr.Source)})
		}
		r.Functions = append(r.Functions, rf)
	}
	out, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// golden compares got with testdata/<name>.golden.json, or rewrites it
// with -update.
func golden(t *testing.T, name string, got []byte) {
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
		t.Fatalf("%v (run go test ./bundle/cloudformation -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
