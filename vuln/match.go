package vuln

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/enricher/vulnmatch/osvlocal"
	"github.com/google/osv-scalibr/inventory/osvecosystem"
	"github.com/google/osv-scalibr/semantic"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	"golang.org/x/sync/errgroup"

	"github.com/fnaudit/fnaudit/sbom"
)

// maxProblemsListed bounds the per-record reasons quoted in one warning.
const maxProblemsListed = 5

// plan is the work of one Match call: the distinct packages to check, grouped
// by the archive that holds their ecosystem, and what cannot be checked.
type plan struct {
	occurrences map[sbom.Key][]sbom.Package
	byZip       map[string][]*target
	warnings    []Warning
}

// Match checks pkgs against the database and returns one finding per
// package occurrence and advisory, sorted by ecosystem, package, version,
// artifact, location and ID. Packages that cannot be checked (ecosystem
// without archive or without version ordering, version that does not parse)
// and records that cannot be decoded become warnings. The error is non-nil
// only when ctx ends or an archive needed cannot be read.
func (db *DB) Match(ctx context.Context, pkgs []sbom.Package) ([]Finding, []Warning, error) {
	p := db.plan(pkgs)
	zips := slices.Sorted(maps.Keys(p.byZip))
	data := make([]*ecosystemData, len(zips))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	for i, name := range zips {
		g.Go(func() (err error) {
			data[i], err = db.load(gctx, name)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	var out []Finding
	warnings := p.warnings
	for i, d := range data {
		f, w, err := db.matchZip(ctx, d, p.byZip[zips[i]], p.occurrences)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, f...)
		warnings = append(warnings, w...)
	}
	slices.SortFunc(out, Compare)
	return out, warnings, nil
}

// plan validates pkgs and assigns each distinct package to an archive.
func (db *DB) plan(pkgs []sbom.Package) plan {
	p := plan{occurrences: map[sbom.Key][]sbom.Package{}, byZip: map[string][]*target{}}
	var keys []sbom.Key
	for _, pkg := range pkgs {
		k := pkg.Key()
		if _, seen := p.occurrences[k]; !seen {
			keys = append(keys, k)
		}
		p.occurrences[k] = append(p.occurrences[k], pkg)
	}
	missing := map[string]int{}
	unsupported := map[string]int{}
	for _, k := range keys {
		switch t, zip, err := db.prepare(k); {
		case errors.Is(err, errUnsupported):
			unsupported[k.Ecosystem] += len(p.occurrences[k])
		case err != nil:
			p.warnings = append(p.warnings, Warning{Ecosystem: k.Ecosystem,
				Message: fmt.Sprintf("%s/%s@%s: %v: not checked", k.Ecosystem, k.Name, k.Version, err)})
		case zip == "":
			missing[k.Ecosystem] += len(p.occurrences[k])
		default:
			p.byZip[zip] = append(p.byZip[zip], t)
		}
	}
	p.warnings = append(p.warnings, db.uncheckedWarnings(unsupported, missing)...)
	slices.SortFunc(p.warnings, func(a, b Warning) int {
		return cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.Message, b.Message))
	})
	return p
}

// uncheckedWarnings reports, per ecosystem, the packages left unchecked
// because fnaudit cannot order the ecosystem's versions or the database has
// no archive for it.
func (db *DB) uncheckedWarnings(unsupported, missing map[string]int) []Warning {
	var out []Warning
	for _, eco := range slices.Sorted(maps.Keys(unsupported)) {
		out = append(out, Warning{Ecosystem: eco, Message: fmt.Sprintf(
			"ecosystem %q is not supported: %d packages not checked", eco, unsupported[eco])})
	}
	for _, eco := range slices.Sorted(maps.Keys(missing)) {
		out = append(out, Warning{Ecosystem: eco, Message: fmt.Sprintf(
			"no advisories for ecosystem %s in %s: %d packages not checked", eco, db.dir, missing[eco])})
	}
	return out
}

// prepare builds the target of k and finds its archive ("" when absent).
func (db *DB) prepare(k sbom.Key) (*target, string, error) {
	t, err := newTarget(k)
	if err != nil {
		return nil, "", err
	}
	zip, ok := db.zipFor(k.Ecosystem)
	if !ok {
		return t, "", nil
	}
	return t, zip, nil
}

// matchZip matches the targets of one archive.
func (db *DB) matchZip(ctx context.Context, d *ecosystemData, targets []*target,
	occ map[sbom.Key][]sbom.Package) ([]Finding, []Warning, error) {
	var out []Finding
	var problems []string
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		recs, err := d.records(d.byName[t.name])
		if err != nil {
			return nil, nil, err
		}
		hits, probs := matchTarget(t, recs)
		problems = append(problems, probs...)
		out = append(out, findings(occ[t.key], mergeHits(string(t.eco.Ecosystem), hits))...)
	}
	return out, db.zipWarnings(d, problems), nil
}

// zipWarnings reports the records of d that could not be decoded and the
// matching problems met.
func (db *DB) zipWarnings(d *ecosystemData, problems []string) []Warning {
	rel, err := filepath.Rel(db.dir, d.path)
	if err != nil {
		rel = d.path
	}
	var out []Warning
	if bad := d.problems(); len(bad) > 0 {
		out = append(out, Warning{Ecosystem: d.name, Message: fmt.Sprintf(
			"%s: %d records could not be decoded: %s", rel, len(bad), listSome(bad))})
	}
	slices.Sort(problems)
	problems = slices.Compact(problems)
	if len(problems) > 0 {
		out = append(out, Warning{Ecosystem: d.name, Message: fmt.Sprintf(
			"%s: %d advisory ranges could not be evaluated: %s", rel, len(problems), listSome(problems))})
	}
	return out
}

// listSome joins the first maxProblemsListed items and counts the rest.
func listSome(items []string) string {
	if len(items) <= maxProblemsListed {
		return strings.Join(items, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(items[:maxProblemsListed], "; "), len(items)-maxProblemsListed)
}

// matchTarget returns the records (sorted by ID) that affect t, and the
// problems met evaluating their ranges.
func matchTarget(t *target, recs []*osvpb.Vulnerability) ([]hit, []string) {
	var hits []hit
	var problems []string
	for _, v := range recs {
		if v.GetWithdrawn() != nil {
			continue
		}
		h := hit{rec: v}
		for _, a := range v.GetAffected() {
			if !names(t, a) {
				continue
			}
			ok, probs := affects(t, v.GetId(), a)
			problems = append(problems, probs...)
			if ok {
				h.affected = append(h.affected, a)
				h.fixed = append(h.fixed, fixedVersions(a)...)
			}
		}
		if len(h.affected) > 0 {
			hits = append(hits, h)
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Compare(a.rec.GetId(), b.rec.GetId()) })
	hits = slices.CompactFunc(hits, func(a, b hit) bool { return a.rec.GetId() == b.rec.GetId() })
	return hits, problems
}

// names reports whether the affected entry is about t's package: same
// ecosystem ("Debian:12" matches "Debian:12" and a suffix-less "Debian", not
// "Debian:11") and same normalised name.
func names(t *target, a *osvpb.Affected) bool {
	eco, err := osvecosystem.Parse(a.GetPackage().GetEcosystem())
	if err != nil || !eco.Equal(t.eco) {
		return false
	}
	return normaliseName(eco.Ecosystem, a.GetPackage().GetName()) == t.name
}

// affects evaluates one affected entry for t with osv-scalibr.
//
// osv-scalibr is given one entry per call, rewritten to name t exactly as
// osv-scalibr names it, with a single range at a time:
//   - its range walk stops at the first range that is not ECOSYSTEM or
//     SEMVER, so a PyPI entry listing a GIT range first never had its
//     ECOSYSTEM range evaluated (TestScalibrGitRangeFirst);
//   - it compares names exactly, while PyPI names are compared after PEP 503
//     normalisation (records spell "PyYAML", "Jinja2");
//   - it sorts the range's events in place, which would race when several
//     goroutines match against the shared decoded records; the copy has its
//     own event slice;
//   - it panics on an event version that does not parse (semantic.MustParse);
//     such ranges are skipped and reported.
func affects(t *target, id string, a *osvpb.Affected) (bool, []string) {
	pkg := &osvpb.Package{Ecosystem: t.pkg.Ecosystem().String(), Name: t.name}
	var problems []string
	note := func(ok bool, err error) bool {
		if err != nil {
			problems = append(problems, err.Error())
		}
		return ok
	}
	if len(a.GetVersions()) > 0 && note(evaluate(t, id, &osvpb.Affected{Package: pkg, Versions: a.GetVersions()})) {
		return true, problems
	}
	for _, r := range a.GetRanges() {
		if r.GetType() != osvpb.Range_ECOSYSTEM && r.GetType() != osvpb.Range_SEMVER {
			continue
		}
		if bad := badEventVersion(t, r); bad != "" {
			problems = append(problems, fmt.Sprintf("%s: %s version %q does not parse", id, t.eco.Ecosystem, bad))
			continue
		}
		one := &osvpb.Range{Type: r.GetType(), Events: slices.Clone(r.GetEvents())}
		if note(evaluate(t, id, &osvpb.Affected{Package: pkg, Ranges: []*osvpb.Range{one}})) {
			return true, problems
		}
	}
	return false, problems
}

// badEventVersion returns the first event version of r that does not parse
// in t's ecosystem ("" when all parse).
func badEventVersion(t *target, r *osvpb.Range) string {
	for _, e := range r.GetEvents() {
		v := eventVersion(e)
		if v == "0" && e.GetIntroduced() != "" {
			continue
		}
		if _, err := semantic.Parse(v, string(t.eco.Ecosystem)); err != nil {
			return v
		}
	}
	return ""
}

// eventVersion returns the version an event names.
func eventVersion(e *osvpb.Event) string {
	return cmp.Or(e.GetIntroduced(), e.GetFixed(), e.GetLimit(), e.GetLastAffected())
}

// evaluate asks osv-scalibr whether the single-entry record affects t. A
// panic inside osv-scalibr counts as "not affected"; badEventVersion is
// meant to rule out the known causes.
func evaluate(t *target, id string, a *osvpb.Affected) (ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			ok, err = false, fmt.Errorf("%s: osv-scalibr failed: %v", id, r)
		}
	}()
	v := &osvpb.Vulnerability{Id: id, Affected: []*osvpb.Affected{a}}
	return len(osvlocal.VulnerabilitiesAffectingPackage([]*osvpb.Vulnerability{v}, t.pkg)) > 0, nil
}

// fixedVersions returns the fixed events of an entry's ECOSYSTEM and SEMVER
// ranges (GIT ranges fix commits, not versions).
func fixedVersions(a *osvpb.Affected) []string {
	var out []string
	for _, r := range a.GetRanges() {
		if r.GetType() != osvpb.Range_ECOSYSTEM && r.GetType() != osvpb.Range_SEMVER {
			continue
		}
		for _, e := range r.GetEvents() {
			if f := e.GetFixed(); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// sortVersions deduplicates versions and sorts them in eco's order; those
// that do not parse come last, in string order. The result is never nil.
func sortVersions(eco string, versions []string) []string {
	type parsed struct {
		s string
		v semantic.Version
	}
	ps := make([]parsed, 0, len(versions))
	for _, s := range versions {
		v, err := semantic.Parse(s, eco)
		if err != nil {
			v = nil
		}
		ps = append(ps, parsed{s, v})
	}
	slices.SortStableFunc(ps, func(a, b parsed) int {
		switch {
		case a.v == nil && b.v == nil:
			return cmp.Compare(a.s, b.s)
		case a.v == nil:
			return 1
		case b.v == nil:
			return -1
		}
		c, err := a.v.Compare(b.v)
		if err != nil || c == 0 {
			return cmp.Compare(a.s, b.s)
		}
		return c
	})
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if !slices.Contains(out, p.s) {
			out = append(out, p.s)
		}
	}
	return out
}
