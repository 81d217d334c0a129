package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"runtime"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/store"
	"github.com/fnaudit/fnaudit/vuln"
)

// RescanConfig is everything a rescan needs besides the store.
type RescanConfig struct {
	// DBDir is the (current) OSV database directory.
	DBDir string
	// Policy decides the gate, as for a scan; only new findings can fail it.
	Policy reports.Policy
	// Query selects the applications (by name, by labels) whose newest
	// matching entry is rescanned.
	Query store.Query
	// Jobs is how many applications are re-matched at once.
	Jobs int
	// ToolVersion is fnaudit's version, written into reports.
	ToolVersion string
	// Logger receives diagnostics.
	Logger *slog.Logger
}

// DefaultRescanConfig returns the defaults the CLI starts from.
func DefaultRescanConfig() RescanConfig {
	return RescanConfig{
		Policy: reports.Policy{FailOn: reports.LevelNone},
		Jobs:   runtime.GOMAXPROCS(0),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// RescanResult is what a rescan found, one report per application.
type RescanResult struct {
	// Reports are by application name; every finding has a change.
	Reports []*reports.Report
	// Bases are the entries re-matched, by index of Reports.
	Bases []store.Entry
	// ExitCode is 1 when a report's gate failed on a new finding, else 3
	// when a stored scan was incomplete, else 0.
	ExitCode int
	// documents refer, by index of Reports and of their functions, to the
	// SBOM documents of the bases, for RecordRescan.
	documents [][]store.Document
}

// ErrNothingStored is returned by Rescan when no stored entry matches.
var ErrNothingStored = errors.New("no stored scan matches")

// Rescan re-matches the stored SBOMs of the newest entry of each
// application cfg.Query selects against the database in cfg.DBDir, without
// unpacking anything: each finding is marked new, unchanged or fixed
// against the entry's findings (docs/store.md), and layer fixes are
// attributed across applications through st. Nothing is recorded: see
// [RecordRescan].
func Rescan(ctx context.Context, cfg RescanConfig, st store.Store) (*RescanResult, error) {
	if cfg.Logger == nil {
		cfg.Logger = DefaultRescanConfig().Logger
	}
	bases, err := st.Latest(ctx, cfg.Query)
	if err != nil {
		return nil, err
	}
	if len(bases) == 0 {
		return nil, fmt.Errorf("%w %s", ErrNothingStored, describeQuery(cfg.Query))
	}
	db, err := vuln.Open(ctx, cfg.DBDir, vuln.WithLogger(cfg.Logger))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	res := &RescanResult{Reports: make([]*reports.Report, len(bases)), Bases: bases, documents: make([][]store.Document, len(bases))}
	apps := make([]storedApp, len(bases))
	if err := forEach(ctx, cfg.Jobs, len(bases), func(ctx context.Context, i int) (err error) {
		apps[i], err = loadApp(ctx, st, bases[i])
		return err
	}); err != nil {
		return nil, err
	}
	matches, warnings, err := matchDistinct(ctx, db, apps)
	if err != nil {
		return nil, err
	}
	if err := forEach(ctx, cfg.Jobs, len(bases), func(ctx context.Context, i int) (err error) {
		res.Reports[i], res.documents[i], err = rebuild(ctx, cfg, st, db, bases[i], apps[i], matches, warnings)
		return err
	}); err != nil {
		return nil, err
	}
	uses, err := st.LayerUses(ctx, LayerDigests(res.Reports))
	if err != nil {
		return nil, err
	}
	AttributeLayerFixes(res.Reports, uses)
	res.ExitCode = combinedExit(res.Reports)
	return res, nil
}

// RecordRescan saves each report of res as a rescan entry of its base, with
// the base's labels and SBOM documents, one transaction per application.
func RecordRescan(ctx context.Context, st store.Store, res *RescanResult) ([]store.Entry, error) {
	var out []store.Entry
	for i, r := range res.Reports {
		e, err := st.Save(ctx, store.Record{Kind: store.KindRescan, Base: res.Bases[i].ID, Report: r,
			Documents: res.documents[i], Labels: res.Bases[i].Labels})
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

// describeQuery says which entries a query asked for.
func describeQuery(q store.Query) string {
	s := "for any application"
	if q.Application != "" {
		s = "for application " + q.Application
	}
	if len(q.Labels) > 0 {
		s += fmt.Sprintf(" with labels %v", q.Labels)
	}
	return s + ": run `fnaudit scan --store` first"
}

// combinedExit is the exit code of a rescan of several applications: a
// failed gate first, then an incomplete one.
func combinedExit(rs []*reports.Report) int {
	codes := make([]int, len(rs))
	for i, r := range rs {
		codes[i] = r.Summary.Gate.ExitCode
	}
	switch {
	case slices.Contains(codes, reports.ExitFailed):
		return reports.ExitFailed
	case slices.Contains(codes, reports.ExitIncomplete):
		return reports.ExitIncomplete
	}
	return reports.ExitPassed
}

// forEach runs fn for 0..n-1, at most jobs at a time.
func forEach(ctx context.Context, jobs, n int, fn func(context.Context, int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(jobs, 1))
	for i := range n {
		g.Go(func() error { return fn(gctx, i) })
	}
	return g.Wait()
}

// storedApp is one stored entry's functions with their packages read back.
type storedApp struct {
	fns  []store.Function
	pkgs [][]sbom.Package
}

// loadApp reads the functions of base and their packages.
func loadApp(ctx context.Context, st store.Store, base store.Entry) (storedApp, error) {
	fns, err := st.Functions(ctx, base.ID)
	if err != nil {
		return storedApp{}, err
	}
	a := storedApp{fns: fns, pkgs: make([][]sbom.Package, len(fns))}
	for i, fn := range fns {
		if a.pkgs[i], err = packagesFromSBOM(fn.SBOM); err != nil {
			return a, fmt.Errorf("%s, function %s (entry %d): %w", base.Application, fn.Name, base.ID, err)
		}
		a.fns[i].SBOM = nil // read: let it go
	}
	return a, nil
}

// rebuild makes the report of one stored entry from the matches.
func rebuild(ctx context.Context, cfg RescanConfig, st store.Store, db *vuln.DB, base store.Entry, app storedApp,
	matches map[sbom.Key][]vuln.Finding, warnings []vuln.Warning) (*reports.Report, []store.Document, error) {
	r := &reports.Report{
		Schema:      reports.SchemaV1,
		Tool:        reports.Tool{Name: "fnaudit", Version: cfg.ToolVersion},
		Database:    reports.Database{Ecosystems: db.Ecosystems(), Warnings: warningsFor(app, warnings)},
		Application: reports.Application{Name: base.Application, Kind: base.AppKind, Manifest: base.Manifest, Warnings: base.AppWarnings},
		Rescan:      &reports.RescanOf{Entry: base.ID, Kind: string(base.Kind), RecordedAt: base.RecordedAt},
	}
	fixed := map[string][]reports.Finding{}
	digests := map[string][]string{}
	for i, fn := range app.fns {
		f := rebuildFunction(fn, app.pkgs[i], matches)
		fixed[f.Name] = append(fixed[f.Name], markChanges(f.Findings, fn.Findings)...)
		digests[f.Name] = append(digests[f.Name], fn.SBOMDigest)
		r.Functions = append(r.Functions, f)
	}
	if err := completeFixed(ctx, st, base, fixed); err != nil {
		return nil, nil, err
	}
	reports.Assess(r, cfg.Policy)
	r.Summary.Gate = rescanGate(r, cfg.Policy)
	docs := make([]store.Document, len(r.Functions))
	for i := range r.Functions {
		fn := &r.Functions[i]
		fn.Findings = append(fn.Findings, fixed[fn.Name]...)
		fixed[fn.Name] = nil
		docs[i] = store.Document{SHA256: digests[fn.Name][0]}
		digests[fn.Name] = digests[fn.Name][1:]
	}
	r.Summary.Changes = countChanges(r)
	r.Normalize()
	return r, docs, nil
}

// completeFixed replaces the stored summaries of fixed findings (by
// function name) with the whole findings of the base's report: a fixed
// finding is listed as it was reported.
func completeFixed(ctx context.Context, st store.Store, base store.Entry, fixed map[string][]reports.Finding) error {
	if !slices.ContainsFunc(slices.Collect(maps.Values(fixed)), func(fs []reports.Finding) bool { return len(fs) > 0 }) {
		return nil
	}
	r, err := st.Report(ctx, base.ID)
	if err != nil {
		return err
	}
	for _, fn := range r.Functions {
		for i, f := range fixed[fn.Name] {
			for _, whole := range fn.Findings {
				if occurrenceOf(whole) == occurrenceOf(f) && whole.ID == f.ID {
					whole.Change = reports.ChangeFixed
					fixed[fn.Name][i] = whole
					break
				}
			}
		}
	}
	return nil
}

// warningsFor keeps the matching warnings about the ecosystems app has
// packages in (and those about no ecosystem).
func warningsFor(app storedApp, warnings []vuln.Warning) []string {
	ecos := map[string]bool{"": true}
	for _, list := range app.pkgs {
		for _, p := range list {
			ecos[p.Ecosystem] = true
		}
	}
	var out []string
	for _, w := range warnings {
		if ecos[w.Ecosystem] {
			out = append(out, w.String())
		}
	}
	return out
}

// rebuildFunction is a stored function with its packages read back from its
// SBOM and its findings matched anew (not yet rated).
func rebuildFunction(fn store.Function, pkgs []sbom.Package, matches map[sbom.Key][]vuln.Finding) reports.Function {
	f := fn.Function
	f.Packages, f.Findings, f.Risk = pkgs, nil, reports.FunctionRisk{}
	f.Artifacts = slices.Clone(f.Artifacts)
	for _, p := range pkgs {
		if p.Shadowed {
			continue
		}
		for _, m := range matches[p.Key()] {
			m.Artifact, m.Location = p.Artifact, p.Location
			m.Aliases, m.Fixed, m.References = slices.Clone(m.Aliases), slices.Clone(m.Fixed), slices.Clone(m.References)
			f.Findings = append(f.Findings, reports.Finding{Finding: m})
		}
	}
	return f
}

// matchDistinct matches each distinct package of apps once (a shared
// layer's packages appear in many functions, the same versions in many
// applications) and returns the findings by package; their Artifact and
// Location are the caller's to set per occurrence, as vuln.DB.Match would
// for each. Warnings are about the whole rescan (a count of packages not
// checked counts those of every application).
func matchDistinct(ctx context.Context, db *vuln.DB, apps []storedApp) (map[sbom.Key][]vuln.Finding, []vuln.Warning, error) {
	seen := map[sbom.Key]bool{}
	var distinct []sbom.Package
	for _, app := range apps {
		for _, list := range app.pkgs {
			for _, p := range list {
				if k := p.Key(); !p.Shadowed && !unpinnedBundled(p) && !seen[k] {
					seen[k] = true
					distinct = append(distinct, sbom.Package{Ecosystem: k.Ecosystem, Name: k.Name, Version: k.Version, PURL: p.PURL})
				}
			}
		}
	}
	found, warns, err := db.Match(ctx, distinct)
	if err != nil {
		return nil, nil, fmt.Errorf("matching: %w", err)
	}
	out := map[sbom.Key][]vuln.Finding{}
	for _, f := range found {
		k := sbom.Key{Ecosystem: f.Ecosystem, Name: f.Package, Version: f.Version}
		out[k] = append(out[k], f)
	}
	return out, warns, nil
}
