package terraform

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// modulePlan is a plan whose only function is in module.api (called with
// source), with filename value and configuration expression expr.
func modulePlan(source, filename string, expr map[string]any) []byte {
	fn := map[string]any{"address": "module.api.aws_lambda_function.this", "mode": "managed", "type": "aws_lambda_function",
		"name": "this", "values": map[string]any{"function_name": "api", "filename": filename}}
	doc := map[string]any{
		"format_version": "1.2",
		"planned_values": map[string]any{"root_module": map[string]any{
			"child_modules": []any{map[string]any{"address": "module.api", "resources": []any{fn}}}}},
		"configuration": map[string]any{"root_module": map[string]any{"module_calls": map[string]any{
			"api": map[string]any{"source": source, "module": map[string]any{"resources": []any{map[string]any{
				"address": "aws_lambda_function.this", "mode": "managed", "type": "aws_lambda_function", "name": "this",
				"expressions": map[string]any{"filename": expr}}}}}}}},
	}
	b, _ := json.Marshal(doc)
	return b
}

func TestArtifactPaths(t *testing.T) {
	constant := func(v string) map[string]any { return map[string]any{"constant_value": v} }
	tests := []struct {
		name     string
		source   string
		filename string
		expr     map[string]any
		files    []string          // files to create, relative to the plan's folder
		dirs     map[string]string // .terraform/modules/modules.json: key → Dir
		want     string            // relative to the plan's folder
	}{
		{"literal in a local module is relative to the module", "./modules/api", "build/api.zip", constant("build/api.zip"), nil, nil,
			"modules/api/build/api.zip"},
		{"path.module is relative to the root", "./modules/api", "modules/api/build/api.zip", refs("path.module"), nil, nil,
			"modules/api/build/api.zip"},
		{"path.module without configuration", "./modules/api", "modules/api/build/api.zip", nil, nil, nil,
			"modules/api/build/api.zip"},
		{"a variable is relative to the root", "./modules/api", "dist/api.zip", refs("var.filename"), nil, nil,
			"dist/api.zip"},
		{"a literal found only at the root", "./modules/api", "dist/api.zip", constant("dist/api.zip"), []string{"dist/api.zip"}, nil,
			"dist/api.zip"},
		{"a literal found in the module", "./modules/api", "dist/api.zip", constant("dist/api.zip"),
			[]string{"dist/api.zip", "modules/api/dist/api.zip"}, nil, "modules/api/dist/api.zip"},
		{"a registry module in terraform init's folder", "acme/lambda/aws", "fn.zip", constant("fn.zip"), nil, nil,
			".terraform/modules/api/fn.zip"},
		{"modules.json gives the folder", "acme/lambda/aws", "fn.zip", constant("fn.zip"), nil, map[string]string{"api": "vendor/lambda"},
			"vendor/lambda/fn.zip"},
		{"parent folder of a sibling module", "../shared/api", "fn.zip", constant("fn.zip"), nil, nil,
			"../shared/api/fn.zip"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "infra")
			for _, f := range append(tc.files, "plan.json") {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), modulePlan(tc.source, tc.filename, tc.expr), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tc.dirs != nil {
				var mods []map[string]string
				for k, d := range tc.dirs {
					mods = append(mods, map[string]string{"Key": k, "Dir": d})
				}
				b, _ := json.Marshal(map[string]any{"Modules": mods})
				os.MkdirAll(filepath.Join(dir, ".terraform", "modules"), 0o755)
				if err := os.WriteFile(filepath.Join(dir, ".terraform", "modules", "modules.json"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			app, err := New().Load(context.Background(), filepath.Join(dir, "plan.json"))
			if err != nil {
				t.Fatal(err)
			}
			got := findFunction(t, app, "api").Artifacts[0].Path
			if want := filepath.Join(dir, tc.want); got != want {
				t.Errorf("path %s, want %s", got, want)
			}
		})
	}
}

func TestRelativeManifestKeepsRelativePaths(t *testing.T) {
	app, err := New().Load(context.Background(), filepath.Join("testdata", "aws-sources", "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := findFunction(t, app, "hook").Artifacts[0].Path; got != filepath.Join("testdata", "aws-sources", "dist", "hook.zip") {
		t.Errorf("path %s, want it relative to the working folder", got)
	}
}
