package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

// Functions loads the functions of an entry in report order, each with its
// SBOM document, artifacts and recorded findings (Packages stay empty: they
// are in the document).
func (s *DB) Functions(ctx context.Context, entry int64) ([]Function, error) {
	fns, err := s.functionRows(ctx, entry)
	if err == nil {
		err = s.artifactRows(ctx, entry, fns)
	}
	if err == nil {
		err = s.findingRows(ctx, entry, fns)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the functions of entry %d from %s: %w", entry, s.name, err)
	}
	return fns, nil
}

func (s *DB) functionRows(ctx context.Context, entry int64) ([]Function, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT f.name, f.runtime, f.handler, f.package_type, f.source_file,
		f.source_line, f.status, f.errors, f.triggers, f.exposure, f.privilege, f.privilege_reasons,
		f.risk_level, f.risk_score, f.risk_reasons, f.sbom_sha256, d.document
		FROM functions f JOIN sboms d ON d.sha256 = f.sbom_sha256 WHERE f.scan_id = ? ORDER BY f.position`), entry)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Function
	for rows.Next() {
		var f Function
		var errs, triggers, reasons, riskReasons string
		err := rows.Scan(&f.Name, &f.Runtime, &f.Handler, &f.PackageType, &f.Source.File, &f.Source.Line,
			&f.Status, &errs, &triggers, &f.Exposure, &f.Privilege, &reasons,
			&f.Risk.Level, &f.Risk.Score, &riskReasons, &f.SBOMDigest, &f.SBOM)
		if err != nil {
			return nil, err
		}
		if f.SBOM, err = s.z.unpack(f.SBOM); err != nil {
			return nil, fmt.Errorf("function %s: %w", f.Name, err)
		}
		if err := decodeLists(&f.Function, errs, triggers, reasons, riskReasons); err != nil {
			return nil, fmt.Errorf("function %s: %w", f.Name, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// decodeLists decodes the function's list columns.
func decodeLists(f *reports.Function, errs, triggers, reasons, riskReasons string) error {
	f.Errors, f.Triggers, f.PrivilegeReasons, f.Risk.Reasons = []string{}, []bundle.Trigger{}, []string{}, []string{}
	for _, c := range []struct {
		text string
		dst  any
	}{{errs, &f.Errors}, {triggers, &f.Triggers}, {reasons, &f.PrivilegeReasons}, {riskReasons, &f.Risk.Reasons}} {
		if err := json.Unmarshal([]byte(c.text), c.dst); err != nil {
			return err
		}
	}
	return nil
}

// artifactRows adds the artifacts to fns, in load order.
func (s *DB) artifactRows(ctx context.Context, entry int64, fns []Function) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT f.position, ar.role, ar.name, ar.path, ar.sha256, ar.ref
		FROM artifacts ar JOIN functions f ON f.id = ar.function_id WHERE f.scan_id = ? ORDER BY f.position, ar.position`), entry)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pos int
		var a bundle.Artifact
		if err := rows.Scan(&pos, &a.Role, &a.Name, &a.Path, &a.SHA256, &a.Ref); err != nil {
			return err
		}
		if pos < 0 || pos >= len(fns) {
			return fmt.Errorf("artifact %s of a function that is not stored", a.Name)
		}
		fns[pos].Artifacts = append(fns[pos].Artifacts, a)
	}
	return rows.Err()
}

// findingRows adds the recorded findings to fns, in recorded order: their
// identity (advisory ID and aliases, package occurrence), severity, risk,
// suppression and change. The rest of each finding (summary, fixed
// versions, exception, ...) is in the entry's report.
func (s *DB) findingRows(ctx context.Context, entry int64, fns []Function) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT f.position, x.advisory_id, x.aliases, x.ecosystem, x.package, x.version,
		x.artifact, x.location, x.severity, x.risk, x.suppressed, x.change
		FROM findings x JOIN functions f ON f.id = x.function_id WHERE f.scan_id = ? ORDER BY f.position, x.position`), entry)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pos, suppressed int
		var aliases string
		var f reports.Finding
		if err := rows.Scan(&pos, &f.ID, &aliases, &f.Ecosystem, &f.Package, &f.Version, &f.Artifact, &f.Location,
			&f.Severity, &f.Risk, &suppressed, &f.Change); err != nil {
			return err
		}
		f.Suppressed = suppressed != 0
		if aliases != "" {
			f.Aliases = strings.Split(aliases, "\n")
		}
		if pos < 0 || pos >= len(fns) {
			return fmt.Errorf("finding %s of a function that is not stored", f.ID)
		}
		fns[pos].Findings = append(fns[pos].Findings, f)
	}
	return rows.Err()
}
