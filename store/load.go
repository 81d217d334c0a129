package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

// entryColumns are the columns scanEntry reads, from scans s joined with
// applications a.
const entryColumns = `s.id, a.name, s.kind, COALESCE(s.base_id, 0), s.recorded_at, s.tool_version,
	s.functions, s.incomplete, s.findings, s.risk_critical, s.risk_high, s.risk_medium, s.risk_low, s.risk_none,
	s.new_findings, s.unchanged_findings, s.fixed_findings, s.exit_code, s.app_kind, s.manifest, s.app_warnings`

// maxIn bounds the values of one IN (...) list.
const maxIn = 500

// filter returns the WHERE conditions of q on the scans row called scan
// (joined with applications a) and their arguments. Only the number of
// conditions depends on q; values are always bound.
func filter(q Query, scan string) (string, []any) {
	var conds []string
	var args []any
	if q.Application != "" {
		conds = append(conds, "a.name = ?")
		args = append(args, q.Application)
	}
	for _, k := range slices.Sorted(maps.Keys(q.Labels)) {
		conds = append(conds, "EXISTS (SELECT 1 FROM scan_labels l WHERE l.scan_id = "+scan+".id AND l.key = ? AND l.value = ?)")
		args = append(args, k, q.Labels[k])
	}
	if len(conds) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(conds, " AND "), args
}

// Entries lists the entries matching q, oldest first.
func (s *DB) Entries(ctx context.Context, q Query) ([]Entry, error) {
	where, args := filter(q, "s")
	return s.entries(ctx, `SELECT `+entryColumns+` FROM scans s JOIN applications a ON a.id = s.application_id
		WHERE `+where+` ORDER BY s.recorded_at, s.id`, args)
}

// Latest returns the newest entry matching q of each application, by name.
func (s *DB) Latest(ctx context.Context, q Query) ([]Entry, error) {
	where, args := filter(q, "s")
	newer, newerArgs := filter(q, "n")
	return s.entries(ctx, `SELECT `+entryColumns+` FROM scans s JOIN applications a ON a.id = s.application_id
		WHERE `+where+` AND NOT EXISTS (
			SELECT 1 FROM scans n WHERE n.application_id = s.application_id
			AND (n.recorded_at > s.recorded_at OR (n.recorded_at = s.recorded_at AND n.id > s.id))
			AND `+newer+`)
		ORDER BY a.name`, append(args, newerArgs...))
}

// entries runs an entry query and adds the labels.
func (s *DB) entries(ctx context.Context, query string, args []any) ([]Entry, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.name, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", s.name, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.name, err)
	}
	rows.Close()
	return out, s.addLabels(ctx, out)
}

func scanEntry(rows *sql.Rows) (Entry, error) {
	var e Entry
	var kind, at, warnings string
	var c, h, m, l, n int
	err := rows.Scan(&e.ID, &e.Application, &kind, &e.Base, &at, &e.ToolVersion,
		&e.Counts.Functions, &e.Counts.Incomplete, &e.Counts.Findings, &c, &h, &m, &l, &n,
		&e.Counts.New, &e.Counts.Unchanged, &e.Counts.Fixed, &e.Counts.ExitCode, &e.AppKind, &e.Manifest, &warnings)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(warnings), &e.AppWarnings); err != nil {
		return e, fmt.Errorf("entry %d: application warnings: %w", e.ID, err)
	}
	e.Kind = Kind(kind)
	if e.RecordedAt, err = parseTime(at); err != nil {
		return e, fmt.Errorf("entry %d: %w", e.ID, err)
	}
	e.Counts.ByRisk = map[reports.Level]int{reports.LevelCritical: c, reports.LevelHigh: h,
		reports.LevelMedium: m, reports.LevelLow: l, reports.LevelNone: n}
	e.Labels = map[string]string{}
	return e, nil
}

// addLabels reads the labels of entries.
func (s *DB) addLabels(ctx context.Context, entries []Entry) error {
	index := map[int64]*Entry{}
	ids := make([]any, len(entries))
	for i := range entries {
		index[entries[i].ID] = &entries[i]
		ids[i] = entries[i].ID
	}
	for chunk := range slices.Chunk(ids, maxIn) {
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT scan_id, key, value FROM scan_labels WHERE scan_id IN (`+placeholders(len(chunk))+`)`), chunk...)
		if err != nil {
			return fmt.Errorf("reading labels from %s: %w", s.name, err)
		}
		for rows.Next() {
			var id int64
			var k, v string
			if err := rows.Scan(&id, &k, &v); err != nil {
				rows.Close()
				return fmt.Errorf("reading labels from %s: %w", s.name, err)
			}
			index[id].Labels[k] = v
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("reading labels from %s: %w", s.name, err)
		}
	}
	return nil
}

// Applications lists the applications, by name.
func (s *DB) Applications(ctx context.Context) ([]Application, error) {
	latest, err := s.Latest(ctx, Query{})
	if err != nil {
		return nil, err
	}
	newest := map[string]int64{}
	for _, e := range latest {
		newest[e.Application] = e.ID
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.name, COUNT(s.id)
		FROM applications a JOIN scans s ON s.application_id = a.id GROUP BY a.name ORDER BY a.name`)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.name, err)
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		var a Application
		if err := rows.Scan(&a.Name, &a.Entries); err != nil {
			return nil, fmt.Errorf("reading %s: %w", s.name, err)
		}
		a.Latest = newest[a.Name]
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.name, err)
	}
	return out, nil
}

// Report loads the report an entry was saved with.
func (s *DB) Report(ctx context.Context, entry int64) (*reports.Report, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT report FROM scans WHERE id = ?`), entry).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("entry %d: %w", entry, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading entry %d from %s: %w", entry, s.name, err)
	}
	if data, err = s.z.unpack(data); err != nil {
		return nil, fmt.Errorf("reading entry %d from %s: %w", entry, s.name, err)
	}
	var r reports.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reading entry %d from %s: decoding its report: %w", entry, s.name, err)
	}
	return &r, nil
}

// LayerUses lists the functions of every application's newest entry that
// run a layer with one of digests.
func (s *DB) LayerUses(ctx context.Context, digests []string) ([]LayerUse, error) {
	var out []LayerUse
	for chunk := range slices.Chunk(slices.Compact(slices.Sorted(slices.Values(digests))), maxIn) {
		args := []any{string(bundle.RoleLayer)}
		for _, d := range chunk {
			args = append(args, d)
		}
		uses, err := s.layerUses(ctx, args)
		if err != nil {
			return nil, fmt.Errorf("reading layer uses from %s: %w", s.name, err)
		}
		out = append(out, uses...)
	}
	return out, nil
}

func (s *DB) layerUses(ctx context.Context, args []any) ([]LayerUse, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT a.name, f.name, ar.name, ar.sha256, s.id
		FROM scans s JOIN applications a ON a.id = s.application_id
		JOIN functions f ON f.scan_id = s.id JOIN artifacts ar ON ar.function_id = f.id
		WHERE NOT EXISTS (SELECT 1 FROM scans n WHERE n.application_id = s.application_id
			AND (n.recorded_at > s.recorded_at OR (n.recorded_at = s.recorded_at AND n.id > s.id)))
		AND ar.role = ? AND ar.sha256 IN (`+placeholders(len(args)-1)+`)
		ORDER BY a.name, f.name, ar.name`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LayerUse
	for rows.Next() {
		var u LayerUse
		if err := rows.Scan(&u.Application, &u.Function, &u.Layer, &u.SHA256, &u.Entry); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
