package audit

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/sbom/bundled"
)

// setBundleHints tells every code job where the application's build left
// its lockfile: found once per run, walking up from the manifest's folder
// (CDK's cdk.out, SAM's .aws-sam/build, .serverless, or the folder of a
// lone zip). The lockfile's digest joins the cache key of code artifacts,
// since versions recovered from a bundle depend on it.
func setBundleHints(cfg Config, app *bundle.Application, jobs []*job) {
	if !slices.ContainsFunc(jobs, func(j *job) bool { return j.role == bundle.RoleCode }) {
		return // images only: nothing is bundled JavaScript
	}
	hints := bundled.Hints{Dirs: []string{filepath.Dir(app.Manifest)}}
	lock := hints.Lockfile()
	sum := ""
	if lock != "" {
		var err error
		if sum, err = fileSHA256(lock); err != nil {
			cfg.Logger.Warn("hashing the lockfile", "file", lock, "err", err)
			lock = ""
		}
	}
	for _, j := range jobs {
		if j.role == bundle.RoleCode {
			j.hints, j.lockSum = bundled.Hints{LockFile: lock}, sum
		}
	}
}

// recoverBundled lists the packages bundled in an unpacked code artifact
// (sbom/bundled) when it holds bundled JavaScript, and records in j.res
// what keeps that list incomplete; the policy decides what that makes of
// the function (see settleBundled). A package the cataloguer found
// installed at the same version (an external a build SBOM also lists) is
// not listed twice.
func recoverBundled(ctx context.Context, cfg Config, j *job, dir string, installed []sbom.Package) ([]sbom.Package, error) {
	if j.role != bundle.RoleCode || !bundled.Detect(dir) {
		return nil, nil
	}
	res, err := bundled.Recover(ctx, dir, j.hints)
	if err != nil {
		return nil, fmt.Errorf("%s: recovering bundled packages: %w", j.path, err)
	}
	for _, n := range res.Notes {
		cfg.Logger.Info("bundled code", "artifact", j.path, "note", n)
	}
	j.res.bundled = res.Warnings
	return slices.DeleteFunc(res.Packages, func(p sbom.Package) bool {
		return slices.ContainsFunc(installed, func(i sbom.Package) bool { return i.Key() == p.Key() })
	}), nil
}

// unpinnedBundled says whether p was recovered from bundled code without
// a version: it is listed, never matched.
func unpinnedBundled(p sbom.Package) bool { return p.Evidence != "" && p.Version == "" }

// settleBundled applies the policy to what keeps a function's bundled code
// from being fully audited (its code artifacts' recovery warnings and its
// packages with no known version). By default (bundled_unknown_versions:
// fail) they are errors of the function, which becomes incomplete (exit
// 3); with warn they are returned as warnings of the report, naming the
// function. A bundle is never called clean by silence.
func settleBundled(p reports.Policy, fn *bundle.Function, arts *artifactSet, f *reports.Function) []string {
	var msgs []string
	for _, a := range fn.Artifacts {
		if a.Role == bundle.RoleCode {
			for _, w := range arts.result(a).bundled {
				msgs = append(msgs, artifactLabel(a)+": "+w)
			}
		}
	}
	var names []string
	for _, pkg := range f.Packages {
		if unpinnedBundled(pkg) && !pkg.Shadowed && !slices.Contains(names, pkg.Name) {
			names = append(names, pkg.Name)
		}
	}
	if len(names) > 0 {
		slices.Sort(names)
		msgs = append(msgs, fmt.Sprintf("bundled packages with no known version, not matched against advisories: %s "+
			"(ship the build's lockfile beside the manifest, a source map or metafile with it, or a build SBOM: see docs/bundled-functions.md)",
			strings.Join(names, ", ")))
	}
	if len(msgs) == 0 {
		return nil
	}
	if p.BundledUnknownVersions == reports.BundledWarn {
		for i, m := range msgs {
			msgs[i] = fmt.Sprintf("function %s: %s", f.Name, m)
		}
		return msgs
	}
	f.Status = reports.StatusIncomplete
	f.Errors = append(f.Errors, msgs...)
	return nil
}
