package reports

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/internal/golden"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/vuln"
)

func finding(id string, sev vuln.Severity, cvss float64, pkg, version string, fixed ...string) Finding {
	return Finding{Finding: vuln.Finding{
		ID: id, Ecosystem: "npm", Package: pkg, Version: version, Artifact: "commonLibs",
		Summary: "summary of " + id, Severity: sev, CVSS: cvss, Fixed: fixed,
	}}
}

// sampleReport is a two-function application: a public function with a high
// finding in a layer, and an internal one whose artifact could not be read.
func sampleReport() *Report {
	return &Report{
		Schema:      SchemaV1,
		Tool:        Tool{Name: "fnaudit", Version: "test"},
		Database:    Database{Ecosystems: []vuln.EcosystemInfo{{Name: "npm", Records: 63}}},
		Application: Application{Name: "orders-api", Kind: bundle.KindServerless, Manifest: "orders-api/serverless.yml"},
		Functions: []Function{
			{
				Name: "processPayment", Runtime: "nodejs18.x", PackageType: "zip", Status: StatusIncomplete,
				Errors:    []string{"processPayment.zip: not a zip archive"},
				Triggers:  []bundle.Trigger{{Type: "sqs", Detail: "PaymentsQueue", Auth: "iam", Exposure: bundle.ExposureInternal}},
				Exposure:  bundle.ExposureInternal,
				Privilege: bundle.PrivilegeScoped,
			},
			{
				Name: "listOrders", Runtime: "nodejs18.x", Handler: "src/list.handler", PackageType: "zip", Status: StatusOK,
				Triggers:  []bundle.Trigger{{Type: "http", Detail: "GET /orders (httpApi)", Auth: "none", Exposure: bundle.ExposurePublic}},
				Exposure:  bundle.ExposurePublic,
				Privilege: bundle.PrivilegeBroad, PrivilegeReasons: []string{"s3:* on *"},
				Artifacts: []bundle.Artifact{
					{Role: bundle.RoleCode, Name: "listOrders", Path: "listOrders.zip", SHA256: "00"},
					{Role: bundle.RoleLayer, Name: "commonLibs", Path: "commonLibs.zip", SHA256: "11"},
				},
				Packages: []sbom.Package{
					{Ecosystem: "npm", Name: "uuid", Version: "8.3.2", Artifact: "commonLibs"},
					{Ecosystem: "npm", Name: "lodash", Version: "4.17.15", Artifact: "commonLibs"},
				},
				Findings: []Finding{
					finding("GHSA-29mw-wpgm-hmr9", vuln.SeverityMedium, 5.3, "lodash", "4.17.15", "4.17.21"),
					finding("GHSA-35jh-r3h4-6jhm", vuln.SeverityHigh, 7.2, "lodash", "4.17.15", "4.17.21"),
				},
			},
		},
	}
}

func TestAssessRisk(t *testing.T) {
	tests := []struct {
		name      string
		sev       vuln.Severity
		cvss      float64
		exposure  bundle.Exposure
		privilege bundle.Privilege
		want      Level
	}{
		{"high cvss, unknown exposure keeps severity", vuln.SeverityHigh, 7.5, bundle.ExposureUnknown, bundle.PrivilegeUnknown, LevelHigh},
		{"high on a public endpoint with an admin role becomes critical", vuln.SeverityHigh, 7.5, bundle.ExposurePublic, bundle.PrivilegeAdmin, LevelCritical},
		{"high on an internal queue consumer drops to medium", vuln.SeverityHigh, 7.5, bundle.ExposureInternal, bundle.PrivilegeScoped, LevelMedium},
		{"critical stays critical when internal but admin", vuln.SeverityCritical, 9.8, bundle.ExposureInternal, bundle.PrivilegeAdmin, LevelCritical},
		{"low stays low", vuln.SeverityLow, 3.1, bundle.ExposureUnknown, bundle.PrivilegeUnknown, LevelLow},
		{"unrated advisory counts as medium", vuln.SeverityUnknown, 0, bundle.ExposureUnknown, bundle.PrivilegeUnknown, LevelMedium},
		{"rating without vector uses its band", vuln.SeverityCritical, 0, bundle.ExposureUnknown, bundle.PrivilegeUnknown, LevelCritical},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Functions: []Function{{
				Name: "f", Exposure: tt.exposure, Privilege: tt.privilege,
				Findings: []Finding{finding("GHSA-x", tt.sev, tt.cvss, "p", "1")},
			}}}
			Assess(r, Policy{FailOn: LevelNone})
			if got := r.Functions[0].Findings[0].Risk; got != tt.want {
				t.Errorf("risk = %s, want %s", got, tt.want)
			}
			if got := r.Functions[0].Risk.Level; got != tt.want {
				t.Errorf("function risk = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAssessGate(t *testing.T) {
	tests := []struct {
		name       string
		failOn     Level
		incomplete bool
		suppressed bool
		wantPassed bool
		wantCode   int
	}{
		{"none never fails on findings", LevelNone, false, false, true, ExitPassed},
		{"finding above threshold fails", LevelHigh, false, false, false, ExitFailed},
		{"finding below threshold passes", LevelCritical, false, false, true, ExitPassed},
		{"suppressed finding does not fail", LevelHigh, false, true, true, ExitPassed},
		{"incomplete never passes, even with none", LevelNone, true, false, false, ExitIncomplete},
		{"incomplete wins over a failed gate", LevelHigh, true, false, false, ExitIncomplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := finding("GHSA-x", vuln.SeverityHigh, 8.1, "p", "1")
			f.Suppressed = tt.suppressed
			fn := Function{Name: "f", Status: StatusOK, Exposure: bundle.ExposureUnknown, Findings: []Finding{f}}
			if tt.incomplete {
				fn.Status, fn.Errors = StatusIncomplete, []string{"x.zip: corrupt"}
			}
			r := &Report{Functions: []Function{fn}}
			Assess(r, Policy{FailOn: tt.failOn})
			want := Gate{FailOn: tt.failOn, Passed: tt.wantPassed, ExitCode: tt.wantCode}
			if diff := cmp.Diff(want, r.Summary.Gate); diff != "" {
				t.Errorf("gate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssessReasonsAndOrder(t *testing.T) {
	r := sampleReport()
	Assess(r, Policy{FailOn: LevelHigh})
	if got := []string{r.Functions[0].Name, r.Functions[1].Name}; !cmp.Equal(got, []string{"listOrders", "processPayment"}) {
		t.Fatalf("functions not sorted by name: %v", got)
	}
	list := r.Functions[0]
	wantReasons := []string{
		"high GHSA-35jh-r3h4-6jhm in lodash@4.17.15 (layer commonLibs), fixed in 4.17.21",
		"reachable from the internet without authentication: http GET /orders (httpApi)",
		"broad role: allows s3:* on *",
	}
	if diff := cmp.Diff(wantReasons, list.Risk.Reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	if list.Findings[0].ID != "GHSA-35jh-r3h4-6jhm" || list.Findings[0].Risk != LevelCritical {
		t.Errorf("first finding = %s %s, want the critical GHSA-35jh-r3h4-6jhm first", list.Findings[0].ID, list.Findings[0].Risk)
	}
	if got := list.Packages[0].Name; got != "lodash" {
		t.Errorf("packages not sorted: first is %s", got)
	}
	want := Summary{Functions: 2, Incomplete: 1, Findings: 2,
		ByRisk: map[Level]int{LevelCritical: 1, LevelHigh: 1},
		Gate:   Gate{FailOn: LevelHigh, Passed: false, ExitCode: ExitIncomplete}}
	if diff := cmp.Diff(want, r.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestParseLevel(t *testing.T) {
	for _, l := range Levels {
		if got, err := ParseLevel(" " + string(l) + " "); err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %q, %v", l, got, err)
		}
	}
	if _, err := ParseLevel("severe"); err == nil {
		t.Error("ParseLevel(severe) succeeded")
	}
}

// TestEncodersGolden encodes the sample report as a table and as JSON, checks
// each output is deterministic, and compares it with its reviewed golden file.
func TestEncodersGolden(t *testing.T) {
	for name, enc := range map[string]func(io.Writer, *Report) error{"table": WriteTable, "json": WriteJSON} {
		t.Run(name, func(t *testing.T) {
			var a, b bytes.Buffer
			r := sampleReport()
			Assess(r, Policy{FailOn: LevelHigh})
			if err := enc(&a, r); err != nil {
				t.Fatal(err)
			}
			r2 := sampleReport()
			Assess(r2, Policy{FailOn: LevelHigh})
			if err := enc(&b, r2); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two encodings of the same report differ")
			}
			golden.Check(t, filepath.Join("testdata", "sample."+name+".golden"), a.Bytes())
		})
	}
}

// TestJSONContract checks the field names tools read.
func TestJSONContract(t *testing.T) {
	r := sampleReport()
	Assess(r, Policy{FailOn: LevelHigh})
	var buf bytes.Buffer
	if err := writeJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema    string `json:"schema"`
		Functions []struct {
			Name     string   `json:"name"`
			Errors   []string `json:"errors"`
			Findings []struct {
				ID         string   `json:"id"`
				Fixed      []string `json:"fixed"`
				Risk       string   `json:"risk"`
				Suppressed *bool    `json:"suppressed"`
			} `json:"findings"`
			Risk struct {
				Level string `json:"level"`
				Score int    `json:"score"`
			} `json:"risk"`
		} `json:"functions"`
		Summary struct {
			ByRisk map[string]int `json:"by_risk"`
			Gate   struct {
				ExitCode int `json:"exit_code"`
			} `json:"gate"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != SchemaV1 || len(doc.Functions) != 2 || doc.Summary.Gate.ExitCode != ExitIncomplete {
		t.Fatalf("unexpected document: %+v", doc)
	}
	f := doc.Functions[0].Findings[0]
	if f.ID != "GHSA-35jh-r3h4-6jhm" || f.Risk != "critical" || f.Suppressed == nil || len(f.Fixed) != 1 {
		t.Errorf("first finding = %+v", f)
	}
	if doc.Functions[1].Errors == nil || doc.Functions[1].Findings == nil {
		t.Error("empty lists must be [] not null")
	}
}
