package cyclonedx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaID is the $id of the CycloneDX 1.6 JSON schema.
const schemaID = "http://cyclonedx.org/schema/bom-1.6.schema.json"

// schemaFiles are the local copies of the schema and the schemas it refers
// to (testdata/schema/README.md says where they come from).
var schemaFiles = []string{"bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"}

// compileSchema compiles the CycloneDX 1.6 schema from the local files,
// each registered under its $id; any other URL fails instead of being
// fetched.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{}) // no scheme is loadable: never the network
	c.AssertFormat()
	for _, name := range schemaFiles {
		f, err := os.Open(filepath.Join("testdata", "schema", name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if err := c.AddResource(id, doc); err != nil {
			t.Fatalf("registering %s as %q: %v", name, id, err)
		}
	}
	sch, err := c.Compile(schemaID)
	if err != nil {
		t.Fatalf("compiling the CycloneDX schema: %v", err)
	}
	return sch
}

// validate checks data against the schema and the fields the schema does
// not pin.
func validate(sch *jsonschema.Schema, data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if err := sch.Validate(inst); err != nil {
		return err
	}
	var head bomHead
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	if want := (bomHead{"CycloneDX", "1.6", schemaID}); head != want {
		return fmt.Errorf("document head is %+v, want %+v", head, want)
	}
	return nil
}

// bomHead is what the schema leaves open but a CycloneDX 1.6 document must
// say.
type bomHead struct {
	BOMFormat   string `json:"bomFormat"`
	SpecVersion string `json:"specVersion"`
	Schema      string `json:"$schema"`
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestSchemaValid(t *testing.T) {
	sch := compileSchema(t)
	all := fixtures()
	for _, name := range sortedKeys(all) {
		for _, d := range documents(all[name]()) {
			t.Run(name+"/"+d.file, func(t *testing.T) {
				if err := validate(sch, encodeBOM(t, d.bom)); err != nil {
					t.Errorf("%s is not valid CycloneDX 1.6: %v", d.file, err)
				}
			})
		}
	}
}

// TestSchemaRejects proves the validator is not vacuous: documents broken
// in ways the schema forbids, or in the spec version it does not pin, fail.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	good := string(encodeBOM(t, documents(edgeReport())[0].bom))
	tests := []struct{ name, old, new string }{
		{"severity outside the enum", `"severity": "critical"`, `"severity": "urgent"`},
		{"analysis state outside the enum", `"state": "false_positive"`, `"state": "fine"`},
		{"bad serial number", `"serialNumber": "urn:uuid:`, `"serialNumber": "urn:uuid:X`},
		{"bad hash", strings.ToLower(edgeDigest), "abc"},
		{"spec version 1.5", `"specVersion": "1.6"`, `"specVersion": "1.5"`},
		{"published not a date-time", `"published": "2023-01-02T02:04:05Z"`, `"published": "2 Jan 2023"`},
		{"trust boundary not a boolean", `"x-trust-boundary": true`, `"x-trust-boundary": "yes"`},
		{"empty dependency ref", `"ref": "function:`, `"ref": "", "x": "function:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(good, tt.old) {
				t.Fatalf("the document has no %s", tt.old)
			}
			bad := strings.Replace(good, tt.old, tt.new, 1)
			if err := validate(sch, []byte(bad)); err == nil {
				t.Errorf("a document with %s passed validation", tt.name)
			}
		})
	}
}

// validatePy finds the project's Python validator and an interpreter that
// has the jsonschema module, or says why not.
func validatePy() (python, script, why string) {
	python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		return "", "", "no /usr/bin/python3"
	}
	if err := exec.Command(python, "-c", "import jsonschema").Run(); err != nil {
		return "", "", "/usr/bin/python3 has no jsonschema module (apt-get install python3-jsonschema python3-rfc3987)"
	}
	for _, s := range []string{"/work/shared/schemas/validate.py", filepath.Join("..", "..", "..", "shared", "schemas", "validate.py")} {
		if _, err := os.Stat(s); err == nil {
			return python, s, ""
		}
	}
	return "", "", "no shared/schemas/validate.py beside the repository"
}

// TestSchemaValidPython validates the same documents with the Python
// jsonschema validator (which also checks the uri and iri formats), as CI
// does.
func TestSchemaValidPython(t *testing.T) {
	python, script, why := validatePy()
	if why != "" {
		t.Skip("not validating with Python: " + why)
	}
	schema, err := filepath.Abs(filepath.Join("testdata", "schema", "bom-1.6.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	all := fixtures()
	for _, name := range sortedKeys(all) {
		for _, d := range documents(all[name]()) {
			t.Run(name+"/"+d.file, func(t *testing.T) {
				file := filepath.Join(dir, name+"-"+d.file)
				if err := os.WriteFile(file, encodeBOM(t, d.bom), 0o644); err != nil {
					t.Fatal(err)
				}
				out, err := exec.CommandContext(t.Context(), python, script, schema, file).CombinedOutput()
				if err != nil {
					t.Errorf("validate.py: %v\n%s", err, out)
				}
			})
		}
	}
}
