package terraform

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// binaryPlan returns a zip laid out as terraform plan -out writes it.
func binaryPlan(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"tfplan", "tfstate", "tfconfig/main.tf"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDetect(t *testing.T) {
	plan := `{"format_version":"1.2","planned_values":{"root_module":{}}}`
	configOnly := `{"format_version":"1.2","configuration":{"root_module":{}}}`
	// planned_values after 100 KiB of variables: beyond what is parsed.
	big := `{"format_version":"1.2","variables":{"blob":{"value":"` + strings.Repeat("x", 100<<10) + `"}},"planned_values":{}}`
	tests := []struct {
		name  string
		files map[string]string
		path  string // relative to the folder; "" is the folder
		want  string // the manifest, relative; "" when not detected
	}{
		{"plan file", map[string]string{"out.json": plan}, "out.json", "out.json"},
		{"configuration only", map[string]string{"out.json": configOnly}, "out.json", "out.json"},
		{"folder with plan.json", map[string]string{"plan.json": plan, "tfplan.json": plan}, "", "plan.json"},
		{"folder with tfplan.json", map[string]string{"tfplan.json": plan}, "", "tfplan.json"},
		{"folder with *.tfplan.json, first sorted", map[string]string{"b.tfplan.json": plan, "a.tfplan.json": plan}, "", "a.tfplan.json"},
		{"plan.json that is no plan is skipped", map[string]string{"plan.json": `{"name":"x"}`, "tfplan.json": plan}, "", "tfplan.json"},
		{"keys beyond the first KBs", map[string]string{"plan.json": big}, "", "plan.json"},
		{"UTF-8 with a byte order mark", map[string]string{"plan.json": "\xEF\xBB\xBF" + plan}, "", "plan.json"},
		{"UTF-16 from Windows PowerShell", map[string]string{"plan.json": utf16LE(plan)}, "", "plan.json"},
		{"binary plan", map[string]string{"tfplan": string(binaryPlan(t))}, "tfplan", "tfplan"},
		{"state, not a plan", map[string]string{"plan.json": `{"format_version":"1.0","values":{"root_module":{}}}`}, "", ""},
		{"keys nested, not at the top", map[string]string{"plan.json": `{"x":{"format_version":"1","planned_values":{}}}`}, "", ""},
		{"no format_version", map[string]string{"plan.json": `{"planned_values":{}}`}, "", ""},
		{"array", map[string]string{"plan.json": `[{"format_version":"1.2","planned_values":{}}]`}, "", ""},
		{"not JSON", map[string]string{"plan.json": "format_version planned_values"}, "", ""},
		{"empty", map[string]string{"plan.json": ""}, "", ""},
		{"an ordinary zip", map[string]string{"fn.zip": "PK\x03\x04 not a plan at all, not at all"}, "fn.zip", ""},
		{"empty folder", nil, "", ""},
		{"missing path", nil, "nothing.json", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, ok := New().Detect(filepath.Join(dir, tc.path))
			want := ""
			if tc.want != "" {
				want = filepath.Join(dir, tc.want)
			}
			if (want != "") != ok || (ok && got != want) {
				t.Errorf("Detect = %q, %v; want %q", got, ok, want)
			}
		})
	}
}

// utf16LE encodes s as Windows PowerShell 5 writes redirected output.
func utf16LE(s string) string {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return string(out)
}

func TestLoadUTF16(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "aws-sources", "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	app, err := loadBytes(t, []byte(utf16LE(string(data))))
	if err != nil {
		t.Fatal(err)
	}
	if len(app.Functions) != 4 || app.Functions[1].Source.Line != 135 {
		t.Errorf("UTF-16 plan: %d functions, media-hook at line %d; want 4, 135", len(app.Functions), app.Functions[1].Source.Line)
	}
}

func TestLoadBinaryPlanSaysHowToConvert(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tfplan")
	if err := os.WriteFile(path, binaryPlan(t), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := New().Load(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "terraform show -json "+path) {
		t.Fatalf("Load(binary plan) error = %v, want the terraform show -json command", err)
	}
}
