package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store/storetest"
	"github.com/fnaudit/fnaudit/vuln"
)

// Environment variables of the PostgreSQL tests: the DSN of a server they
// may create databases on (scripts/postgres-test.sh prints one), and the
// switch that turns a missing server into a failure.
const (
	postgresEnv = "FNAUDIT_TEST_POSTGRES"
	requireEnv  = "FNAUDIT_REQUIRE_TOOLS"
)

// backend opens fresh, empty stores of one kind.
type backend struct {
	name string
	// dsn returns the DSN of a new empty store.
	dsn func(t *testing.T) string
}

// backends returns SQLite, and PostgreSQL when FNAUDIT_TEST_POSTGRES is set.
func backends(t *testing.T) []backend {
	out := []backend{{name: "sqlite", dsn: func(t *testing.T) string {
		return filepath.Join(t.TempDir(), "fnaudit.db")
	}}}
	if pg := postgresDSN(t); pg != "" {
		out = append(out, backend{name: "postgres", dsn: func(t *testing.T) string { return storetest.FreshPostgres(t, pg) }})
	}
	return out
}

// postgresDSN is the test server's DSN. Without one the PostgreSQL half of
// the tests is skipped, saying so, unless FNAUDIT_REQUIRE_TOOLS=1.
func postgresDSN(t *testing.T) string {
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		if os.Getenv(requireEnv) == "1" {
			t.Fatalf("%s is not set and %s=1: start a server with scripts/postgres-test.sh", postgresEnv, requireEnv)
		}
		t.Logf("%s not set: PostgreSQL backend not tested (start one with scripts/postgres-test.sh)", postgresEnv)
	}
	return dsn
}

// clock is a test clock that advances one second per reading; safe for
// concurrent use, as Options.Now must be.
func clock() func() time.Time {
	var mu sync.Mutex // guards t
	t := time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func open(t *testing.T, dsn string) *DB {
	t.Helper()
	s, err := Open(context.Background(), dsn, Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sampleReport is an application of n functions sharing one layer, each
// with two findings (one from the layer).
func sampleReport(app string, n int) *reports.Report {
	r := &reports.Report{
		Schema:      reports.SchemaV1,
		Tool:        reports.Tool{Name: "fnaudit", Version: "0.1.0-test"},
		Database:    reports.Database{Ecosystems: []vuln.EcosystemInfo{{Name: "npm", Records: 63, SHA256: "ab12", Modified: time.Date(2024, 10, 4, 20, 31, 0, 0, time.UTC)}}},
		Application: reports.Application{Name: app, Kind: bundle.KindServerless, Manifest: app + "/serverless.yml"},
	}
	for i := range n {
		r.Functions = append(r.Functions, sampleFunction(fmt.Sprintf("fn%02d", i)))
	}
	reports.Assess(r, reports.Policy{FailOn: reports.LevelHigh})
	return r
}

func sampleFunction(name string) reports.Function {
	finding := func(id, pkg, version, artifact string) reports.Finding {
		return reports.Finding{Finding: vuln.Finding{ID: id, Aliases: []string{"CVE-" + id}, Ecosystem: "npm",
			Package: pkg, Version: version, Artifact: artifact, Location: "node_modules/" + pkg + "/package.json",
			Summary: "a flaw in " + pkg, Severity: vuln.SeverityHigh, CVSS: 7.5, Fixed: []string{"9.9.9"}}}
	}
	return reports.Function{
		Name: name, Runtime: "nodejs18.x", Handler: "src/" + name + ".handler", PackageType: "zip",
		Source: bundle.Location{File: "serverless.yml", Line: 12}, Status: reports.StatusOK, Errors: []string{},
		Artifacts: []bundle.Artifact{
			{Role: bundle.RoleCode, Name: name, Path: name + ".zip", SHA256: "c0de" + name},
			{Role: bundle.RoleLayer, Name: "commonLibs", Path: "commonLibs.zip", SHA256: "1a7e5"},
		},
		Triggers:         []bundle.Trigger{{Type: "http", Detail: "GET /" + name, Auth: "none", Exposure: bundle.ExposurePublic}},
		Exposure:         bundle.ExposurePublic,
		Privilege:        bundle.PrivilegeBroad,
		PrivilegeReasons: []string{"s3:* on *"},
		Findings: []reports.Finding{
			finding("GHSA-aaaa-bbbb-cccc", "lodash", "4.17.15", "commonLibs"),
			finding("GHSA-dddd-eeee-ffff", "ajv", "6.12.2", name),
		},
	}
}

// documents are stand-in SBOM documents for r's functions (the store does
// not read them).
func documents(r *reports.Report) []Document {
	out := make([]Document, len(r.Functions))
	for i, fn := range r.Functions {
		out[i] = Document{JSON: []byte(fmt.Sprintf(`{"bomFormat":"CycloneDX","function":%q,"app":%q}`, fn.Name, r.Application.Name))}
	}
	return out
}

func saveScan(t *testing.T, s Store, r *reports.Report, labels map[string]string) Entry {
	t.Helper()
	e, err := s.Save(context.Background(), Record{Kind: KindScan, Report: r, Documents: documents(r), Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	return e
}
