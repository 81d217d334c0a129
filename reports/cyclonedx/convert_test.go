package cyclonedx

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/reports/reportstest"
)

// TestFalseBooleansKept checks that a public route says
// "authenticated": false and an internal trigger "x-trust-boundary": false,
// in JSON and XML (cyclonedx-go's EncodeVersion would drop both).
func TestFalseBooleansKept(t *testing.T) {
	r := reportstest.Sample()
	b := FunctionBOM(r, &r.Functions[0]) // listOrders: public GET /orders, internal schedule
	tests := []struct {
		format cdx.BOMFileFormat
		want   []string
	}{
		{cdx.BOMFileFormatJSON, []string{`"authenticated": false`, `"x-trust-boundary": false`}},
		{cdx.BOMFileFormatXML, []string{`<authenticated>false</authenticated>`, `<x-trust-boundary>false</x-trust-boundary>`}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := EncodeBOM(&buf, b, tt.format); err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("format %d: the document lacks %s", tt.format, w)
			}
		}
	}
}

// dropFalse removes the fields gob loses from a decoded JSON document.
func dropFalse(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if x == false && (k == "authenticated" || k == "x-trust-boundary") {
				delete(v, k)
				n++
				continue
			}
			n += dropFalse(x)
		}
	case []any:
		for _, x := range v {
			n += dropFalse(x)
		}
	}
	return n
}

// TestNoConversionNeeded checks that the documents are 1.6 as built:
// converting them with cyclonedx-go's EncodeVersion changes nothing but the
// false booleans its gob copy drops.
func TestNoConversionNeeded(t *testing.T) {
	all := fixtures()
	dropped := 0
	for _, name := range sortedKeys(all) {
		for _, d := range documents(all[name]()) {
			var converted bytes.Buffer
			if err := cdx.NewBOMEncoder(&converted, cdx.BOMFileFormatJSON).EncodeVersion(d.bom, cdx.SpecVersion1_6); err != nil {
				t.Fatal(err)
			}
			var ours, theirs any
			if err := json.Unmarshal(encodeBOM(t, d.bom), &ours); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(converted.Bytes(), &theirs); err != nil {
				t.Fatal(err)
			}
			dropped += dropFalse(ours)
			if diff := cmp.Diff(theirs, ours); diff != "" {
				t.Errorf("%s/%s: converting to 1.6 changes more than false booleans (-converted +ours):\n%s", name, d.file, diff)
			}
		}
	}
	if dropped == 0 {
		t.Error("no false booleans in any fixture: the test proves nothing")
	}
}
