package reports

import (
	"cmp"
	"slices"
	"time"

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
	// Policy is present when a policy file was given.
	Policy  *PolicyReport `json:"policy,omitempty"`
	Summary Summary       `json:"summary"`
	// LayerFixes say, for each vulnerable package a layer ships, which
	// layer to rebuild with which version and which functions that fixes
	// (docs/store.md). Absent when no finding comes from a layer.
	LayerFixes []LayerFix `json:"layer_fixes,omitempty"`
	// Rescan is set on the report of `fnaudit rescan`: the stored entry
	// whose SBOMs were re-matched.
	Rescan *RescanOf `json:"rescan,omitempty"`
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
	Risk Level `json:"risk"`
	// Suppressed is set when a live policy exception covers the finding:
	// it stays in every output, marked, does not fail the gate, and becomes
	// a VEX statement in CycloneDX.
	Suppressed bool `json:"suppressed"`
	// Exception is the policy exception that matched the finding, live or
	// expired (an expired one no longer suppresses).
	Exception *Exception `json:"exception,omitempty"`
	// Change is set by a rescan: new (not among the stored findings),
	// unchanged, or fixed (stored, no longer matched: the advisory was
	// withdrawn or its ranges changed; kept in the list, not counted in
	// findings, by_risk or the gate).
	Change string `json:"change,omitempty"`
}

// Finding changes, as a rescan marks them.
const (
	ChangeNew       = "new"
	ChangeUnchanged = "unchanged"
	ChangeFixed     = "fixed"
)

// Changes counts a rescan's findings by change.
type Changes struct {
	New       int `json:"new"`
	Unchanged int `json:"unchanged"`
	Fixed     int `json:"fixed"`
}

// RescanOf names the stored entry a rescan re-matched.
type RescanOf struct {
	// Entry is the entry's ID in the store; Kind is scan or rescan.
	Entry int64  `json:"entry"`
	Kind  string `json:"kind"`
	// RecordedAt is when the store saved that entry.
	RecordedAt time.Time `json:"recorded_at"`
}

// LayerFix is one vulnerable package shipped by a layer, and what
// rebuilding the layer with a fixed version fixes.
type LayerFix struct {
	// Layer is the layer's name; ArtifactSHA256 its digest, which
	// identifies it across functions and applications.
	Layer          string `json:"layer"`
	ArtifactSHA256 string `json:"artifact_sha256"`
	Ecosystem      string `json:"ecosystem"`
	Package        string `json:"package"`
	Version        string `json:"version"`
	// Fixed is the lowest version that fixes every advisory below ("" when
	// one of them has no fixed version: see Unfixed).
	Fixed string `json:"fixed"`
	// Advisories are the findings' IDs.
	Advisories []string `json:"advisories"`
	// Unfixed are the advisories no released version fixes.
	Unfixed []string `json:"unfixed,omitempty"`
	// Functions are the functions that run this layer digest: those of the
	// report and, with a store, those of other applications' newest entries.
	Functions []LayerFunction `json:"functions"`
	// Applications counts the applications of Functions.
	Applications int `json:"applications"`
}

// LayerFunction is a function a layer fix applies to.
type LayerFunction struct {
	Application string `json:"application"`
	Function    string `json:"function"`
}

// Exception is one entry of the policy file's exceptions, with what became
// of it in this audit.
type Exception struct {
	// ID is the advisory ID or alias the exception names ("" for any).
	ID string `json:"id,omitempty"`
	// Package is the package name it names ("" for any).
	Package string `json:"package,omitempty"`
	// Function is a glob of function names ("" for every function).
	Function string `json:"function,omitempty"`
	Reason   string `json:"reason"`
	Owner    string `json:"owner,omitempty"`
	// Expires is the last day (YYYY-MM-DD) the exception suppresses.
	Expires string `json:"expires,omitempty"`
	// State is the VEX analysis state it asserts (CycloneDX
	// vulnerability.analysis.state): not_affected (default), false_positive,
	// exploitable, in_triage, resolved, resolved_with_pedigree.
	State string `json:"state"`
	// Justification is the CycloneDX analysis justification, when the state
	// is not_affected: code_not_present, code_not_reachable,
	// requires_configuration, requires_dependency, requires_environment,
	// protected_by_compiler, protected_at_runtime, protected_at_perimeter,
	// protected_by_mitigating_control.
	Justification string `json:"justification,omitempty"`
	// Response are CycloneDX analysis responses: can_not_fix, will_not_fix,
	// update, rollback, workaround_available.
	Response []string `json:"response,omitempty"`
	// Status is active (it suppressed findings), expired (past its date: it
	// no longer suppresses) or stale (it matched nothing).
	Status string `json:"status"`
	// Source is where it is written in the policy file.
	Source bundle.Location `json:"source"`
}

// Exception statuses.
const (
	ExceptionActive  = "active"
	ExceptionExpired = "expired"
	ExceptionStale   = "stale"
)

// PolicyReport says which policy decided the gate and what became of its
// exceptions.
type PolicyReport struct {
	// File is the policy file ("" when only --fail-on was given).
	File string `json:"file,omitempty"`
	// FailOn is the threshold per exposure (public, authenticated,
	// internal, unknown).
	FailOn map[bundle.Exposure]Level `json:"fail_on"`
	// Exceptions are the policy's exceptions in file order.
	Exceptions []Exception `json:"exceptions"`
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
	// Changes is set by a rescan: its findings by change.
	Changes *Changes `json:"changes,omitempty"`
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
