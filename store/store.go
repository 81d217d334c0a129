package store

import (
	"context"
	"errors"
	"time"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

// Store is fnaudit's scan history. Both backends ([OpenSQLite],
// [OpenPostgres], or [Open] by DSN) implement it with the same schema; every
// method is safe for concurrent use, also by several processes on one store.
type Store interface {
	// Save records one entry (a scan or a rescan) in one transaction: either
	// all of it is stored or nothing is.
	Save(ctx context.Context, rec Record) (Entry, error)
	// Applications lists the applications the store has entries for, by name.
	Applications(ctx context.Context) ([]Application, error)
	// Entries lists the entries that match q, oldest first: the history.
	Entries(ctx context.Context, q Query) ([]Entry, error)
	// Latest returns, for each application matching q, its newest entry
	// among those matching q, by application name.
	Latest(ctx context.Context, q Query) ([]Entry, error)
	// Functions loads the functions of an entry, in report order, each with
	// its stored SBOM document and findings.
	Functions(ctx context.Context, entry int64) ([]Function, error)
	// Report loads the report JSON an entry was saved with.
	Report(ctx context.Context, entry int64) (*reports.Report, error)
	// LayerUses lists the functions, in the newest entry of every
	// application, that run a layer whose artifact digest is one of digests.
	LayerUses(ctx context.Context, digests []string) ([]LayerUse, error)
	// TryLock takes the store-wide lock called name without waiting (ok is
	// false when someone else holds it), for work that must run once at a
	// time across processes and hosts, such as the server's scheduled
	// rescans. See DB.TryLock.
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
	// Ping checks that the store can be reached.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// Kind says how an entry came to be.
type Kind string

// Entry kinds.
const (
	// KindScan is a `fnaudit scan`: artifacts unpacked and catalogued.
	KindScan Kind = "scan"
	// KindRescan re-matched the stored SBOMs of another entry.
	KindRescan Kind = "rescan"
)

// Record is what Save stores.
type Record struct {
	Kind Kind
	// Base is, for a rescan, the entry it re-matched.
	Base int64
	// Report is the audit's report; it is stored whole (as JSON) and in
	// parts: functions, artifacts, findings, the database snapshot, counts.
	Report *reports.Report
	// Documents holds, by index of Report.Functions, each function's SBOM:
	// its CycloneDX JSON document. A document with JSON nil refers, by
	// SHA256, to a document the store already holds (a rescan re-uses the
	// documents of its base: nothing was catalogued again).
	Documents []Document
	// Labels are the caller's key=value labels (env=prod, commit=abc).
	Labels map[string]string
}

// Document is one SBOM document, stored once per content (by SHA-256).
type Document struct {
	// SHA256 is the hex SHA-256 of JSON; Save computes it when JSON is set.
	SHA256 string
	JSON   []byte
}

// Entry is one recorded scan or rescan.
type Entry struct {
	ID          int64
	Application string
	// AppKind, Manifest and AppWarnings describe the application as the
	// entry's report did (reports.Application).
	AppKind     bundle.Kind
	Manifest    string
	AppWarnings []string
	Kind        Kind
	// Base is the entry a rescan re-matched (0 for a scan).
	Base int64
	// RecordedAt is when the store saved the entry (the store's clock).
	RecordedAt  time.Time
	ToolVersion string
	Labels      map[string]string
	Counts      Counts
}

// Counts summarise an entry.
type Counts struct {
	Functions  int
	Incomplete int
	Findings   int
	ByRisk     map[reports.Level]int
	// New, Unchanged and Fixed are set for rescans.
	New, Unchanged, Fixed int
	// ExitCode is the gate's exit code.
	ExitCode int
}

// Application is one application the store knows.
type Application struct {
	Name string
	// Entries counts its scans and rescans; Latest is the newest one.
	Entries int
	Latest  int64
}

// Query selects entries: by application name ("" for all) and by labels
// (every label given must be set to the value given).
type Query struct {
	Application string
	Labels      map[string]string
}

// Function is a stored function: its report entry without packages (those
// are in its SBOM document), its document, and its findings as recorded,
// summarised: identity (ID, aliases, package occurrence), severity, risk,
// suppression and change; the whole findings are in the entry's report.
type Function struct {
	reports.Function
	// SBOMDigest is the SHA-256 of SBOM.
	SBOMDigest string
	// SBOM is the function's CycloneDX JSON document.
	SBOM []byte
}

// LayerUse is one function that runs a layer.
type LayerUse struct {
	Application, Function string
	// Layer is the layer's name in that application; SHA256 its digest.
	Layer, SHA256 string
	// Entry is the entry it was recorded in.
	Entry int64
}

// ErrNotFound is returned when an entry does not exist.
var ErrNotFound = errors.New("no such entry in the store")
