package terraform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

func TestLoadErrors(t *testing.T) {
	deep := `{"format_version":"1.2","planned_values":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`
	tests := []struct {
		name string
		plan string
		want string // a substring of the error
	}{
		{"invalid JSON", "{\n\"format_version\": \"1.2\",\n\"planned_values\": {,}\n}", "line 3: invalid JSON"},
		{"truncated", `{"format_version": "1.2", "planned_values": {`, "line 1: invalid JSON: unexpected end of JSON input"},
		{"not an object", `["format_version"]`, "line 1: the plan is a list, not a JSON object"},
		{"trailing data", `{"format_version":"1.2","planned_values":{}} {}`, "line 1: invalid JSON: invalid character '{' after top-level value"},
		{"no format_version", `{"planned_values":{}}`, "format_version is missing"},
		{"format_version a number", `{"format_version":1.2,"planned_values":{}}`, "format_version is missing or not a string"},
		{"newer major format", `{"format_version":"2.0","planned_values":{}}`, `format_version "2.0" is not one fnaudit reads`},
		{"a state", `{"format_version":"1.0","values":{}}`, "not a plan"},
		{"planned_values a string", `{"format_version":"1.2","planned_values":"x"}`, "planned_values is a string, not an object"},
		{"resources an object", `{"format_version":"1.2","planned_values":{"root_module":{"resources":{}}}}`,
			"planned_values.root_module.resources is an object, not a list"},
		{"resource a string", `{"format_version":"1.2","planned_values":{"root_module":{"resources":["x"]}}}`,
			"planned_values.root_module.resources[0] is a string, not an object"},
		{"resource without address", `{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"type":"aws_lambda_function"}]}}}`,
			"planned_values.root_module.resources[0] has no address, type or name"},
		{"child module a number", `{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[1]}}}`,
			"planned_values.root_module.child_modules[0] is a number, not an object"},
		{"resource_changes an object", `{"format_version":"1.2","planned_values":{},"resource_changes":{}}`, "resource_changes is an object, not a list"},
		{"prior_state a list", `{"format_version":"1.2","planned_values":{},"prior_state":[]}`, "prior_state is a list, not an object"},
		{"nesting too deep", deep, "nested deeper than 512 levels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "plan.json")
			if err := os.WriteFile(path, []byte(tc.plan), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New().Load(context.Background(), path)
			checkError(t, err, path, tc.want)
		})
	}
}

func TestLoadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxPlanSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = New().Load(context.Background(), path)
	checkError(t, err, path, "larger than the 64 MiB")
}

func TestLoadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	_, err := New().Load(context.Background(), path)
	checkError(t, err, path, "no such file")
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New().Load(ctx, filepath.Join("testdata", "gcp", "plan.json")); err != context.Canceled {
		t.Fatalf("Load with a cancelled context: %v, want context.Canceled", err)
	}
}

// checkError checks that err names the file, says want, and starts
// lower-case.
func checkError(t *testing.T, err error, path, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	msg := err.Error()
	if !strings.Contains(msg, path) || !strings.Contains(msg, want) {
		t.Errorf("error %q does not name %s and say %q", msg, path, want)
	}
	if r := []rune(msg)[0]; unicode.IsUpper(r) {
		t.Errorf("error %q starts upper-case", msg)
	}
}
