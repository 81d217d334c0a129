package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migration is one step of the schema. Its statements are written once for
// both backends; {{id}} and {{blob}} are replaced by the dialect's types.
type migration struct {
	version int
	name    string
	stmts   []string
}

// migrations is the schema's history, in order. Never edit a released
// step: append a new one.
var migrations = []migration{
	{version: 1, name: "scan history", stmts: []string{
		`CREATE TABLE applications (
			id {{id}},
			name TEXT NOT NULL UNIQUE
		)`,
		`CREATE TABLE scans (
			id {{id}},
			application_id BIGINT NOT NULL REFERENCES applications(id),
			kind TEXT NOT NULL,
			base_id BIGINT REFERENCES scans(id),
			recorded_at TEXT NOT NULL,
			tool_version TEXT NOT NULL,
			app_kind TEXT NOT NULL,
			manifest TEXT NOT NULL,
			app_warnings TEXT NOT NULL,
			db_warnings TEXT NOT NULL,
			functions INTEGER NOT NULL,
			incomplete INTEGER NOT NULL,
			findings INTEGER NOT NULL,
			risk_critical INTEGER NOT NULL,
			risk_high INTEGER NOT NULL,
			risk_medium INTEGER NOT NULL,
			risk_low INTEGER NOT NULL,
			risk_none INTEGER NOT NULL,
			new_findings INTEGER NOT NULL,
			unchanged_findings INTEGER NOT NULL,
			fixed_findings INTEGER NOT NULL,
			exit_code INTEGER NOT NULL,
			report {{blob}} NOT NULL
		)`,
		`CREATE INDEX scans_by_application ON scans (application_id, recorded_at, id)`,
		`CREATE TABLE scan_labels (
			scan_id BIGINT NOT NULL REFERENCES scans(id),
			key TEXT NOT NULL,
			value TEXT NOT NULL,
			PRIMARY KEY (scan_id, key)
		)`,
		`CREATE INDEX scan_labels_by_value ON scan_labels (key, value)`,
		`CREATE TABLE database_snapshots (
			scan_id BIGINT NOT NULL REFERENCES scans(id),
			ecosystem TEXT NOT NULL,
			records INTEGER NOT NULL,
			modified TEXT NOT NULL,
			sha256 TEXT NOT NULL,
			PRIMARY KEY (scan_id, ecosystem)
		)`,
		`CREATE TABLE sboms (
			sha256 TEXT PRIMARY KEY,
			document {{blob}} NOT NULL
		)`,
		`CREATE TABLE functions (
			id {{id}},
			scan_id BIGINT NOT NULL REFERENCES scans(id),
			position INTEGER NOT NULL,
			name TEXT NOT NULL,
			runtime TEXT NOT NULL,
			handler TEXT NOT NULL,
			package_type TEXT NOT NULL,
			source_file TEXT NOT NULL,
			source_line INTEGER NOT NULL,
			status TEXT NOT NULL,
			errors TEXT NOT NULL,
			triggers TEXT NOT NULL,
			exposure TEXT NOT NULL,
			privilege TEXT NOT NULL,
			privilege_reasons TEXT NOT NULL,
			risk_level TEXT NOT NULL,
			risk_score INTEGER NOT NULL,
			risk_reasons TEXT NOT NULL,
			sbom_sha256 TEXT NOT NULL REFERENCES sboms(sha256),
			UNIQUE (scan_id, position)
		)`,
		`CREATE TABLE artifacts (
			function_id BIGINT NOT NULL REFERENCES functions(id),
			position INTEGER NOT NULL,
			role TEXT NOT NULL,
			name TEXT NOT NULL,
			path TEXT NOT NULL,
			sha256 TEXT NOT NULL,
			ref TEXT NOT NULL,
			PRIMARY KEY (function_id, position)
		)`,
		`CREATE INDEX artifacts_by_digest ON artifacts (sha256)`,
		`CREATE TABLE findings (
			function_id BIGINT NOT NULL REFERENCES functions(id),
			position INTEGER NOT NULL,
			advisory_id TEXT NOT NULL,
			ecosystem TEXT NOT NULL,
			package TEXT NOT NULL,
			version TEXT NOT NULL,
			artifact TEXT NOT NULL,
			location TEXT NOT NULL,
			severity TEXT NOT NULL,
			risk TEXT NOT NULL,
			suppressed INTEGER NOT NULL,
			change TEXT NOT NULL,
			aliases TEXT NOT NULL,
			PRIMARY KEY (function_id, position)
		)`,
		`CREATE INDEX findings_by_advisory ON findings (advisory_id)`,
	}},
}

// migrationsTable records the applied steps.
const migrationsTable = `CREATE TABLE IF NOT EXISTS fnaudit_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// migrate applies the missing steps in one transaction. The dialect's lock
// serialises concurrent starts (SQLite: the transaction's write lock, taken
// at BEGIN; PostgreSQL: a transaction-scoped advisory lock), so each step is
// applied exactly once and a store newer than this program is refused.
func (s *DB) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrating %s: %w", s.name, err)
	}
	defer tx.Rollback()
	if s.d.lockMigrations != "" {
		if _, err := tx.ExecContext(ctx, s.d.lockMigrations); err != nil {
			return fmt.Errorf("migrating %s: taking the migration lock: %w", s.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, migrationsTable); err != nil {
		return fmt.Errorf("migrating %s: %w", s.name, err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM fnaudit_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrating %s: reading the schema version: %w", s.name, err)
	}
	latest := migrations[len(migrations)-1].version
	if current > latest {
		return fmt.Errorf("%s has schema version %d, newer than this fnaudit knows (%d): upgrade fnaudit", s.name, current, latest)
	}
	for _, m := range migrations {
		if m.version <= current {
			continue
		}
		if err := s.apply(ctx, tx, m); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrating %s: %w", s.name, err)
	}
	return nil
}

// apply runs one migration step inside tx and records it.
func (s *DB) apply(ctx context.Context, tx *sql.Tx, m migration) error {
	r := strings.NewReplacer("{{id}}", s.d.idType, "{{blob}}", s.d.blobType)
	for _, stmt := range m.stmts {
		if _, err := tx.ExecContext(ctx, r.Replace(stmt)); err != nil {
			return fmt.Errorf("migrating %s to version %d (%s): %w", s.name, m.version, m.name, err)
		}
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO fnaudit_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		m.version, m.name, formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("migrating %s: recording version %d: %w", s.name, m.version, err)
	}
	return nil
}

// SchemaVersion is the schema version this fnaudit writes.
func SchemaVersion() int { return migrations[len(migrations)-1].version }
