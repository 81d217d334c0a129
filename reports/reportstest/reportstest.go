// Package reportstest builds the sample report every output format's tests
// encode: a small application with a public function whose layer ships
// vulnerable packages, a suppressed finding (VEX), an image function with OS
// packages, and an incomplete function.
package reportstest

import (
	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/vuln"
)

// Sample returns a new, assessed sample report (fail on high).
func Sample() *reports.Report {
	r := &reports.Report{
		Schema: reports.SchemaV1,
		Tool:   reports.Tool{Name: "fnaudit", Version: "0.1.0-test"},
		Database: reports.Database{Ecosystems: []vuln.EcosystemInfo{
			{Name: "npm", Records: 63, Path: "osvdb/npm/all.zip", SHA256: "08120c6d0dd3f643ab105c578e7be0d22d5bd057a3f196e913a18bded60e2ab1"},
		}},
		Application: reports.Application{Name: "orders-api", Kind: bundle.KindServerless, Manifest: "orders-api/serverless.yml"},
		Functions:   []reports.Function{listOrders(), processPayment(), thumbnail()},
	}
	r.Policy = &reports.PolicyReport{
		File:   "fnaudit.yaml",
		FailOn: map[bundle.Exposure]reports.Level{bundle.ExposurePublic: reports.LevelHigh, bundle.ExposureAuthenticated: reports.LevelHigh, bundle.ExposureInternal: reports.LevelCritical, bundle.ExposureUnknown: reports.LevelHigh},
		Exceptions: []reports.Exception{
			momentException(),
			{ID: "GHSA-xxxx-old0-0000", Reason: "fixed upstream", Owner: "ops@example.com", Expires: "2024-01-31", State: "not_affected", Status: reports.ExceptionStale, Source: bundle.Location{File: "fnaudit.yaml", Line: 14}},
		},
	}
	reports.Assess(r, reports.Policy{FailOn: reports.LevelHigh})
	return r
}

func momentException() reports.Exception {
	return reports.Exception{
		ID: "GHSA-wc69-rhjr-hc9g", Package: "moment", Function: "list*",
		Reason: "moment's string parsing is never given user input in this function", Owner: "orders-team@example.com",
		Expires: "2099-12-31", State: "not_affected", Justification: "code_not_reachable", Response: []string{"will_not_fix"},
		Status: reports.ExceptionActive, Source: bundle.Location{File: "fnaudit.yaml", Line: 6},
	}
}

func finding(id string, aliases []string, eco, pkg, version, artifact, loc, summary string, sev vuln.Severity, cvss float64, vector string, fixed ...string) reports.Finding {
	return reports.Finding{Finding: vuln.Finding{
		ID: id, Aliases: aliases, Ecosystem: eco, Package: pkg, Version: version, Artifact: artifact, Location: loc,
		Summary: summary, Severity: sev, CVSS: cvss, CVSSVector: vector, Fixed: fixed,
		References: []string{"https://github.com/advisories/" + id},
	}}
}

func listOrders() reports.Function {
	suppressed := finding("GHSA-wc69-rhjr-hc9g", []string{"CVE-2022-31129"}, "npm", "moment", "2.29.1", "listOrders",
		"src/list/node_modules/moment/package.json", "Moment.js vulnerable to Inefficient Regular Expression Complexity",
		vuln.SeverityHigh, 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "2.29.4")
	ex := momentException()
	suppressed.Suppressed, suppressed.Exception = true, &ex
	return reports.Function{
		Name: "listOrders", Runtime: "nodejs18.x", Handler: "src/list/index.handler", PackageType: "zip",
		Source: bundle.Location{File: "orders-api/serverless.yml", Line: 42}, Status: reports.StatusOK,
		Artifacts: []bundle.Artifact{
			{Role: bundle.RoleCode, Name: "listOrders", Path: "orders-api/.serverless/listOrders.zip", SHA256: "4d8c2f0e"},
			{Role: bundle.RoleLayer, Name: "commonLibs", Path: "orders-api/.serverless/commonLibs.zip", SHA256: "9a1b3c5d"},
		},
		Triggers: []bundle.Trigger{
			{Type: "http", Detail: "GET /orders (httpApi)", Auth: "none", Exposure: bundle.ExposurePublic},
			{Type: "schedule", Detail: "rate(1 hour)", Auth: "aws", Exposure: bundle.ExposureInternal},
		},
		Exposure: bundle.ExposurePublic, Privilege: bundle.PrivilegeBroad, PrivilegeReasons: []string{"s3:* on *"},
		Packages: []sbom.Package{
			{Ecosystem: "npm", Name: "lodash", Version: "4.17.15", PURL: "pkg:npm/lodash@4.17.15", Artifact: "commonLibs", Location: "nodejs/node_modules/lodash/package.json"},
			{Ecosystem: "npm", Name: "uuid", Version: "8.3.2", PURL: "pkg:npm/uuid@8.3.2", Artifact: "commonLibs", Location: "nodejs/node_modules/uuid/package.json", Shadowed: true},
			{Ecosystem: "npm", Name: "uuid", Version: "9.0.1", PURL: "pkg:npm/uuid@9.0.1", Artifact: "listOrders", Location: "src/list/node_modules/uuid/package.json"},
			{Ecosystem: "npm", Name: "moment", Version: "2.29.1", PURL: "pkg:npm/moment@2.29.1", Artifact: "listOrders", Location: "src/list/node_modules/moment/package.json"},
		},
		Findings: []reports.Finding{
			finding("GHSA-35jh-r3h4-6jhm", []string{"CVE-2021-23337"}, "npm", "lodash", "4.17.15", "commonLibs",
				"nodejs/node_modules/lodash/package.json", "Command Injection in lodash", vuln.SeverityHigh, 7.2,
				"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", "4.17.21"),
			finding("GHSA-29mw-wpgm-hmr9", []string{"CVE-2020-28500"}, "npm", "lodash", "4.17.15", "commonLibs",
				"nodejs/node_modules/lodash/package.json", "Regular Expression Denial of Service (ReDoS) in lodash",
				vuln.SeverityMedium, 5.3, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", "4.17.21"),
			suppressed,
		},
	}
}

func processPayment() reports.Function {
	return reports.Function{
		Name: "processPayment", Runtime: "nodejs18.x", Handler: "src/pay/index.handler", PackageType: "zip",
		Source: bundle.Location{File: "orders-api/serverless.yml", Line: 61}, Status: reports.StatusIncomplete,
		Errors:    []string{"unpacking orders-api/.serverless/processPayment.zip: corrupt or truncated archive: zip: not a valid zip file; rebuild or re-download the artifact"},
		Artifacts: []bundle.Artifact{{Role: bundle.RoleCode, Name: "processPayment", Path: "orders-api/.serverless/processPayment.zip", SHA256: "77aa"}},
		Triggers:  []bundle.Trigger{{Type: "sqs", Detail: "queue PaymentsQueue", Auth: "aws", Exposure: bundle.ExposureInternal}},
		Exposure:  bundle.ExposureInternal, Privilege: bundle.PrivilegeScoped,
	}
}

func thumbnail() reports.Function {
	return reports.Function{
		Name: "thumbnail", PackageType: "image",
		Source: bundle.Location{File: "orders-api/serverless.yml", Line: 75}, Status: reports.StatusOK,
		Artifacts: []bundle.Artifact{{Role: bundle.RoleImage, Name: "thumbnail", Path: "orders-api/images/thumbnail.tar", SHA256: "c0ffee", Ref: "thumbnail:1.0"}},
		Triggers:  []bundle.Trigger{{Type: "s3", Detail: "bucket uploads s3:ObjectCreated:*", Auth: "aws", Exposure: bundle.ExposureInternal}},
		Exposure:  bundle.ExposureInternal, Privilege: bundle.PrivilegeAdmin, PrivilegeReasons: []string{"* on *"},
		Packages: []sbom.Package{
			{Ecosystem: "Debian:12", Name: "openssl", Version: "3.0.11-1~deb12u2", PURL: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl", Artifact: "thumbnail", Location: "blobs/sha256/55f4!/var/lib/dpkg/status"},
			{Ecosystem: "npm", Name: "sax", Version: "1.2.1", PURL: "pkg:npm/sax@1.2.1", Artifact: "thumbnail", Location: "blobs/sha256/b326!/var/task/node_modules/sax/package.json"},
		},
		Findings: []reports.Finding{
			finding("DSA-5000-1", nil, "Debian:12", "openssl", "3.0.11-1~deb12u2", "thumbnail",
				"blobs/sha256/55f4!/var/lib/dpkg/status", "openssl security update", vuln.SeverityUnknown, 0, ""),
			finding("GHSA-2gwj-7jmv-h26r", nil, "npm", "sax", "1.2.1", "thumbnail",
				"blobs/sha256/b326!/var/task/node_modules/sax/package.json", "sax <script> & <style> prototype issue",
				vuln.SeverityCritical, 9.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "1.4.0"),
		},
	}
}
