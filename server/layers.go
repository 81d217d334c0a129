package server

import (
	"cmp"
	"slices"

	"github.com/fnaudit/fnaudit/reports"
)

// layerFixView is a layer fix with links to the functions it fixes.
type layerFixView struct {
	reports.LayerFix
	Links []link
}

func layerFixViews(fixes []reports.LayerFix) []layerFixView {
	var out []layerFixView
	for _, f := range fixes {
		v := layerFixView{LayerFix: f}
		for _, fn := range f.Functions {
			v.Links = append(v.Links, link{fn.Application + " / " + fn.Function, functionURL(fn.Application, fn.Function, 0)})
		}
		out = append(out, v)
	}
	return out
}

// layerKey identifies a vulnerable package in one layer digest.
type layerKey struct{ sha256, ecosystem, name, version string }

// mergeLayerFixes joins the layer fixes of the entries ls: one per layer
// digest and package, with the union of their advisories and functions,
// most functions fixed first.
func mergeLayerFixes(ls []loaded) []reports.LayerFix {
	byKey := map[layerKey]*reports.LayerFix{}
	var order []layerKey
	for _, l := range ls {
		for _, f := range l.Report.LayerFixes {
			k := layerKey{f.ArtifactSHA256, f.Ecosystem, f.Package, f.Version}
			m, ok := byKey[k]
			if !ok {
				c := f
				c.Advisories, c.Unfixed, c.Functions = nil, nil, nil
				m = &c
				byKey[k] = m
				order = append(order, k)
			}
			m.Advisories = union(m.Advisories, f.Advisories)
			m.Unfixed = union(m.Unfixed, f.Unfixed)
			m.Functions = unionFunctions(m.Functions, f.Functions)
		}
	}
	out := make([]reports.LayerFix, 0, len(order))
	for _, k := range order {
		f := *byKey[k]
		apps := map[string]bool{}
		for _, fn := range f.Functions {
			apps[fn.Application] = true
		}
		f.Applications = len(apps)
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b reports.LayerFix) int {
		return cmp.Or(-cmp.Compare(len(a.Functions), len(b.Functions)), cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.Package, b.Package))
	})
	return out
}

func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

func unionFunctions(a, b []reports.LayerFunction) []reports.LayerFunction {
	out := slices.Concat(a, b)
	slices.SortFunc(out, func(x, y reports.LayerFunction) int {
		return cmp.Or(cmp.Compare(x.Application, y.Application), cmp.Compare(x.Function, y.Function))
	})
	return slices.Compact(out)
}
