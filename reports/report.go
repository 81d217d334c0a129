package reports

import (
	"cmp"
	"slices"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/vuln"
)

// SchemaV1 identifies the report JSON contract.
const SchemaV1 = "fnaudit/report/v1"

// Function statuses.
const (
	StatusOK         = "ok"
	StatusIncomplete = "incomplete"
)

// Report is the result of auditing one application.
type Report struct {
	Schema      string      `json:"schema"`
	Tool        Tool        `json:"tool"`
	Database    Database    `json:"database"`
	Application Application `json:"application"`
	Functions   []Function  `json:"functions"`
	Summary     Summary     `json:"summary"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Database describes the advisories the packages were matched against.
type Database struct {
	Ecosystems []vuln.EcosystemInfo `json:"ecosystems"`
	// Warnings say what could not be checked (an ecosystem with no
	// advisories in the database, records that could not be decoded).
	Warnings []string `json:"warnings,omitempty"`
}

// Application is the audited deployment.
type Application struct {
	Name     string      `json:"name"`
	Kind     bundle.Kind `json:"kind"`
	Manifest string      `json:"manifest"`
	// Warnings are what the manifest loader could not resolve (an
	// intrinsic, a variable, an unknown event type), naming file and line.
	Warnings []string `json:"warnings,omitempty"`
}

// Function is one audited function.
type Function struct {
	Name             string            `json:"name"`
	Runtime          string            `json:"runtime"`
	Handler          string            `json:"handler"`
	PackageType      string            `json:"package_type"`
	Source           bundle.Location   `json:"source"`
	Status           string            `json:"status"`
	Errors           []string          `json:"errors"`
	Artifacts        []bundle.Artifact `json:"artifacts"`
	Triggers         []bundle.Trigger  `json:"triggers"`
	Exposure         bundle.Exposure   `json:"exposure"`
	Privilege        bundle.Privilege  `json:"privilege"`
	PrivilegeReasons []string          `json:"privilege_reasons"`
	Packages         []sbom.Package    `json:"packages"`
	Findings         []Finding         `json:"findings"`
	Risk             FunctionRisk      `json:"risk"`
}

// Finding is an advisory affecting one of a function's packages, rated.
type Finding struct {
	vuln.Finding
	Risk       Level `json:"risk"`
	Suppressed bool  `json:"suppressed"`
}

// FunctionRisk is a function's highest finding risk and why.
type FunctionRisk struct {
	Level   Level    `json:"level"`
	Score   int      `json:"score"`
	Reasons []string `json:"reasons"`
}

// Summary counts the report and holds the gate verdict.
type Summary struct {
	Functions  int           `json:"functions"`
	Incomplete int           `json:"incomplete"`
	Findings   int           `json:"findings"`
	ByRisk     map[Level]int `json:"by_risk"`
	Gate       Gate          `json:"gate"`
}

// Gate is the release gate's verdict.
type Gate struct {
	FailOn   Level `json:"fail_on"`
	Passed   bool  `json:"passed"`
	ExitCode int   `json:"exit_code"`
}

// Exit codes, as documented in docs/exit-codes.md.
const (
	ExitPassed     = 0
	ExitFailed     = 1
	ExitUsage      = 2
	ExitIncomplete = 3
)

// Normalize sorts everything that has an order and replaces nil slices with
// empty ones, so that the JSON is the same bytes for the same content.
func (r *Report) Normalize() {
	slices.SortFunc(r.Functions, func(a, b Function) int { return cmp.Compare(a.Name, b.Name) })
	for i := range r.Functions {
		f := &r.Functions[i]
		sbom.Sort(f.Packages)
		slices.SortFunc(f.Findings, compareFindings)
		f.Errors = nonNil(f.Errors)
		f.Artifacts = nonNil(f.Artifacts)
		f.Triggers = nonNil(f.Triggers)
		f.PrivilegeReasons = nonNil(f.PrivilegeReasons)
		f.Packages = nonNil(f.Packages)
		f.Findings = nonNil(f.Findings)
		f.Risk.Reasons = nonNil(f.Risk.Reasons)
		for j := range f.Findings {
			f.Findings[j].Aliases = nonNil(f.Findings[j].Aliases)
			f.Findings[j].Fixed = nonNil(f.Findings[j].Fixed)
		}
	}
	r.Database.Ecosystems = nonNil(r.Database.Ecosystems)
}

// compareFindings orders findings by risk (highest first), then id, then the
// package they affect.
func compareFindings(a, b Finding) int {
	return cmp.Or(
		-cmp.Compare(a.Risk.Rank(), b.Risk.Rank()),
		cmp.Compare(a.ID, b.ID),
		cmp.Compare(a.Ecosystem, b.Ecosystem),
		cmp.Compare(a.Package, b.Package),
		cmp.Compare(a.Version, b.Version),
		cmp.Compare(a.Artifact, b.Artifact),
		cmp.Compare(a.Location, b.Location),
	)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
