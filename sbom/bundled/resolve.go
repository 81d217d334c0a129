package bundled

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/sbom"
)

// lockfile returns the lockfile that pins versions: one shipped at the
// artifact's root, else the one the hints lead to; nil when there is none
// or it cannot be read (a warning says why).
func (s *scan) lockfile(h Hints) *lockfile {
	for _, n := range lockNames {
		data, err := s.t.read(n)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				s.warnf("%s: %v", n, err)
			}
			continue
		}
		l, err := parseLockfile(n, n, data)
		if err != nil {
			s.warnf("%s: %v", n, err)
			continue
		}
		return l
	}
	p := h.Lockfile()
	if p == "" {
		return nil
	}
	l, err := readLockfile(p)
	if err != nil {
		s.warnf("lockfile %s: %v", p, err)
		return nil
	}
	return l
}

// group is the evidence for one package at one install path.
type group struct {
	occs []occurrence
}

// best is the occurrence with the best name evidence (then the first
// location in path order).
func (g *group) best() occurrence {
	return slices.MinFunc(g.occs, func(a, b occurrence) int {
		return cmp.Or(cmp.Compare(rankOf(a.kind), rankOf(b.kind)), cmp.Compare(a.location, b.location))
	})
}

// inline returns the version evidence found with the names, best kind
// first (package.json, path, banner); ok is false when the evidence of
// the best kind disagrees.
func (g *group) inline() (version, kind string, ok bool) {
	for _, k := range []string{evPackageJSON, evPath, evBanner} {
		var vs []string
		for _, o := range g.occs {
			if o.vkind == k && o.version != "" && !slices.Contains(vs, o.version) {
				vs = append(vs, o.version)
			}
		}
		switch len(vs) {
		case 0:
			continue
		case 1:
			return vs[0], k, true
		default:
			return "", k, false
		}
	}
	return "", "", true
}

// result turns the evidence into packages.
func (s *scan) result(l *lockfile) Result {
	s.gaps()
	if l != nil {
		s.notes = append(s.notes, "versions from lockfile "+l.file)
	}
	var pkgs []sbom.Package
	if len(s.sboms) > 0 {
		pkgs = s.sbomPackages(l)
	} else {
		pkgs = s.evidencePackages(l)
	}
	pkgs = dedupe(pkgs)
	slices.Sort(s.warnings)
	return Result{Packages: pkgs, Warnings: slices.Compact(s.warnings), Notes: s.notes}
}

// sbomPackages lists the SBOM's packages; a lockfile pins those it gives
// no version.
func (s *scan) sbomPackages(l *lockfile) []sbom.Package {
	loc := s.sboms[0]
	var out []sbom.Package
	var unpinned []string
	for _, e := range s.sbom {
		p := newPackage(e.name, e.version, loc, evSBOM)
		if e.version == "" {
			if le, ok := lookupName(l, e.name); ok {
				p = newPackage(e.name, le, loc, evSBOM+"+"+evLockfile)
			} else {
				unpinned = append(unpinned, e.name)
			}
		}
		out = append(out, p)
	}
	s.unpinnedWarning(l, unpinned)
	return out
}

func lookupName(l *lockfile, name string) (string, bool) {
	if l == nil {
		return "", false
	}
	e, ok, _ := l.lookup(nodeRef{name: name})
	return e.version, ok
}

// evidencePackages groups the occurrences by package and install path
// and pins each group's version.
func (s *scan) evidencePackages(l *lockfile) []sbom.Package {
	groups := s.groups()
	var out []sbom.Package
	var unpinned []string
	for _, g := range groups {
		p, why := s.pin(g, l)
		if p.Version == "" {
			if why != "" {
				s.warnf("%s", why)
			} else {
				unpinned = append(unpinned, p.Name)
			}
		}
		out = append(out, p)
	}
	s.unpinnedWarning(l, unpinned)
	return out
}

// groups gathers occurrences by name and install path (see attachMode),
// in name and path order.
func (s *scan) groups() []*group {
	gs := groupSet{byKey: map[string]*group{}}
	var later []occurrence
	for _, o := range s.occs {
		if o.attach == attachPath {
			gs.add(o.ref.name+"\x00"+o.ref.path, o)
		} else {
			later = append(later, o)
		}
	}
	uninventoried := s.uninventoried()
	for _, o := range later {
		exact := o.ref.name + "\x00" + o.ref.path
		same := gs.named(o)
		switch {
		case o.attach == attachName && gs.byKey[exact] != nil:
			gs.add(exact, o)
		case len(same) == 1:
			gs.add(same[0], o)
		case len(same) == 0 && (o.attach == attachName || uninventoried):
			gs.add(exact, o)
		}
	}
	slices.Sort(gs.keys)
	out := make([]*group, len(gs.keys))
	for i, k := range gs.keys {
		out[i] = gs.byKey[k]
	}
	return out
}

// groupSet is the groups being built, by key.
type groupSet struct {
	byKey map[string]*group
	keys  []string
}

func (gs *groupSet) add(k string, o occurrence) {
	if gs.byKey[k] == nil {
		gs.byKey[k] = &group{}
		gs.keys = append(gs.keys, k)
	}
	gs.byKey[k].occs = append(gs.byKey[k].occs, o)
}

// named returns the keys of the groups of o's package: same name, or for a
// loose banner a name it matches ("Moment.js" is moment).
func (gs *groupSet) named(o occurrence) []string {
	var out []string
	for _, k := range gs.keys {
		name := gs.byKey[k].occs[0].ref.name
		if name == o.ref.name || o.attach == attachLoose && matchesPackage(o.ref.name, name) {
			out = append(out, k)
		}
	}
	return out
}

// uninventoried says whether some bundle file has no map, metafile or
// stats describing it.
func (s *scan) uninventoried() bool {
	return slices.ContainsFunc(s.bundles, func(b string) bool {
		return !s.covered[b] && !s.describedByBuild(b)
	})
}

// pin builds a group's package: its version from the evidence inlined in
// the bundle, else from the lockfile. why explains a version left unknown
// for a reason other than a missing lockfile.
func (s *scan) pin(g *group, l *lockfile) (p sbom.Package, why string) {
	b := g.best()
	name := b.ref.name
	version, vkind, agree := g.inline()
	if !agree {
		return newPackage(name, "", b.location, b.kind),
			fmt.Sprintf("%s: the bundle gives several versions of %s (%s evidence disagrees)", b.location, name, vkind)
	}
	if l != nil {
		e, ok, reason := l.lookup(b.ref)
		switch {
		case ok && version == "":
			return newPackage(e.name, e.version, b.location, b.kind+"+"+evLockfile), ""
		case ok && e.version != version:
			s.notes = append(s.notes, fmt.Sprintf("%s: %s pins %s@%s, the bundle carries %s (%s): using the bundle's",
				b.location, l.file, e.name, e.version, version, vkind))
		case !ok && version == "":
			return newPackage(name, "", b.location, b.kind), reason
		}
	}
	if version == "" {
		return newPackage(name, "", b.location, b.kind), ""
	}
	ev := b.kind
	if vkind != b.kind {
		ev += "+" + vkind
	}
	return newPackage(name, version, b.location, ev), ""
}

// unpinnedWarning says why packages have no version when no lockfile was
// found.
func (s *scan) unpinnedWarning(l *lockfile, names []string) {
	if len(names) == 0 || l != nil {
		return
	}
	slices.Sort(names)
	names = slices.Compact(names)
	s.warnf("no lockfile (%s) in the artifact or beside the manifest pins the versions of %d bundled package(s)",
		strings.Join(lockNames, ", "), len(names))
}

func newPackage(name, version, location, evidence string) sbom.Package {
	return sbom.Package{
		Ecosystem: "npm", Name: name, Version: version, PURL: purl(name, version),
		Location: filepath.ToSlash(location), Evidence: evidence,
	}
}

// dedupe keeps one package per (name, version): the one with the best
// evidence, then the first location. The result is sorted.
func dedupe(pkgs []sbom.Package) []sbom.Package {
	slices.SortStableFunc(pkgs, func(a, b sbom.Package) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version),
			cmp.Compare(evidenceRank(a.Evidence), evidenceRank(b.Evidence)), cmp.Compare(a.Location, b.Location))
	})
	pkgs = slices.CompactFunc(pkgs, func(a, b sbom.Package) bool { return a.Key() == b.Key() })
	sbom.Sort(pkgs)
	return pkgs
}

// evidenceRank ranks an Evidence string by its name evidence.
func evidenceRank(ev string) int {
	kind, _, _ := strings.Cut(ev, "+")
	return rankOf(kind)
}
