package serverless

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// billionLaughs is the classic alias bomb: nine levels of nine aliases.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("service: bomb\ncustom:\n  l0: &l0 [lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "  l%d: &l%d [", i, i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("provider:\n  iamRoleStatements: *l9\nfunctions:\n  f:\n    handler: h.h\n    events: *l9\n    layers: *l9\n")
	return b.String()
}

// doublingVariables makes each variable twice as long as the previous one.
func doublingVariables() string {
	var b strings.Builder
	b.WriteString("service: ${self:custom.v40}\ncustom:\n  v0: abcdefgh\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "  v%d: ${self:custom.v%d}${self:custom.v%d}\n", i, i-1, i-1)
	}
	b.WriteString("functions:\n  f:\n    handler: ${self:custom.v40}\n")
	return b.String()
}

// mergeBomb nests merge keys nine deep, nine sources each.
func mergeBomb() string {
	var b strings.Builder
	b.WriteString("service: merge\ncustom:\n  m0: &m0 {handler: h.h}\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "  m%d: &m%d {<<: [", i, i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*m%d", i-1)
		}
		b.WriteString("]}\n")
	}
	b.WriteString("provider: *m9\nfunctions:\n  f: *m9\n  g:\n    <<: *m9\n")
	return b.String()
}

// hugeManifest has many functions, a huge provider section and many
// resources: lookups must not be quadratic.
func hugeManifest(n int) string {
	var b strings.Builder
	b.WriteString("service: huge\nprovider:\n  name: aws\n  runtime: nodejs20.x\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  k%d: v\n", i)
	}
	b.WriteString("layers:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  l%d: {path: l}\n", i)
	}
	b.WriteString("functions:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  f%d: {handler: h.h, role: R%d, layers: [{Ref: L%dLambdaLayer}, 'arn:aws:lambda:r:1:layer:l%d:1'], events: [{sqs: q}, {bogus: x}]}\n", i, i%50, i, i)
	}
	b.WriteString("resources:\n  Resources:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    R%d: {Type: AWS::IAM::Role, Properties: {Policies: [{PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: x}]}}]}}\n", i)
	}
	return b.String()
}

// TestHostileConfig feeds broken and hostile serverless.yml files: each
// must give either the expected error (naming the file and line) or an
// application, quickly and without panicking.
func TestHostileConfig(t *testing.T) {
	tests := []struct {
		name, src string
		wantErr   string // "" when the manifest must load
	}{
		{"tab indentation", "service: s\nfunctions:\n  f:\n    handler: h\n\tevents: []\n", "app/serverless.yml:5: invalid yaml: found a tab character that violates indentation"},
		{"unterminated flow sequence", "service: s\nfunctions:\n  f:\n    handler: h\n    events:\n      - http:\n          method: [get\n", "app/serverless.yml:7: invalid yaml: did not find expected ',' or ']'"},
		{"undefined alias", "service: s\nprovider:\n  name: aws\nfunctions: *nope\n", "app/serverless.yml:4: invalid yaml: unknown anchor 'nope' referenced"},
		{"empty", "", "app/serverless.yml:1: the manifest is empty"},
		{"comment only", "# nothing\n", "app/serverless.yml:1: the manifest is empty"},
		{"top-level list", "- service: s\n", "app/serverless.yml:1: the top level is a list, not a mapping"},
		{"top-level string", "just text\n", "app/serverless.yml:1: the top level is a string, not a mapping"},
		{"functions string", "service: s\nfunctions: hello\n", "app/serverless.yml:2: functions is a string, not a mapping of function names to definitions"},
		{"functions from file", "service: s\nfunctions: ${file(./functions.yml)}\n", "app/serverless.yml:2: functions come from ${file(./functions.yml)}, which fnaudit does not read"},
		{"alias bomb", billionLaughs(), ""},
		{"doubling variables", doublingVariables(), ""},
		{"self-referencing anchor", "service: s\nfunctions:\n  f: &f\n    handler: h\n    events: [*f, {http: *f}]\n    layers: [*f]\n    role: *f\n", ""},
		{"merge key loop", "service: s\ncustom: &c\n  <<: *c\nfunctions:\n  f:\n    <<: *c\n    handler: h\n", ""},
		{"merge bomb", mergeBomb(), ""},
		{"huge", hugeManifest(10000), ""},
		{"deep nesting", "service: s\nfunctions:\n  f:\n    handler: h\n    events: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n", ""},
		{"wrong types everywhere", `service: [1, 2]
provider: text
layers: [1]
package: 7
resources: 5
functions:
  a: 12
  b:
    handler: [1]
    runtime: {x: 1}
    events: {http: GET /}
    layers: hello
    role: [x]
    package: nope
    url: [1]
    iamRoleStatements: hello
  c:
    image: [1]
    events:
      - http: 5
      - httpApi: {authorizer: [x]}
      - websocket: {route: [x], authorizer: 5}
      - alb: 7
      - sqs: {arn: {a: b}}
      - schedule: {rate: {x: 1}}
      - {}
      - http: {path: x, method: get}
        sqs: extra
  d:
    handler: h
    role: !GetAtt [A, Arn]
    layers:
      - {Ref: [x]}
      - !Sub arn:${AWS::Partition}:lambda:x
`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			app, err := loadYAML(t, tt.src)
			if d := time.Since(start); d > time.Minute {
				t.Errorf("took %v", d) // a hang detector: the machine may be busy
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(filepath.ToSlash(err.Error()), tt.wantErr)):
				t.Fatalf("Load error = %v, want %s...", err, tt.wantErr)
			case err == nil:
				for _, f := range app.Functions {
					if f.Source.File == "" || f.Name == "" {
						t.Errorf("function %+v has no name or source", f)
					}
				}
			}
		})
	}
}

// TestHostileState feeds broken serverless-state.json files.
func TestHostileState(t *testing.T) {
	tests := []struct {
		name, src string
		wantErr   string
	}{
		{"not json", "{\n  \"service\": [1,\n", "app/.serverless/serverless-state.json:3: invalid json"},
		{"array", "[1, 2]\n", "app/.serverless/serverless-state.json:1: the top level is a list, not a mapping"},
		{"no service", "{\"package\": {}}\n", "app/.serverless/serverless-state.json:1: no \"service\" object"},
		{"service string", "{\"service\": \"x\"}\n", "app/.serverless/serverless-state.json:1: no \"service\" object"},
		{"tabs and escaped slashes", "{\n\t\"service\": {\n\t\t\"service\": \"a\\/b\",\n\t\t\"functions\": {\"f\": {\"handler\": \"h\", \"package\": {\"artifact\": \"C:\\\\ci\\\\x\\\\.serverless\\\\f.zip\"}}}\n\t}\n}\n", ""},
		{"ref to root", `{"service": {"service": "s", "functions": {"f": {"handler": "h", "events": {"$ref": "$"}, "layers": {"$ref": "$[\"service\"][\"functions\"][\"f\"][\"layers\"]"}}}}}`, ""},
		{"ref loop", `{"service": {"service": "s", "provider": {"$ref": "$[\"service\"][\"custom\"]"}, "custom": {"$ref": "$[\"service\"][\"provider\"]"}, "functions": {"f": {"handler": "h"}}}}`, ""},
		{"bad refs", `{"service": {"service": "s", "functions": {"f": {"handler": "h", "events": [{"$ref": "$[\"nope"}, {"$ref": "$[99]"}, {"$ref": "x"}]}}}}`, ""},
		{"artifact traversal", `{"service": {"service": "s", "functions": {"f": {"handler": "h", "package": {"artifact": "/ci/.serverless/../../../etc/shadow"}}}}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, err := load(t.Context(), filepath.Join("app", ".serverless", "serverless-state.json"), []byte(tt.src))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(filepath.ToSlash(err.Error()), tt.wantErr)):
				t.Fatalf("Load error = %v, want %s...", err, tt.wantErr)
			case err == nil:
				for _, f := range app.Functions {
					for _, a := range f.Artifacts {
						if a.Path != "" && !strings.HasPrefix(a.Path, "app") {
							t.Errorf("artifact path %s leaves the application folder", a.Path)
						}
					}
				}
			}
		})
	}
}

// TestTooLarge checks the 16 MiB limit on manifests.
func TestTooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "serverless.yml")
	data := append([]byte("service: big\ncustom:\n  pad: "), bytes.Repeat([]byte("x"), maxManifestSize)...)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := New().Load(t.Context(), p)
	if !errors.Is(err, errTooLarge) || !strings.HasPrefix(err.Error(), p+": ") {
		t.Errorf("Load = %v, want %v naming %s", err, errTooLarge, p)
	}
}
