package terraform

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle"
)

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
