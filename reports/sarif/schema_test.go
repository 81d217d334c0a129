package sarif

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/reportstest"
)

// schemaFile is the OASIS SARIF 2.1.0 schema (see testdata/README.md).
const schemaFile = "testdata/sarif-schema-2.1.0.json"

// Python's jsonschema validates too when this machine has it; CI installs
// python3-jsonschema.
const (
	python          = "/usr/bin/python3"
	pythonValidator = "/work/shared/schemas/validate.py"
)

// offlineLoader refuses every URL: the schema and its draft-04 metaschema
// are all there is, and nothing is fetched.
type offlineLoader struct{}

func (offlineLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s is not a local schema and nothing is fetched", url)
}

// compileSchema compiles the SARIF schema, registered under its own id,
// asserting formats (uri, uri-reference, date-time, ...).
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", schemaFile, err)
	}
	id, _ := doc.(map[string]any)["id"].(string)
	if id != SchemaURI {
		t.Fatalf("%s has id %q, want %q (the $schema the encoder writes)", schemaFile, id, SchemaURI)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(offlineLoader{})
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compiling %s: %v", schemaFile, err)
	}
	return sch
}

// validate checks a log against the compiled schema.
func validate(sch *jsonschema.Schema, log []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(log))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// schemaCases are the reports whose logs must be valid SARIF.
func schemaCases(t *testing.T) []struct {
	name   string
	report *reports.Report
} {
	return []struct {
		name   string
		report *reports.Report
	}{
		{"sample", reportstest.Sample()},
		{"empty", emptyReport()},
		{"expired exception", expiredSample(t)},
		{"lone zip", loneZip()},
	}
}

func TestSchemaValid(t *testing.T) {
	sch := compileSchema(t)
	for _, tt := range schemaCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			log := encode(t, tt.report)
			if err := validate(sch, log); err != nil {
				t.Errorf("not valid SARIF 2.1.0:\n%v", err)
			}
			t.Run("python jsonschema", func(t *testing.T) { validatePython(t, log) })
		})
	}
}

// TestSchemaRejects shows that the validator is not vacuous: the sample's
// log made invalid in one place fails.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	tests := []struct {
		name   string
		breaks func(log map[string]any)
	}{
		{"level outside the enum", func(log map[string]any) { firstResult(log)["level"] = "critical" }},
		{"line 0", func(log map[string]any) {
			loc := firstResult(log)["locations"].([]any)[0].(map[string]any)
			loc["physicalLocation"].(map[string]any)["region"].(map[string]any)["startLine"] = 0
		}},
		{"no version", func(log map[string]any) { delete(log, "version") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log map[string]any
			if err := json.Unmarshal(encode(t, reportstest.Sample()), &log); err != nil {
				t.Fatal(err)
			}
			tt.breaks(log)
			b, err := json.Marshal(log)
			if err != nil {
				t.Fatal(err)
			}
			if validate(sch, b) == nil {
				t.Error("the broken log passed the schema")
			}
		})
	}
}

func firstResult(log map[string]any) map[string]any {
	run := log["runs"].([]any)[0].(map[string]any)
	return run["results"].([]any)[0].(map[string]any)
}

// validatePython runs shared/schemas/validate.py on the log against the
// vendored schema, or skips saying what is missing.
func validatePython(t *testing.T, log []byte) {
	if _, err := os.Stat(pythonValidator); err != nil {
		t.Skipf("%s is not here; the Go validator ran", pythonValidator)
	}
	if err := exec.Command(python, "-c", "import jsonschema").Run(); err != nil {
		t.Skipf("%s has no jsonschema module (apt-get install python3-jsonschema python3-rfc3987); the Go validator ran", python)
	}
	doc := filepath.Join(t.TempDir(), "log.sarif")
	if err := os.WriteFile(doc, log, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, pythonValidator, schemaFile, doc).CombinedOutput()
	if err != nil {
		t.Errorf("validate.py: %v\n%s", err, out)
	}
}
