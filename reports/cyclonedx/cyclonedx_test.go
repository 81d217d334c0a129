package cyclonedx

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/internal/golden"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/reportstest"
)

// TestGoldenSample compares every document of the sample report with its
// golden file (testdata/sample.<file>.golden.json); -update rewrites them.
func TestGoldenSample(t *testing.T) {
	for _, d := range documents(reportstest.Sample()) {
		path := filepath.Join("testdata", "sample."+strings.TrimSuffix(d.file, fileSuffix)+".golden.json")
		t.Run(d.file, func(t *testing.T) {
			golden.Check(t, path, encodeBOM(t, d.bom))
		})
	}
}

// TestEncodeIsApplicationDocument checks that Encode writes what WriteDir
// writes as application.cdx.json.
func TestEncodeIsApplicationDocument(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, reportstest.Sample()); err != nil {
		t.Fatal(err)
	}
	want := encodeBOM(t, ApplicationBOM(reportstest.Sample()))
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("Encode differs from the application document (-want +got):\n%s", diff)
	}
}

// shuffled returns the report with every list whose order carries no
// meaning reversed.
func shuffled(r *reports.Report) *reports.Report {
	slices.Reverse(r.Functions)
	slices.Reverse(r.Database.Ecosystems)
	for i := range r.Functions {
		slices.Reverse(r.Functions[i].Packages)
		slices.Reverse(r.Functions[i].Findings)
		for j := range r.Functions[i].Findings {
			slices.Reverse(r.Functions[i].Findings[j].Aliases)
		}
	}
	return r
}

// byComponent indexes documents by the name of their subject.
func byComponent(t *testing.T, r *reports.Report) map[string][]byte {
	out := map[string][]byte{}
	for _, d := range documents(r) {
		out[d.bom.Metadata.Component.Name] = encodeBOM(t, d.bom)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	tests := []struct {
		name string
		a, b func() *reports.Report
	}{
		{"same report twice", reportstest.Sample, reportstest.Sample},
		{"input lists in another order", reportstest.Sample, func() *reports.Report { return shuffled(reportstest.Sample()) }},
		{"edge report twice", edgeReport, edgeReport},
		{"edge report in another order", edgeReport, func() *reports.Report { return shuffled(edgeReport()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := byComponent(t, tt.a()), byComponent(t, tt.b())
			if diff := cmp.Diff(sortedKeys(a), sortedKeys(b)); diff != "" {
				t.Fatalf("documents differ (-a +b):\n%s", diff)
			}
			for name := range a {
				if !bytes.Equal(a[name], b[name]) {
					t.Errorf("document of %s differs:\n%s", name, cmp.Diff(string(a[name]), string(b[name])))
				}
			}
		})
	}
}

// uuidV8 is a serial number holding an RFC 9562 version 8 UUID.
var uuidV8 = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSerialNumber(t *testing.T) {
	changed := func() *reports.Report {
		r := reportstest.Sample()
		r.Functions[0].Packages[0].Version = "4.17.21"
		return r
	}
	serial := func(r *reports.Report) string { return ApplicationBOM(r).SerialNumber }
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"same report", serial(reportstest.Sample()), serial(reportstest.Sample()), true},
		{"one version changed", serial(reportstest.Sample()), serial(changed()), false},
		{"another report", serial(reportstest.Sample()), serial(edgeReport()), false},
		{"function and application", FunctionBOM(reportstest.Sample(), &reportstest.Sample().Functions[0]).SerialNumber, serial(reportstest.Sample()), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range []string{tt.a, tt.b} {
				if !uuidV8.MatchString(s) {
					t.Errorf("serial number %q is not a urn:uuid version 8", s)
				}
			}
			if (tt.a == tt.b) != tt.same {
				t.Errorf("serial numbers %s and %s: same = %v, want %v", tt.a, tt.b, tt.a == tt.b, tt.same)
			}
		})
	}
}

// TestSerialNumberFromContent checks that the serial is the hash of the
// document without it, and that every function document has its own.
func TestSerialNumberFromContent(t *testing.T) {
	seen := map[string]string{}
	for _, d := range documents(reportstest.Sample()) {
		again, err := serialNumber(d.bom)
		if err != nil {
			t.Fatal(err)
		}
		if again != d.bom.SerialNumber {
			t.Errorf("%s: serial %s, but its content hashes to %s", d.file, d.bom.SerialNumber, again)
		}
		if other, ok := seen[d.bom.SerialNumber]; ok {
			t.Errorf("%s and %s share serial %s", other, d.file, d.bom.SerialNumber)
		}
		seen[d.bom.SerialNumber] = d.file
	}
}

// TestNoTimestamp checks that nothing of the wall clock gets in.
func TestNoTimestamp(t *testing.T) {
	for _, d := range documents(reportstest.Sample()) {
		if d.bom.Metadata.Timestamp != "" {
			t.Errorf("%s has metadata.timestamp %s", d.file, d.bom.Metadata.Timestamp)
		}
	}
}

// TestTools checks metadata.tools: fnaudit with the report's version, in
// the components form.
func TestTools(t *testing.T) {
	got := ApplicationBOM(reportstest.Sample()).Metadata.Tools
	want := &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "fnaudit", Version: "0.1.0-test"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metadata.tools (-want +got):\n%s", diff)
	}
}
