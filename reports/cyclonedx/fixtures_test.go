package cyclonedx

import (
	"bytes"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/reportstest"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/vuln"
)

// namedBOM is one document of a report, under the file name WriteDir gives
// it.
type namedBOM struct {
	file string
	bom  *cdx.BOM
}

// documents returns every document of r: one per function, then the
// application's.
func documents(r *reports.Report) []namedBOM {
	names := FileNames(r)
	out := make([]namedBOM, 0, len(r.Functions)+1)
	for i := range r.Functions {
		out = append(out, namedBOM{names[i], FunctionBOM(r, &r.Functions[i])})
	}
	return append(out, namedBOM{ApplicationFile, ApplicationBOM(r)})
}

// encodeBOM returns b as WriteDir writes it.
func encodeBOM(t *testing.T, b *cdx.BOM) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := EncodeBOM(&buf, b, cdx.BOMFileFormatJSON); err != nil {
		t.Fatalf("encoding: %v", err)
	}
	return buf.Bytes()
}

// fixtures are the reports every validity test encodes.
func fixtures() map[string]func() *reports.Report {
	return map[string]func() *reports.Report{
		"sample":  reportstest.Sample,
		"empty":   emptyReport,
		"expired": expiredReport,
		"edge":    edgeReport,
	}
}

// emptyReport is an application without functions or findings.
func emptyReport() *reports.Report {
	r := &reports.Report{
		Schema:      reports.SchemaV1,
		Tool:        reports.Tool{Name: "fnaudit", Version: "0.1.0-test"},
		Application: reports.Application{Name: "empty", Kind: bundle.KindBundle, Manifest: "empty.zip"},
	}
	reports.Assess(r, reports.Policy{FailOn: reports.LevelHigh})
	return r
}

// expiredException is the sample's moment exception, matched through the
// policy engine on a day after it expired.
func expiredException() reports.Exception {
	return reports.Exception{
		ID: "GHSA-wc69-rhjr-hc9g", Package: "moment", Function: "list*",
		Reason: "not reachable", Owner: "orders-team@example.com", Expires: "2024-01-31",
		State: "not_affected", Justification: "code_not_reachable", Response: []string{"will_not_fix"},
		Source: bundle.Location{File: "fnaudit.yaml", Line: 6},
	}
}

// expiredReport is the sample assessed with an exception that has expired.
func expiredReport() *reports.Report {
	r := reportstest.Sample()
	reports.Assess(r, reports.Policy{
		FailOn: reports.LevelHigh, File: "fnaudit.yaml", Today: "2024-02-01",
		Exceptions: []reports.Exception{expiredException()},
	})
	return r
}

// edgeReport exercises what the sample does not: scoped and Maven names, a
// package of no known artifact, a finding of no listed package, repeated
// triggers and artifact names, a real digest, CVSS v4 and v2, dates, a URL
// trigger, unresolved auth, an authenticated endpoint, a name that is no
// file name, and an exception with another state.
func edgeReport() *reports.Report {
	r := &reports.Report{
		Schema:      reports.SchemaV1,
		Tool:        reports.Tool{Name: "fnaudit", Version: "0.2.0"},
		Database:    reports.Database{Ecosystems: []vuln.EcosystemInfo{{Name: "npm", Records: 2}, {Name: "Maven", Records: 1, Modified: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}}, Warnings: []string{"no advisories for PyPI"}},
		Application: reports.Application{Name: "shop", Kind: bundle.KindCDK, Manifest: "cdk.out/manifest.json", Warnings: []string{"cdk.out/Shop.template.json:12: unresolved Fn::ImportValue"}},
		Functions:   []reports.Function{edgeFunction()},
	}
	reports.Assess(r, reports.Policy{FailOn: reports.LevelHigh})
	for i := range r.Functions[0].Findings {
		if f := &r.Functions[0].Findings[i]; f.ID == "GHSA-aaaa-bbbb-cccc" {
			f.Suppressed = true
			f.Exception = &reports.Exception{Reason: "scanner confuses forks", State: "false_positive", Justification: "code_not_reachable", Response: []string{"update", "nonsense", "update"}, Status: reports.ExceptionActive}
		}
	}
	return r
}

const edgeDigest = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"

func edgeFunction() reports.Function {
	published := time.Date(2023, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	return reports.Function{
		Name: "Shop/Checkout Fn", Runtime: "java21", Handler: "shop.Handler", PackageType: "zip", Status: reports.StatusOK,
		Source: bundle.Location{File: "cdk.out/Shop.template.json", Line: 7},
		Artifacts: []bundle.Artifact{
			{Role: bundle.RoleCode, Name: "checkout", Path: "cdk.out/asset.1/checkout.zip", SHA256: edgeDigest},
			{Role: bundle.RoleLayer, Name: "deps", Path: "cdk.out/asset.2"},
			{Role: bundle.RoleLayer, Name: "deps", Path: "cdk.out/asset.3"},
		},
		Triggers: []bundle.Trigger{
			{Type: "http", Detail: "GET /cart/{id} (httpApi, authorizer shopperJwt)", Auth: "jwt", Exposure: bundle.ExposureAuthenticated},
			{Type: "http", Detail: "GET /cart/{id} (httpApi, authorizer shopperJwt)", Auth: "jwt", Exposure: bundle.ExposureAuthenticated},
			{Type: "url", Detail: "function URL https://abc.lambda-url.eu-west-1.on.aws/", Auth: "none", Exposure: bundle.ExposurePublic},
			{Type: "unknown", Detail: "Mystery (Carrier-Pigeon)", Auth: "unresolved", Exposure: bundle.ExposureUnknown},
		},
		Exposure: bundle.ExposurePublic, Privilege: bundle.PrivilegeUnknown,
		Packages: []sbom.Package{
			{Ecosystem: "Maven", Name: "com.fasterxml.jackson.core:jackson-databind", Version: "2.9.8", PURL: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.8", Artifact: "checkout", Location: "lib/jackson-databind-2.9.8.jar"},
			{Ecosystem: "npm", Name: "@types/node", Version: "20.1.0", PURL: "pkg:npm/%40types/node@20.1.0", Artifact: "deps", Location: "nodejs/node_modules/@types/node/package.json"},
			{Ecosystem: "npm", Name: "@types/node", Version: "20.1.0", PURL: "pkg:npm/%40types/node@20.1.0", Artifact: "deps", Location: "nodejs/node_modules/x/node_modules/@types/node/package.json"},
			{Ecosystem: "npm", Name: "left-pad", Version: "1.3.0", Artifact: "vendored", Location: "vendor/left-pad/package.json"},
		},
		Findings: []reports.Finding{
			{Finding: vuln.Finding{ID: "GHSA-aaaa-bbbb-cccc", Ecosystem: "Maven", Package: "com.fasterxml.jackson.core:jackson-databind", Version: "2.9.8", Artifact: "checkout", Location: "lib/jackson-databind-2.9.8.jar",
				Summary: "Deserialization <gadget> & friends", Severity: vuln.SeverityCritical, CVSS: 9.3, CVSSVector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
				Fixed: []string{"2.9.9", "2.10.0"}, Published: published, Modified: published.Add(48 * time.Hour), References: []string{"https://example.com/advisory one", "ftp://example.com/x", "not a url"}}},
			{Finding: vuln.Finding{ID: "CVE-2019-0001", Aliases: []string{"CVE-2019-0001", "OSV-2019-1"}, Ecosystem: "npm", Package: "left-pad", Version: "1.3.0", Artifact: "vendored", Location: "vendor/left-pad/package.json",
				Summary: "old", Severity: vuln.SeverityMedium, CVSS: 5, CVSSVector: "AV:N/AC:L/Au:N/C:P/I:N/A:N"}},
			{Finding: vuln.Finding{ID: "GHSA-gone-gone-gone", Ecosystem: "npm", Package: "vanished", Version: "0.0.1", Artifact: "deps",
				Summary: "a finding whose package the SBOM lost", Severity: vuln.SeverityLow}},
		},
	}
}
