package audit

import (
	"cmp"
	"maps"
	"slices"

	"github.com/google/osv-scalibr/semantic"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

// layerKey identifies a vulnerable package inside one layer digest.
type layerKey struct {
	sha256, ecosystem, name, version string
}

// layerAgg collects what is known of one layerKey.
type layerAgg struct {
	layer      string              // the layer's name where first seen
	advisories map[string][]string // ID → versions that fix it
	functions  map[reports.LayerFunction]bool
}

// AttributeLayerFixes sets LayerFixes on each report: for every vulnerable
// package that comes from a layer, the layer to rebuild, the lowest version
// that fixes all its advisories, and the functions that rebuild fixes.
// Those are the functions of rs with a finding for the package in that
// layer digest, and others: functions of applications not in rs that run
// the same layer digest (from a store's newest entries; nil without one).
// Fixed findings of a rescan are not counted.
func AttributeLayerFixes(rs []*reports.Report, others []store.LayerUse) {
	aggs := map[layerKey]*layerAgg{}
	perReport := make([][]layerKey, len(rs))
	inRun := map[string]bool{}
	for i, r := range rs {
		inRun[r.Application.Name] = true
		perReport[i] = collectLayerFindings(r, aggs)
	}
	byDigest := map[string][]reports.LayerFunction{}
	for _, u := range others {
		if !inRun[u.Application] {
			byDigest[u.SHA256] = append(byDigest[u.SHA256], reports.LayerFunction{Application: u.Application, Function: u.Function})
		}
	}
	for i, r := range rs {
		r.LayerFixes = nil
		for _, k := range perReport[i] {
			r.LayerFixes = append(r.LayerFixes, layerFix(k, aggs[k], byDigest[k.sha256]))
		}
		slices.SortFunc(r.LayerFixes, compareLayerFixes)
	}
}

// LayerDigests lists the digests of the layers the findings of rs come
// from: what to ask a store's LayerUses about.
func LayerDigests(rs []*reports.Report) []string {
	set := map[string]bool{}
	for _, r := range rs {
		for _, k := range collectLayerFindings(r, map[layerKey]*layerAgg{}) {
			if k.sha256 != "" {
				set[k.sha256] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// collectLayerFindings adds the layer findings of r to aggs and returns the
// keys r has, in first-seen order.
func collectLayerFindings(r *reports.Report, aggs map[layerKey]*layerAgg) []layerKey {
	var keys []layerKey
	seen := map[layerKey]bool{}
	for fi := range r.Functions {
		fn := &r.Functions[fi]
		for _, f := range fn.Findings {
			layer, ok := layerOf(fn, f.Artifact)
			if !ok || f.Change == reports.ChangeFixed {
				continue
			}
			k := layerKey{layer.SHA256, f.Ecosystem, f.Package, f.Version}
			a := aggs[k]
			if a == nil {
				a = &layerAgg{layer: layer.Name, advisories: map[string][]string{}, functions: map[reports.LayerFunction]bool{}}
				aggs[k] = a
			}
			a.advisories[f.ID] = f.Fixed
			a.functions[reports.LayerFunction{Application: r.Application.Name, Function: fn.Name}] = true
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// layerOf returns the layer artifact of fn called name.
func layerOf(fn *reports.Function, name string) (bundle.Artifact, bool) {
	for _, a := range fn.Artifacts {
		if a.Name == name && a.Role == bundle.RoleLayer {
			return a, true
		}
	}
	return bundle.Artifact{}, false
}

// layerFix builds the report entry of one key.
func layerFix(k layerKey, a *layerAgg, others []reports.LayerFunction) reports.LayerFix {
	fix := reports.LayerFix{Layer: a.layer, ArtifactSHA256: k.sha256, Ecosystem: k.ecosystem,
		Package: k.name, Version: k.version, Advisories: slices.Sorted(maps.Keys(a.advisories))}
	fns := maps.Clone(a.functions)
	for _, f := range others {
		fns[f] = true
	}
	fix.Functions = slices.SortedFunc(maps.Keys(fns), func(x, y reports.LayerFunction) int {
		return cmp.Or(cmp.Compare(x.Application, y.Application), cmp.Compare(x.Function, y.Function))
	})
	apps := map[string]bool{}
	for _, f := range fix.Functions {
		apps[f.Application] = true
	}
	fix.Applications = len(apps)
	fix.Fixed, fix.Unfixed = lowestFix(k, a.advisories, fix.Advisories)
	return fix
}

// lowestFix returns the lowest version that fixes every advisory: for each,
// the lowest of its fixed versions above the installed one; the highest of
// those. Advisories with no such version are listed as unfixed, and then
// there is no fixing version.
func lowestFix(k layerKey, advisories map[string][]string, ids []string) (string, []string) {
	best := ""
	var unfixed []string
	for _, id := range ids {
		v := firstAbove(k.ecosystem, k.version, advisories[id])
		switch {
		case v == "":
			unfixed = append(unfixed, id)
		case best == "" || compareVersions(k.ecosystem, v, best) > 0:
			best = v
		}
	}
	if len(unfixed) > 0 {
		return "", unfixed
	}
	return best, nil
}

// firstAbove returns the lowest of versions above installed ("" if none).
func firstAbove(eco, installed string, versions []string) string {
	out := ""
	for _, v := range versions {
		if compareVersions(eco, v, installed) > 0 && (out == "" || compareVersions(eco, v, out) < 0) {
			out = v
		}
	}
	return out
}

// compareVersions orders versions the ecosystem's way (osv-scalibr's
// semantic package); versions it cannot parse are compared as text.
func compareVersions(eco, a, b string) int {
	if v, err := semantic.Parse(a, eco); err == nil {
		if c, err := v.CompareStr(b); err == nil {
			return c
		}
	}
	return cmp.Compare(a, b)
}

// compareLayerFixes puts the fixes that help most functions first.
func compareLayerFixes(a, b reports.LayerFix) int {
	return cmp.Or(-cmp.Compare(len(a.Functions), len(b.Functions)), cmp.Compare(a.Layer, b.Layer),
		cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.Package, b.Package),
		cmp.Compare(a.Version, b.Version), cmp.Compare(a.ArtifactSHA256, b.ArtifactSHA256))
}
