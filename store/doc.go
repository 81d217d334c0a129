// Package store keeps fnaudit's scan history, for rescans, `fnaudit
// history` and the server: every recorded scan with its functions, their
// SBOMs (CycloneDX documents), findings and the advisory database snapshot
// they were matched against.
//
// Two backends implement [Store] with one schema and one set of
// statements: a SQLite file (the default; modernc.org/sqlite, pure Go, WAL
// journal, writers wait for each other through a busy timeout) and
// PostgreSQL (postgres:// DSNs, through pgx's database/sql driver) for
// history shared by many pipelines and server replicas. [Open] picks one by
// DSN. The schema is versioned: on open, missing migrations are applied in
// one transaction, serialised across processes (SQLite: the write lock;
// PostgreSQL: an advisory lock), and recorded in fnaudit_migrations.
//
// Input: [Record]s built by the caller from a [reports.Report] and the
// function documents reports/cyclonedx wrote. The store computes nothing;
// it persists the report model (whole, as JSON, and in parts for queries)
// and records the one wall-clock time fnaudit keeps, an entry's
// recorded_at, from its own clock ([Options.Now]).
//
// Output: entries (history, newest per application, with label filters),
// the stored functions of an entry with their SBOM documents and findings,
// a stored report, and which functions run a layer digest.
//
// Failure modes: a store that cannot be opened, migrated (for instance
// because it was written by a newer fnaudit) or written is an error naming
// the store (a PostgreSQL password is never shown). Each [Store.Save] is
// one transaction: a crash or a SIGKILL in the middle leaves no partial
// entry. Documents are stored once per content (SHA-256), so a rescan that
// re-uses its base's documents costs no copy.
//
// See docs/store.md for DSNs, the schema and what rescans do with it.
package store
