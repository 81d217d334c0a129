package sarif

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/internal/golden"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/reportstest"
)

// encode writes r as SARIF and fails the test on error.
func encode(t *testing.T, r *reports.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, r); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

// decode reads a log back with go-sarif.
func decode(t *testing.T, b []byte) *gosarif.Report {
	t.Helper()
	log, err := gosarif.FromBytes(b)
	if err != nil {
		t.Fatalf("reading the log back: %v", err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("the log has %d runs, want 1", len(log.Runs))
	}
	return log
}

// emptyReport is an application with no function.
func emptyReport() *reports.Report {
	r := &reports.Report{
		Schema:      reports.SchemaV1,
		Tool:        reports.Tool{Name: "fnaudit", Version: "0.1.0-test"},
		Application: reports.Application{Name: "empty", Kind: bundle.KindServerless, Manifest: "empty/serverless.yml"},
	}
	reports.Assess(r, reports.Policy{FailOn: reports.LevelHigh})
	return r
}

// findingOf returns a pointer to the sample's finding of that function and
// advisory.
func findingOf(t *testing.T, r *reports.Report, fn, id string) *reports.Finding {
	t.Helper()
	for i := range r.Functions {
		if r.Functions[i].Name != fn {
			continue
		}
		for j := range r.Functions[i].Findings {
			if r.Functions[i].Findings[j].ID == id {
				return &r.Functions[i].Findings[j]
			}
		}
	}
	t.Fatalf("the report has no finding %s in function %s", id, fn)
	return nil
}

// expiredSample is the sample with moment's exception past its date: it
// matched the finding but no longer suppresses it.
func expiredSample(t *testing.T) *reports.Report {
	t.Helper()
	r := reportstest.Sample()
	f := findingOf(t, r, "listOrders", "GHSA-wc69-rhjr-hc9g")
	x := *f.Exception
	x.Expires, x.Status = "2024-01-31", reports.ExceptionExpired
	f.Suppressed, f.Exception = false, &x
	return r
}

// loneZip is a report of one function given as a lone zip: no manifest
// line, exposure and privilege unknown.
func loneZip() *reports.Report {
	r := reportstest.Sample()
	fn := r.Functions[0]
	fn.Name, fn.Source, fn.Triggers = "orders", bundle.Location{}, nil
	fn.Exposure, fn.Privilege, fn.PrivilegeReasons = bundle.ExposureUnknown, bundle.PrivilegeUnknown, nil
	r.Application = reports.Application{Name: "orders", Kind: bundle.KindBundle, Manifest: "orders.zip"}
	r.Functions = []reports.Function{fn}
	reports.Assess(r, reports.Policy{FailOn: reports.LevelHigh})
	return r
}

// resultOf finds the result of a function, advisory and package.
func resultOf(t *testing.T, log *gosarif.Report, fn, rule, pkg string) *gosarif.Result {
	t.Helper()
	for _, res := range log.Runs[0].Results {
		if *res.RuleID == rule && functionName(res) == fn && res.Properties.Properties["package"] == pkg {
			return res
		}
	}
	t.Fatalf("no result for %s %s in function %s", rule, pkg, fn)
	return nil
}

// functionName is the function a result's location names.
func functionName(res *gosarif.Result) string {
	if len(res.Locations) == 0 || len(res.Locations[0].LogicalLocations) == 0 {
		return ""
	}
	return *res.Locations[0].LogicalLocations[0].Name
}

func TestGoldenSARIF(t *testing.T) {
	tests := []struct {
		name   string
		report func() *reports.Report
		golden string
	}{
		{"sample", reportstest.Sample, "sample.sarif.golden"},
		{"empty", emptyReport, "empty.sarif.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := encode(t, tt.report())
			path := filepath.Join("testdata", tt.golden)
			golden.Check(t, path, got)
		})
	}
}

// shuffled is the sample with every list that has an order reversed.
func shuffled() *reports.Report {
	r := reportstest.Sample()
	slices.Reverse(r.Functions)
	for i := range r.Functions {
		slices.Reverse(r.Functions[i].Findings)
		slices.Reverse(r.Functions[i].Packages)
	}
	return r
}

func TestDeterministic(t *testing.T) {
	want := encode(t, reportstest.Sample())
	tests := []struct {
		name   string
		report func() *reports.Report
	}{
		{"same report again", reportstest.Sample},
		{"functions, findings and packages in reverse order", shuffled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(string(want), string(encode(t, tt.report()))); diff != "" {
				t.Errorf("the log differs (-first +this):\n%s", diff)
			}
		})
	}
}

func TestEncodeLeavesReportAlone(t *testing.T) {
	r := shuffled()
	before := shuffled()
	encode(t, r)
	if diff := cmp.Diff(before, r); diff != "" {
		t.Errorf("Encode changed the report (-before +after):\n%s", diff)
	}
}

// failingWriter fails every write.
type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestEncodeErrors(t *testing.T) {
	errDisk := errors.New("disk full")
	tests := []struct {
		name    string
		w       failingWriter
		r       *reports.Report
		wantErr error
		wantMsg string
	}{
		{"nil report", failingWriter{errDisk}, nil, nil, "encoding sarif: no report"},
		{"writer fails", failingWriter{errDisk}, reportstest.Sample(), errDisk, "writing sarif: disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Encode(tt.w, tt.r)
			if err == nil {
				t.Fatal("Encode succeeded")
			}
			if diff := cmp.Diff(tt.wantMsg, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
		})
	}
}
