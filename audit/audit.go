package audit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"time"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/bundle/image"
	"github.com/fnaudit/fnaudit/bundle/loaders"
	"github.com/fnaudit/fnaudit/bundle/unpack"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/sbom/catalog"
	"github.com/fnaudit/fnaudit/vuln"
)

// Config is everything a run needs besides the path to audit.
type Config struct {
	// DBDir is the OSV database directory.
	DBDir string
	// Workspace holds everything the run unpacks. When nil, Run makes one
	// under the system temp dir and removes it before returning.
	Workspace *unpack.Workspace
	// Limits bound the unpacking of each zip or folder artifact.
	Limits unpack.Limits
	// ImageLimits bound the flattening of each container image.
	ImageLimits unpack.Limits
	// Policy decides the gate.
	Policy reports.Policy
	// Jobs is how many artifacts are unpacked and catalogued at once.
	Jobs int
	// CacheDir keeps catalogues across runs, by artifact digest ("": off).
	CacheDir string
	// AllowNetwork lets the run pull the images a manifest names from their
	// registries. An image named on the command line (registry:REF) is
	// pulled whatever this says.
	AllowNetwork bool
	// MaxDBAge, when positive, is how long ago the advisory archives the
	// run consults may have been updated (see vuln.DB.Updated): an older
	// one is a database warning, and fails the run with ErrStaleDatabase
	// when the policy gates (--fail-on above none, or a policy file).
	MaxDBAge time.Duration
	// Progress, when set, is told as artifacts are catalogued.
	Progress Progress
	// ToolVersion is fnaudit's version, written into reports.
	ToolVersion string
	// Logger receives progress and diagnostics.
	Logger *slog.Logger
}

// DefaultConfig returns the defaults the CLI starts from.
func DefaultConfig() Config {
	return Config{
		Limits:      unpack.DefaultLimits(),
		ImageLimits: image.DefaultLimits(),
		Policy:      reports.Policy{FailOn: reports.LevelNone},
		Jobs:        runtime.GOMAXPROCS(0),
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// Run audits the deployment at path.
func Run(ctx context.Context, cfg Config, path string) (*reports.Report, error) {
	if cfg.Logger == nil {
		cfg.Logger = DefaultConfig().Logger
	}
	// syft's licence scanner takes a second or two to build: start it now,
	// while the manifest is read and the artifacts are hashed and unpacked.
	go catalog.Prepare()
	app, err := bundle.Load(ctx, path, loaders.All())
	if err != nil {
		return nil, err
	}
	dbOpts := []vuln.Option{vuln.WithLogger(cfg.Logger)}
	if cfg.CacheDir != "" {
		dbOpts = append(dbOpts, vuln.WithIndexCache(filepath.Join(cfg.CacheDir, "osv-index")))
	}
	db, err := vuln.Open(ctx, cfg.DBDir, dbOpts...)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ws := cfg.Workspace
	if ws == nil {
		if ws, err = unpack.NewWorkspace(""); err != nil {
			return nil, fmt.Errorf("creating the run's temp dir: %w", err)
		}
		defer ws.Close()
	}
	arts, err := catalogArtifacts(ctx, cfg, ws, app)
	if err != nil {
		return nil, err
	}
	r := &reports.Report{
		Schema:      reports.SchemaV1,
		Tool:        reports.Tool{Name: "fnaudit", Version: cfg.ToolVersion},
		Application: reports.Application{Name: app.Name, Kind: app.Kind, Manifest: app.Manifest, Warnings: app.Warnings},
	}
	warnings := map[string]bool{}
	for _, fn := range app.Functions {
		f, warns, err := auditFunction(ctx, db, fn, arts)
		if err != nil {
			return nil, err
		}
		warns = append(warns, settleBundled(cfg.Policy, fn, arts, &f)...)
		for _, w := range warns {
			warnings[w] = true
		}
		r.Functions = append(r.Functions, f)
	}
	if err := checkStale(db, cfg, warnings); err != nil {
		return nil, err
	}
	r.Database = reports.Database{Ecosystems: db.Ecosystems(), Warnings: sortedKeys(warnings)}
	reports.Assess(r, cfg.Policy)
	return r, nil
}

// auditFunction assembles one function's report entry from its catalogued
// artifacts and matches its packages.
func auditFunction(ctx context.Context, db *vuln.DB, fn *bundle.Function, arts *artifactSet) (reports.Function, []string, error) {
	f := reports.Function{
		Name:             fn.Name,
		Runtime:          fn.Runtime,
		Handler:          fn.Handler,
		PackageType:      fn.PackageType,
		Source:           fn.Source,
		Status:           reports.StatusOK,
		Triggers:         fn.Triggers,
		Exposure:         fn.Exposure(),
		Privilege:        fn.Role.Privilege,
		PrivilegeReasons: fn.Role.Reasons,
	}
	if f.Privilege == "" {
		f.Privilege = bundle.PrivilegeUnknown
	}
	if len(fn.Artifacts) == 0 {
		f.Status = reports.StatusIncomplete
		f.Errors = append(f.Errors, fmt.Sprintf("%s: the manifest names no code for function %s", fn.Source.File, fn.Name))
	}
	var parts []layered
	declared := map[string]map[string]string{}
	for _, a := range fn.Artifacts {
		res := arts.result(a)
		declared[key(a)] = res.declared
		a.SHA256 = res.sha256
		f.Artifacts = append(f.Artifacts, a)
		if len(res.errors) > 0 {
			f.Status = reports.StatusIncomplete
			f.Errors = append(f.Errors, res.errors...)
		}
		pkgs := make([]sbom.Package, len(res.packages))
		for i, p := range res.packages {
			p.Artifact = a.Name
			pkgs[i] = p
		}
		parts = append(parts, layered{artifact: a, packages: pkgs})
	}
	if unbuilt := unbuiltSource(parts, declared); len(unbuilt) > 0 {
		f.Status = reports.StatusIncomplete
		f.Errors = append(f.Errors, unbuilt...)
	}
	markShadowed(parts, fn.Handler)
	var live []sbom.Package
	for _, part := range parts {
		f.Packages = append(f.Packages, part.packages...)
		for _, p := range part.packages {
			if !p.Shadowed && !unpinnedBundled(p) {
				live = append(live, p)
			}
		}
	}
	sbom.Sort(f.Packages)
	findings, warns, err := db.Match(ctx, live)
	if err != nil {
		return f, nil, fmt.Errorf("matching %s: %w", fn.Name, err)
	}
	for _, v := range findings {
		f.Findings = append(f.Findings, reports.Finding{Finding: v})
	}
	return f, warningStrings(warns), nil
}
