package cloudformation

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 0, "a"; i < 8; i++ {
		name := string(rune('b' + i))
		bomb += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = name
	}
	tests := []struct {
		name, text, want string
		tooLarge         bool
	}{
		{"unclosed flow mapping", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: x\n  G: 1\n",
			"template.yaml:4: parsing yaml: did not find expected ',' or '}'", false},
		{"undefined alias", "Resources:\n  F: &f {Type: x}\n  G:\n    <<: *nope\n", "template.yaml:4: parsing yaml: alias *nope refers to an undefined anchor", false},
		{"tab indentation", "Resources:\n\tF: {}\n", "template.yaml:2: parsing yaml: found character that cannot start any token", false},
		{"json syntax", "{\n  \"Resources\": {\n    \"F\": {\"Type\" \"x\"}\n  }\n}\n", "template.yaml:3: parsing yaml:", false},
		{"empty", "", "template.yaml: template is empty", false},
		{"list at the top", "- Resources\n", "template.yaml:1: template is a list, not a mapping", false},
		{"no resources", "AWSTemplateFormatVersion: '2010-09-09'\n", "template.yaml: template has no Resources section", false},
		{"resources is a string", "AWSTemplateFormatVersion: '2010-09-09'\nResources: none\n", "template.yaml:2: Resources is a string, not a mapping", false},
		{"parameters is a list", "Parameters: [a]\nResources: {}\n", "template.yaml:1: Parameters is a list, not a mapping", false},
		{"merge of a scalar", "x: &x 1\nResources:\n  <<: *x\n", "template.yaml:1: merge key value is a string, not a mapping", false},
		{"alias bomb", bomb + "Resources: {F: *i}\n", "template expands to more than", true},
		{"deep nesting", "Resources: " + strings.Repeat("[", 250) + strings.Repeat("]", 250) + "\n", "nested deeper than 200 levels", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(p, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New().Load(context.Background(), p)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			msg := strings.ReplaceAll(err.Error(), filepath.Dir(p)+string(filepath.Separator), "")
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want it to contain %q", msg, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != p {
				t.Errorf("error %v is not a *ParseError naming %s", err, p)
			}
			if errors.Is(err, ErrTooLarge) != tt.tooLarge {
				t.Errorf("errors.Is(err, ErrTooLarge) = %v, want %v", !tt.tooLarge, tt.tooLarge)
			}
		})
	}
}

func TestTemplateTooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "template.yaml")
	data := []byte("Resources: {}\n# " + strings.Repeat("x", maxTemplateBytes) + "\n")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := New().Load(context.Background(), p)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("Load = %v, want ErrTooLarge", err)
	}
}

func TestLoadMissingAndCancelled(t *testing.T) {
	if _, err := New().Load(context.Background(), filepath.Join(t.TempDir(), "template.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file = %v, want os.ErrNotExist", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, l := range []struct {
		name, path string
		load       func(context.Context, string) error
	}{
		{"sam", "testdata/sam/template.yaml", func(ctx context.Context, p string) error { _, err := New().Load(ctx, p); return err }},
		{"cdk", "testdata/cdk/cdk.out/manifest.json", func(ctx context.Context, p string) error { _, err := NewCDK().Load(ctx, p); return err }},
	} {
		if err := l.load(ctx, l.path); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Load with a cancelled context = %v, want context.Canceled", l.name, err)
		}
	}
}

func TestCDKErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"manifest syntax", map[string]string{"manifest.json": "{\n  \"artifacts\": {\n    \"S\": {\"type\": \"aws:cloudformation:stack\",,}\n  }\n}\n"},
			"manifest.json:3: parsing json: invalid character ','"},
		{"manifest types", map[string]string{"manifest.json": "{\n  \"artifacts\": {\n    \"S\": {\"type\": [\"aws:cloudformation:stack\"]}\n  }\n}\n"},
			"manifest.json:3: parsing json: cannot unmarshal array"},
		{"missing template", map[string]string{"manifest.json": `{"artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S.template.json"}}}}`},
			"reading template"},
		{"broken template", map[string]string{
			"manifest.json":   `{"artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S.template.json"}}}}`,
			"S.template.json": "{\n \"Resources\": {\n  \"F\": [\n }\n}\n"},
			"S.template.json:"},
		{"broken asset manifest", map[string]string{
			"manifest.json": `{"artifacts": {"S.assets": {"type": "cdk:asset-manifest", "properties": {"file": "S.assets.json"}}, "S": {"type": "aws:cloudformation:stack"}}}`,
			"S.assets.json": "{\"files\": 3}"},
			"S.assets.json:1: parsing json: cannot unmarshal number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cdk.out")
			for name, content := range tt.files {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := NewCDK().Load(context.Background(), filepath.Join(dir, "manifest.json"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestDuplicateKeys(t *testing.T) {
	app := loadText(t, "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties: {Code: a.zip, Code: b.zip, Role: arn:aws:iam::1:role/r}\n")
	fn := function(t, app, "F")
	if got := filepath.Base(fn.Artifacts[0].Path); got != "b.zip" {
		t.Errorf("code %s, want the last b.zip", got)
	}
	if len(app.Warnings) != 1 || !strings.Contains(app.Warnings[0], "template.yaml:4: key Code is given twice") {
		t.Errorf("warnings %q", app.Warnings)
	}
}
