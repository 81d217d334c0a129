package terraform

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle"
)

// view is an Application as golden files show it: every field, the ones
// bundle keeps out of its JSON (mounts, problems, sources) included.
type view struct {
	Name      string         `json:"name"`
	Kind      bundle.Kind    `json:"kind"`
	Manifest  string         `json:"manifest"`
	Functions []functionView `json:"functions"`
	Warnings  []string       `json:"warnings,omitempty"`
}

type functionView struct {
	Name        string          `json:"name"`
	Runtime     string          `json:"runtime,omitempty"`
	Handler     string          `json:"handler,omitempty"`
	PackageType string          `json:"package_type"`
	Source      string          `json:"source"`
	Exposure    bundle.Exposure `json:"exposure"`
	Artifacts   []artifactView  `json:"artifacts"`
	Triggers    []triggerView   `json:"triggers,omitempty"`
	Role        roleView        `json:"role"`
}

type artifactView struct {
	Role    bundle.ArtifactRole `json:"role"`
	Name    string              `json:"name"`
	Path    string              `json:"path"`
	Mount   string              `json:"mount"`
	Problem string              `json:"problem,omitempty"`
}

type triggerView struct {
	Type     string          `json:"type"`
	Detail   string          `json:"detail"`
	Auth     string          `json:"auth"`
	Exposure bundle.Exposure `json:"exposure"`
	Source   string          `json:"source"`
}

type roleView struct {
	Name      string           `json:"name,omitempty"`
	Privilege bundle.Privilege `json:"privilege"`
	Reasons   []string         `json:"reasons,omitempty"`
}

// render writes an application as indented JSON.
func render(t *testing.T, app *bundle.Application) []byte {
	t.Helper()
	v := view{Name: app.Name, Kind: app.Kind, Manifest: app.Manifest, Functions: []functionView{}, Warnings: app.Warnings}
	for _, f := range app.Functions {
		fv := functionView{
			Name: f.Name, Runtime: f.Runtime, Handler: f.Handler, PackageType: f.PackageType,
			Source: location(f.Source), Exposure: f.Exposure(), Artifacts: []artifactView{},
			Role: roleView{Name: f.Role.Name, Privilege: f.Role.Privilege, Reasons: f.Role.Reasons},
		}
		for _, a := range f.Artifacts {
			fv.Artifacts = append(fv.Artifacts, artifactView{a.Role, a.Name, a.Path, a.Mount, a.Problem})
		}
		for _, tr := range f.Triggers {
			fv.Triggers = append(fv.Triggers, triggerView{tr.Type, tr.Detail, tr.Auth, tr.Exposure, location(tr.Source)})
		}
		v.Functions = append(v.Functions, fv)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func location(l bundle.Location) string {
	return fmt.Sprintf("%s:%d", l.File, l.Line)
}

// res is a resource of a plan built by planJSON.
type res struct {
	addr    string         // module.m.type.name or type.name
	values  map[string]any // known values
	unknown map[string]any // after_unknown
	expr    map[string]any // configuration expressions
}

// refs is the configuration expression of references.
func refs(r ...string) map[string]any {
	list := make([]any, len(r))
	for i, s := range r {
		list[i] = s
	}
	return map[string]any{"references": list}
}

// planJSON builds a plan holding resources of the root module (and of
// modules called by name, with no configuration of their own).
func planJSON(rs ...res) []byte {
	var planned, changes, config []any
	for _, r := range rs {
		parts := strings.Split(r.addr, ".")
		typ, name := parts[len(parts)-2], parts[len(parts)-1]
		mode := "managed"
		if strings.HasPrefix(r.addr, "data.") {
			mode = "data"
		}
		values := r.values
		if values == nil {
			values = map[string]any{}
		}
		planned = append(planned, map[string]any{"address": r.addr, "mode": mode, "type": typ, "name": name, "values": values})
		changes = append(changes, map[string]any{"address": r.addr, "mode": mode, "type": typ, "name": name,
			"change": map[string]any{"actions": []any{"create"}, "after": values, "after_unknown": r.unknown}})
		if r.expr != nil {
			config = append(config, map[string]any{"address": r.addr, "mode": mode, "type": typ, "name": name, "expressions": r.expr})
		}
	}
	doc := map[string]any{
		"format_version":   "1.2",
		"planned_values":   map[string]any{"root_module": map[string]any{"resources": planned}},
		"resource_changes": changes,
		"configuration":    map[string]any{"root_module": map[string]any{"resources": config}},
	}
	b, _ := json.MarshalIndent(doc, "", " ")
	return b
}

// loadBytes writes a plan into a temporary folder and loads it.
func loadBytes(t *testing.T, data []byte) (*bundle.Application, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return New().Load(context.Background(), path)
}

// mustLoad loads a plan built from resources.
func mustLoad(t *testing.T, rs ...res) *bundle.Application {
	t.Helper()
	app, err := loadBytes(t, planJSON(rs...))
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// findFunction returns the function of an application with a name.
func findFunction(t *testing.T, app *bundle.Application, name string) *bundle.Function {
	t.Helper()
	for _, f := range app.Functions {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no function %s among %d", name, len(app.Functions))
	return nil
}
