package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/reports"
)

// Save records rec in one transaction and returns the new entry.
func (s *DB) Save(ctx context.Context, rec Record) (Entry, error) {
	if err := rec.check(); err != nil {
		return Entry{}, fmt.Errorf("saving to %s: %w", s.name, err)
	}
	report, err := json.Marshal(rec.Report)
	if err != nil {
		return Entry{}, fmt.Errorf("saving to %s: encoding the report: %w", s.name, err)
	}
	report = s.z.pack(report)
	app := rec.Report.Application
	e := Entry{Application: app.Name, AppKind: app.Kind, Manifest: app.Manifest, AppWarnings: app.Warnings,
		Kind: rec.Kind, Base: rec.Base,
		RecordedAt: s.now().UTC(), ToolVersion: rec.Report.Tool.Version,
		Labels: maps.Clone(rec.Labels), Counts: countsOf(rec.Report)}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Entry{}, fmt.Errorf("saving to %s: %w", s.name, err)
	}
	defer tx.Rollback()
	w := writer{s: s, tx: tx}
	if e.ID, err = w.scan(ctx, rec, e, report); err != nil {
		return Entry{}, fmt.Errorf("saving %s to %s: %w", e.Application, s.name, err)
	}
	if err := w.contents(ctx, e.ID, rec); err != nil {
		return Entry{}, fmt.Errorf("saving %s to %s: %w", e.Application, s.name, err)
	}
	if err := tx.Commit(); err != nil {
		return Entry{}, fmt.Errorf("saving %s to %s: %w", e.Application, s.name, err)
	}
	return e, nil
}

// check rejects a record the store cannot keep whole.
func (rec Record) check() error {
	switch {
	case rec.Report == nil:
		return fmt.Errorf("no report")
	case rec.Kind != KindScan && rec.Kind != KindRescan:
		return fmt.Errorf("unknown entry kind %q", rec.Kind)
	case rec.Kind == KindRescan && rec.Base <= 0:
		return fmt.Errorf("a rescan needs the entry it re-matched")
	case len(rec.Documents) != len(rec.Report.Functions):
		return fmt.Errorf("%d SBOM documents for %d functions", len(rec.Documents), len(rec.Report.Functions))
	case rec.Report.Application.Name == "":
		return fmt.Errorf("the report names no application")
	}
	for i, d := range rec.Documents {
		if d.JSON == nil && d.SHA256 == "" {
			return fmt.Errorf("function %s has no SBOM document", rec.Report.Functions[i].Name)
		}
	}
	return nil
}

// countsOf summarises a report.
func countsOf(r *reports.Report) Counts {
	c := Counts{Functions: r.Summary.Functions, Incomplete: r.Summary.Incomplete,
		Findings: r.Summary.Findings, ByRisk: maps.Clone(r.Summary.ByRisk), ExitCode: r.Summary.Gate.ExitCode}
	if c.ByRisk == nil {
		c.ByRisk = map[reports.Level]int{}
	}
	if ch := r.Summary.Changes; ch != nil {
		c.New, c.Unchanged, c.Fixed = ch.New, ch.Unchanged, ch.Fixed
	}
	return c
}

// writer writes one entry inside its transaction.
type writer struct {
	s  *DB
	tx *sql.Tx
}

// scan writes the application (if new), the entry's row, its labels and its
// database snapshot, and returns the entry's ID.
func (w writer) scan(ctx context.Context, rec Record, e Entry, report []byte) (int64, error) {
	appID, err := w.application(ctx, e.Application)
	if err != nil {
		return 0, err
	}
	r := rec.Report
	var base any
	if rec.Kind == KindRescan {
		base = rec.Base
	}
	var id int64
	err = w.tx.QueryRowContext(ctx, w.s.q(`INSERT INTO scans (application_id, kind, base_id, recorded_at, tool_version,
		app_kind, manifest, app_warnings, db_warnings, functions, incomplete, findings,
		risk_critical, risk_high, risk_medium, risk_low, risk_none,
		new_findings, unchanged_findings, fixed_findings, exit_code, report)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		appID, string(rec.Kind), base, formatTime(e.RecordedAt), e.ToolVersion,
		string(r.Application.Kind), r.Application.Manifest, jsonText(r.Application.Warnings), jsonText(r.Database.Warnings),
		e.Counts.Functions, e.Counts.Incomplete, e.Counts.Findings,
		e.Counts.ByRisk[reports.LevelCritical], e.Counts.ByRisk[reports.LevelHigh], e.Counts.ByRisk[reports.LevelMedium],
		e.Counts.ByRisk[reports.LevelLow], e.Counts.ByRisk[reports.LevelNone],
		e.Counts.New, e.Counts.Unchanged, e.Counts.Fixed, e.Counts.ExitCode, report).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("recording the entry: %w", err)
	}
	if err := w.labels(ctx, id, rec.Labels); err != nil {
		return 0, err
	}
	return id, w.snapshot(ctx, id, r)
}

// application returns the ID of the application called name, adding it
// when new. Concurrent writers adding the same name both get its one row.
func (w writer) application(ctx context.Context, name string) (int64, error) {
	if _, err := w.tx.ExecContext(ctx, w.s.q(`INSERT INTO applications (name) VALUES (?) ON CONFLICT (name) DO NOTHING`), name); err != nil {
		return 0, fmt.Errorf("recording the application: %w", err)
	}
	var id int64
	if err := w.tx.QueryRowContext(ctx, w.s.q(`SELECT id FROM applications WHERE name = ?`), name).Scan(&id); err != nil {
		return 0, fmt.Errorf("recording the application: %w", err)
	}
	return id, nil
}

func (w writer) labels(ctx context.Context, id int64, labels map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if _, err := w.tx.ExecContext(ctx, w.s.q(`INSERT INTO scan_labels (scan_id, key, value) VALUES (?, ?, ?)`), id, k, labels[k]); err != nil {
			return fmt.Errorf("recording label %s: %w", k, err)
		}
	}
	return nil
}

// snapshot records the database the entry was matched against.
func (w writer) snapshot(ctx context.Context, id int64, r *reports.Report) error {
	for _, eco := range r.Database.Ecosystems {
		modified := ""
		if !eco.Modified.IsZero() {
			modified = formatTime(eco.Modified)
		}
		if _, err := w.tx.ExecContext(ctx, w.s.q(`INSERT INTO database_snapshots (scan_id, ecosystem, records, modified, sha256)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), id, eco.Name, eco.Records, modified, eco.SHA256); err != nil {
			return fmt.Errorf("recording the database snapshot: %w", err)
		}
	}
	return nil
}

// contents writes the documents, functions, artifacts and findings.
// Artifacts and findings, most of the rows, are inserted batchRows at a
// time: one statement per row made recording 10,000 functions take
// seconds, in round trips to PostgreSQL and statement overhead in SQLite.
func (w writer) contents(ctx context.Context, id int64, rec Record) error {
	stmts, err := w.prepare(ctx)
	if err != nil {
		return err
	}
	defer stmts.close()
	fns := rec.Report.Functions
	for lo := 0; lo < len(fns); lo += batchRows {
		hi := min(lo+batchRows, len(fns))
		for i := lo; i < hi; i++ {
			digest, err := stmts.document(ctx, rec.Documents[i])
			if err != nil {
				return err
			}
			stmts.queueFunction(id, i, &fns[i], digest)
		}
		ids, err := stmts.fn.insertReturningIDs(ctx)
		if err != nil {
			return fmt.Errorf("recording functions: %w", err)
		}
		if len(ids) != hi-lo {
			return fmt.Errorf("recording functions: %d ids for %d functions", len(ids), hi-lo)
		}
		for i := lo; i < hi; i++ {
			if err := stmts.queueContents(ctx, ids[i-lo], &fns[i]); err != nil {
				return err
			}
		}
	}
	if err := stmts.art.flush(ctx); err != nil {
		return fmt.Errorf("recording artifacts: %w", err)
	}
	if err := stmts.finding.flush(ctx); err != nil {
		return fmt.Errorf("recording findings: %w", err)
	}
	return nil
}

// statements are the prepared inserts of an entry's contents.
type statements struct {
	doc              *sql.Stmt
	fn, art, finding *batch
	z                codec
}

func (w writer) prepare(ctx context.Context) (*statements, error) {
	st := statements{z: w.s.z}
	var err error
	prep := func(dst **sql.Stmt, q string) {
		if err == nil {
			*dst, err = w.tx.PrepareContext(ctx, w.s.q(q))
		}
	}
	prep(&st.doc, `INSERT INTO sboms (sha256, document) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING`)
	if err != nil {
		st.close()
		return nil, fmt.Errorf("preparing the inserts: %w", err)
	}
	st.fn = w.batch(`INSERT INTO functions (scan_id, position, name, runtime, handler, package_type, source_file, source_line,
		status, errors, triggers, exposure, privilege, privilege_reasons, risk_level, risk_score, risk_reasons, sbom_sha256)`, 18)
	st.fn.tail = " RETURNING id, position"
	st.art = w.batch(`INSERT INTO artifacts (function_id, position, role, name, path, sha256, ref)`, 7)
	st.finding = w.batch(`INSERT INTO findings (function_id, position, advisory_id, ecosystem, package, version, artifact,
		location, severity, risk, suppressed, change, aliases)`, 13)
	return &st, nil
}

func (st *statements) close() {
	if st.doc != nil {
		st.doc.Close()
	}
	for _, b := range []*batch{st.fn, st.art, st.finding} {
		if b != nil && b.full != nil {
			b.full.Close()
		}
	}
}

// batchRows is how many rows one batched INSERT writes: 13 columns × 100
// rows stays far below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const batchRows = 100

// batch collects the rows of one table and inserts them batchRows at a
// time, with a statement prepared once for full batches.
type batch struct {
	w    writer
	head string // INSERT INTO t (columns)
	tail string // after the rows: RETURNING ...
	cols int
	args []any
	rows int
	full *sql.Stmt
}

func (w writer) batch(head string, cols int) *batch {
	return &batch{w: w, head: head, cols: cols, args: make([]any, 0, cols*batchRows)}
}

// add queues one row (cols values), writing the batch when it is full.
func (b *batch) add(ctx context.Context, values ...any) error {
	b.queue(values...)
	if b.rows < batchRows {
		return nil
	}
	return b.flush(ctx)
}

// queue queues one row without writing.
func (b *batch) queue(values ...any) {
	b.args = append(b.args, values...)
	b.rows++
}

// insertReturningIDs writes the queued rows of a batch whose tail is
// "RETURNING id, position" and returns their ids in position order.
func (b *batch) insertReturningIDs(ctx context.Context) ([]int64, error) {
	n := b.rows
	rows, err := b.w.tx.QueryContext(ctx, b.query(n), b.args...)
	b.args, b.rows = b.args[:0], 0
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type idAt struct{ id, pos int64 }
	got := make([]idAt, 0, n)
	for rows.Next() {
		var r idAt
		if err := rows.Scan(&r.id, &r.pos); err != nil {
			return nil, err
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(got, func(a, b idAt) int { return cmp.Compare(a.pos, b.pos) })
	ids := make([]int64, len(got))
	for i, r := range got {
		ids[i] = r.id
	}
	return ids, nil
}

// flush writes the queued rows.
func (b *batch) flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	var err error
	if b.rows == batchRows {
		if b.full == nil {
			if b.full, err = b.w.tx.PrepareContext(ctx, b.query(batchRows)); err != nil {
				return err
			}
		}
		_, err = b.full.ExecContext(ctx, b.args...)
	} else {
		_, err = b.w.tx.ExecContext(ctx, b.query(b.rows), b.args...)
	}
	b.args, b.rows = b.args[:0], 0
	return err
}

// query is the INSERT of n rows, in the backend's placeholder style.
func (b *batch) query(n int) string {
	row := "(" + strings.Repeat("?, ", b.cols-1) + "?)"
	return b.w.s.q(b.head + " VALUES " + strings.Repeat(row+", ", n-1) + row + b.tail)
}

// document stores d once per content and returns its digest.
func (st *statements) document(ctx context.Context, d Document) (string, error) {
	if d.JSON == nil {
		return d.SHA256, nil
	}
	sum := sha256.Sum256(d.JSON)
	digest := hex.EncodeToString(sum[:])
	if _, err := st.doc.ExecContext(ctx, digest, st.z.pack(d.JSON)); err != nil {
		return "", fmt.Errorf("recording an SBOM document: %w", err)
	}
	return digest, nil
}

// queueFunction queues the row of one function.
func (st *statements) queueFunction(scanID int64, pos int, fn *reports.Function, digest string) {
	st.fn.queue(scanID, pos, fn.Name, fn.Runtime, fn.Handler, fn.PackageType,
		fn.Source.File, fn.Source.Line, fn.Status, jsonText(fn.Errors), jsonText(fn.Triggers),
		string(fn.Exposure), string(fn.Privilege), jsonText(fn.PrivilegeReasons),
		string(fn.Risk.Level), fn.Risk.Score, jsonText(fn.Risk.Reasons), digest)
}

// queueContents queues the artifacts and findings of the function recorded
// as id.
func (st *statements) queueContents(ctx context.Context, id int64, fn *reports.Function) error {
	for i, a := range fn.Artifacts {
		if err := st.art.add(ctx, id, i, string(a.Role), a.Name, a.Path, a.SHA256, a.Ref); err != nil {
			return fmt.Errorf("recording artifacts (%s): %w", fn.Name, err)
		}
	}
	for i := range fn.Findings {
		f := &fn.Findings[i]
		suppressed := 0
		if f.Suppressed {
			suppressed = 1
		}
		if err := st.finding.add(ctx, id, i, f.ID, f.Ecosystem, f.Package, f.Version, f.Artifact,
			f.Location, string(f.Severity), string(f.Risk), suppressed, f.Change, strings.Join(f.Aliases, "\n")); err != nil {
			return fmt.Errorf("recording findings (%s): %w", fn.Name, err)
		}
	}
	return nil
}

// jsonText encodes a list for a TEXT column ("[]" for none).
func jsonText[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "[]" // plain data: cannot fail
	}
	return string(b)
}
