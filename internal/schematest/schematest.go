// Package schematest compiles the published JSON schemas fnaudit's outputs
// must satisfy (CycloneDX 1.6, SARIF 2.1.0) from the copies kept in the
// repository, offline: every schema is registered under its own id and any
// other URL fails instead of being fetched.
package schematest

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// root is the module's root directory.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// CycloneDX compiles the CycloneDX 1.6 JSON schema.
func CycloneDX(tb testing.TB) *jsonschema.Schema {
	dir := filepath.Join(root(), "reports", "cyclonedx", "testdata", "schema")
	return compile(tb, "http://cyclonedx.org/schema/bom-1.6.schema.json",
		filepath.Join(dir, "bom-1.6.schema.json"), filepath.Join(dir, "spdx.schema.json"), filepath.Join(dir, "jsf-0.82.schema.json"))
}

// SARIF compiles the SARIF 2.1.0 JSON schema.
func SARIF(tb testing.TB) *jsonschema.Schema {
	return compile(tb, "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
		filepath.Join(root(), "reports", "sarif", "testdata", "sarif-schema-2.1.0.json"))
}

func compile(tb testing.TB, id string, files ...string) *jsonschema.Schema {
	tb.Helper()
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{})
	c.AssertFormat()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		m, _ := doc.(map[string]any)
		docID, _ := m["$id"].(string)
		if docID == "" {
			docID, _ = m["id"].(string)
		}
		if err := c.AddResource(docID, doc); err != nil {
			tb.Fatalf("registering %s: %v", f, err)
		}
	}
	sch, err := c.Compile(id)
	if err != nil {
		tb.Fatalf("compiling %s: %v", id, err)
	}
	return sch
}

// Validate checks a JSON document against a compiled schema.
func Validate(sch *jsonschema.Schema, data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}
