package cyclonedx

import (
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/vuln"
)

func TestService(t *testing.T) {
	yes, no := cdx.Bool(true), cdx.Bool(false)
	tests := []struct {
		name string
		t    bundle.Trigger
		want cdx.Service
	}{
		{
			"public route",
			bundle.Trigger{Type: "http", Detail: "GET /orders/{id} (httpApi)", Auth: "none", Exposure: bundle.ExposurePublic},
			cdx.Service{Name: "http GET /orders/{id} (httpApi)", Endpoints: &[]string{"/orders/%7Bid%7D"}, Authenticated: no, CrossesTrustBoundary: yes,
				Properties: &[]cdx.Property{{Name: "fnaudit:function", Value: "fn"}, {Name: "fnaudit:trigger_type", Value: "http"}, {Name: "fnaudit:auth", Value: "none"}, {Name: "fnaudit:exposure", Value: "public"}, {Name: "fnaudit:http_method", Value: "GET"}, {Name: "fnaudit:http_path", Value: "/orders/{id}"}}},
		},
		{
			"authenticated route crosses the boundary too",
			bundle.Trigger{Type: "http", Detail: "ANY /{proxy+} (Api)", Auth: "cognito", Exposure: bundle.ExposureAuthenticated},
			cdx.Service{Name: "http ANY /{proxy+} (Api)", Endpoints: &[]string{"/%7Bproxy+%7D"}, Authenticated: yes, CrossesTrustBoundary: yes,
				Properties: &[]cdx.Property{{Name: "fnaudit:function", Value: "fn"}, {Name: "fnaudit:trigger_type", Value: "http"}, {Name: "fnaudit:auth", Value: "cognito"}, {Name: "fnaudit:exposure", Value: "authenticated"}, {Name: "fnaudit:http_method", Value: "ANY"}, {Name: "fnaudit:http_path", Value: "/{proxy+}"}}},
		},
		{
			"path without method",
			bundle.Trigger{Type: "cloudfront", Detail: "CloudFront viewer-request /app/*", Auth: "none", Exposure: bundle.ExposurePublic},
			cdx.Service{Name: "cloudfront CloudFront viewer-request /app/*", Endpoints: &[]string{"/app/*"}, Authenticated: no, CrossesTrustBoundary: yes,
				Properties: &[]cdx.Property{{Name: "fnaudit:function", Value: "fn"}, {Name: "fnaudit:trigger_type", Value: "cloudfront"}, {Name: "fnaudit:auth", Value: "none"}, {Name: "fnaudit:exposure", Value: "public"}, {Name: "fnaudit:http_path", Value: "/app/*"}}},
		},
		{
			"internal queue",
			bundle.Trigger{Type: "sqs", Detail: "queue PaymentsQueue", Auth: "aws", Exposure: bundle.ExposureInternal},
			cdx.Service{Name: "sqs queue PaymentsQueue", Authenticated: yes, CrossesTrustBoundary: no,
				Properties: &[]cdx.Property{{Name: "fnaudit:function", Value: "fn"}, {Name: "fnaudit:trigger_type", Value: "sqs"}, {Name: "fnaudit:auth", Value: "aws"}, {Name: "fnaudit:exposure", Value: "internal"}}},
		},
		{
			"unresolved",
			bundle.Trigger{Type: "permission", Detail: "aws_lambda_permission.x for *", Auth: "unresolved", Exposure: bundle.ExposureUnknown},
			cdx.Service{Name: "permission aws_lambda_permission.x for *",
				Properties: &[]cdx.Property{{Name: "fnaudit:function", Value: "fn"}, {Name: "fnaudit:trigger_type", Value: "permission"}, {Name: "fnaudit:auth", Value: "unresolved"}, {Name: "fnaudit:exposure", Value: "unknown"}}},
		},
		{
			"URL in the detail",
			bundle.Trigger{Type: "url", Detail: "function URL (https://x.lambda-url.eu-west-1.on.aws/)", Auth: "iam", Exposure: bundle.ExposureAuthenticated},
			cdx.Service{Name: "url function URL (https://x.lambda-url.eu-west-1.on.aws/)", Endpoints: &[]string{"https://x.lambda-url.eu-west-1.on.aws/"}, Authenticated: yes, CrossesTrustBoundary: yes,
				Properties: &[]cdx.Property{{Name: "fnaudit:function", Value: "fn"}, {Name: "fnaudit:trigger_type", Value: "url"}, {Name: "fnaudit:auth", Value: "iam"}, {Name: "fnaudit:exposure", Value: "authenticated"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.BOMRef = "ref"
			if diff := cmp.Diff(tt.want, service(tt.t, "ref", "fn")); diff != "" {
				t.Errorf("service (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEscapePath(t *testing.T) {
	tests := map[string]string{
		"/orders":          "/orders",
		"/orders/{id}":     "/orders/%7Bid%7D",
		"/a b|c":           "/a%20b%7Cc",
		"/ü":               "/%C3%BC",
		"/already%20done":  "/already%20done",
		"/50%":             "/50%25",
		"/x:y@z!$&'()*+,;": "/x:y@z!$&'()*+,;",
	}
	for in, want := range tests {
		if got := escapePath(in); got != want {
			t.Errorf("escapePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRatings(t *testing.T) {
	score := func(f float64) *float64 { return &f }
	tests := []struct {
		name string
		f    vuln.Finding
		want cdx.VulnerabilityRating
	}{
		{"CVSS 3.1", vuln.Finding{Severity: vuln.SeverityHigh, CVSS: 7.5, CVSSVector: "CVSS:3.1/AV:N"}, cdx.VulnerabilityRating{Score: score(7.5), Severity: cdx.SeverityHigh, Method: cdx.ScoringMethodCVSSv31, Vector: "CVSS:3.1/AV:N"}},
		{"CVSS 3.0", vuln.Finding{Severity: vuln.SeverityLow, CVSS: 3.1, CVSSVector: "CVSS:3.0/AV:L"}, cdx.VulnerabilityRating{Score: score(3.1), Severity: cdx.SeverityLow, Method: cdx.ScoringMethodCVSSv3, Vector: "CVSS:3.0/AV:L"}},
		{"CVSS 4.0", vuln.Finding{Severity: vuln.SeverityCritical, CVSS: 9.3, CVSSVector: "CVSS:4.0/AV:N"}, cdx.VulnerabilityRating{Score: score(9.3), Severity: cdx.SeverityCritical, Method: cdx.ScoringMethodCVSSv4, Vector: "CVSS:4.0/AV:N"}},
		{"CVSS 2 without prefix", vuln.Finding{Severity: vuln.SeverityMedium, CVSS: 5, CVSSVector: "AV:N/AC:L/Au:N/C:P/I:N/A:N"}, cdx.VulnerabilityRating{Score: score(5), Severity: cdx.SeverityMedium, Method: cdx.ScoringMethodCVSSv2, Vector: "AV:N/AC:L/Au:N/C:P/I:N/A:N"}},
		{"source rating only", vuln.Finding{Severity: vuln.SeverityMedium}, cdx.VulnerabilityRating{Severity: cdx.SeverityMedium, Method: cdx.ScoringMethodOther}},
		{"unknown", vuln.Finding{Severity: vuln.SeverityUnknown}, cdx.VulnerabilityRating{Severity: cdx.SeverityUnknown, Method: cdx.ScoringMethodOther}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(&[]cdx.VulnerabilityRating{tt.want}, ratings(tt.f)); diff != "" {
				t.Errorf("ratings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSource(t *testing.T) {
	tests := map[string]string{
		"GHSA-35jh-r3h4-6jhm": "GitHub Advisory Database",
		"CVE-2021-23337":      "NVD",
		"GO-2024-0001":        "Go Vulnerability Database",
		"PYSEC-2021-1":        "PyPA Advisory Database",
		"RUSTSEC-2020-1":      "RustSec Advisory Database",
		"DSA-5000-1":          "Debian Security Tracker",
		"MAL-2024-1":          "OpenSSF Malicious Packages",
		"OSV-2020-1":          "OSV",
		"WEIRD":               "OSV",
	}
	for id, name := range tests {
		want := &cdx.Source{Name: name, URL: "https://osv.dev/vulnerability/" + id}
		if diff := cmp.Diff(want, source(id)); diff != "" {
			t.Errorf("source(%s) (-want +got):\n%s", id, diff)
		}
	}
}

func TestRecommendation(t *testing.T) {
	tests := []struct {
		fixed []string
		want  string
	}{
		{nil, ""},
		{[]string{"4.17.21"}, "Upgrade lodash to 4.17.21"},
		{[]string{"4.17.21", "5.0.0"}, "Upgrade lodash to one of 4.17.21, 5.0.0"},
	}
	for _, tt := range tests {
		if got := recommendation("lodash", tt.fixed); got != tt.want {
			t.Errorf("recommendation(%q) = %q, want %q", tt.fixed, got, tt.want)
		}
	}
}

func TestPackageComponent(t *testing.T) {
	tests := []struct {
		name        string
		p           sbom.Package
		group, want string
	}{
		{"npm scope", sbom.Package{Ecosystem: "npm", Name: "@types/node"}, "@types", "node"},
		{"npm unscoped", sbom.Package{Ecosystem: "npm", Name: "lodash"}, "", "lodash"},
		{"Maven", sbom.Package{Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core"}, "org.apache.logging.log4j", "log4j-core"},
		{"Go module path stays whole", sbom.Package{Ecosystem: "Go", Name: "github.com/x/y"}, "", "github.com/x/y"},
		{"Packagist stays whole", sbom.Package{Ecosystem: "Packagist", Name: "monolog/monolog"}, "", "monolog/monolog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := packageComponent(tt.p, "ref", bundle.RoleCode)
			if c.Group != tt.group || c.Name != tt.want {
				t.Errorf("group, name = %q, %q; want %q, %q", c.Group, c.Name, tt.group, tt.want)
			}
		})
	}
}

// TestEdgeFindings checks how the edge report's findings land: the one of
// an unlisted package affects the function and names the package, the
// others their package component, with dates in UTC and only http(s)
// advisories.
func TestEdgeFindings(t *testing.T) {
	r := edgeReport()
	b := FunctionBOM(r, &r.Functions[0])
	byID := map[string]cdx.Vulnerability{}
	for _, v := range deref(b.Vulnerabilities) {
		byID[v.ID] = v
	}
	gone := byID["GHSA-gone-gone-gone"]
	if diff := cmp.Diff(&[]cdx.Affects{{Ref: "function:Shop/Checkout Fn"}}, gone.Affects); diff != "" {
		t.Errorf("affects of a finding without package (-want +got):\n%s", diff)
	}
	wantProps := &[]cdx.Property{
		{Name: "fnaudit:function", Value: "Shop/Checkout Fn"}, {Name: "fnaudit:ecosystem", Value: "npm"},
		{Name: "fnaudit:package", Value: "vanished"}, {Name: "fnaudit:version", Value: "0.0.1"},
		{Name: "fnaudit:risk", Value: "low"}, {Name: "fnaudit:suppressed", Value: "false"},
	}
	if diff := cmp.Diff(wantProps, gone.Properties); diff != "" {
		t.Errorf("properties of a finding without package (-want +got):\n%s", diff)
	}
	jackson := byID["GHSA-aaaa-bbbb-cccc"]
	got := []string{jackson.Published, jackson.Updated, (*jackson.Advisories)[0].URL}
	if diff := cmp.Diff([]string{"2023-01-02T02:04:05Z", "2023-01-04T02:04:05Z", "https://example.com/advisory%20one"}, got); diff != "" {
		t.Errorf("published, updated, advisory (-want +got):\n%s", diff)
	}
	if n := len(*jackson.Advisories); n != 1 {
		t.Errorf("%d advisories, want only the http(s) reference", n)
	}
	refs := deref(byID["CVE-2019-0001"].References)
	if len(refs) != 1 || refs[0].ID != "OSV-2019-1" {
		t.Errorf("alias references %+v, want only OSV-2019-1 (the ID itself is not its own alias)", refs)
	}
}
