package bundled

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// occurrence is one piece of evidence that a package is bundled.
type occurrence struct {
	ref      nodeRef // name and install path (path "" when unknown)
	kind     string  // name evidence (evSourcemap, ...)
	location string  // the artifact file holding the evidence
	// version and vkind are a version found with the name (a banner, an
	// inlined package.json, a pnpm store path), "" when none.
	version, vkind string
	// attach says how the occurrence joins the others of its package.
	attach attachMode
}

// attachMode says how an occurrence joins the evidence of its package.
type attachMode int

const (
	// attachPath: by name and install path (maps, metafiles, stats,
	// module comments).
	attachPath attachMode = iota
	// attachName: esbuild's licence list names a file by its path after
	// the last node_modules/, which loses nesting and pnpm's store: it
	// joins the only package of its name, or stands alone when the name
	// is found nowhere else.
	attachName
	// attachLoose: a banner that names no file (an inline legal comment):
	// it joins the only package its name matches, or stands alone only
	// where nothing else lists the bundle's packages (it may be
	// first-party code, or a part of another package).
	attachLoose
)

// scan is one Recover run over an artifact.
type scan struct {
	t        *tree
	occs     []occurrence
	sbom     []sbomEntry
	sboms    []string        // SBOM files read
	mapsRead map[string]bool // maps parsed, by path
	covered  map[string]bool // files a parsed map says it describes
	outputs  []string        // outputs metafiles and stats name
	bundles  []string        // files showing bundled code, in path order
	// selfDescribed are bundle files that start with their own banner (a
	// vendored library's dist file): the banner is their inventory.
	selfDescribed map[string]bool
	warnings      []string
	notes         []string
}

func newScan(t *tree) *scan {
	return &scan{t: t, mapsRead: map[string]bool{}, covered: map[string]bool{}, selfDescribed: map[string]bool{}}
}

func (s *scan) warnf(format string, args ...any) {
	s.warnings = append(s.warnings, fmt.Sprintf(format, args...))
}

// run reads the artifact's evidence: SBOMs first (when one is found it is
// the inventory and nothing else is read), then metafiles, stats and
// maps, then the bundles and licence files.
func (s *scan) run(ctx context.Context) error {
	if s.t.truncated {
		s.warnf("the artifact holds over %d files or %d candidates: only the first were examined", maxEntries, maxCandidates)
	}
	if err := s.each(ctx, kindJSON, s.readJSON); err != nil {
		return err
	}
	if len(s.sboms) > 0 {
		s.notes = append(s.notes, fmt.Sprintf("build SBOM %s lists the bundled packages: maps, metafiles and comments not read", strings.Join(s.sboms, ", ")))
		return nil
	}
	// Maps before bundles: a bundle whose map was read is described.
	steps := []struct {
		kind fileKind
		read func(string) error
	}{{kindMap, s.readMapFile}, {kindJS, s.readBundle}, {kindLicense, s.readLicense}}
	for _, st := range steps {
		if err := s.each(ctx, st.kind, st.read); err != nil {
			return err
		}
	}
	return nil
}

// each calls fn on every candidate of kind k; fn's error is a warning
// naming the file, not a failure of the run.
func (s *scan) each(ctx context.Context, k fileKind, fn func(string) error) error {
	for _, c := range s.t.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.kind != k {
			continue
		}
		if err := fn(c.rel); err != nil {
			s.warnf("%s: %v", c.rel, err)
		}
	}
	return nil
}

// jsonKind is what a JSON file of the artifact is.
type jsonKind int

const (
	jsonOther jsonKind = iota
	jsonSBOM
	jsonMetafile
	jsonStats
)

// metafileHead matches the start of an esbuild metafile, which writes
// "inputs" first.
var metafileHead = regexp.MustCompile(`^\s*\{\s*"inputs"\s*:`)

// jsonKindOf classifies a JSON file by its start (and, for webpack
// stats, whose keys come in any order, also by its name).
func jsonKindOf(rel string, head []byte) jsonKind {
	base := strings.ToLower(path.Base(rel))
	switch {
	case isSBOM(head):
		return jsonSBOM
	case metafileHead.Match(head):
		return jsonMetafile
	case strings.Contains(base, "stats") && bytes.Contains(head, []byte(`"modules"`)) ||
		bytes.Contains(head, []byte(`"modules"`)) && bytes.Contains(head, []byte(`"chunks"`)):
		return jsonStats
	case strings.Contains(base, "meta") && bytes.Contains(head, []byte(`"inputs"`)) && bytes.Contains(head, []byte(`"outputs"`)):
		return jsonMetafile
	}
	return jsonOther
}

func (s *scan) readJSON(rel string) error {
	head, _, err := s.t.sniff(rel)
	if err != nil {
		return err
	}
	kind := jsonKindOf(rel, head)
	if kind == jsonOther {
		return nil
	}
	data, err := s.t.read(rel)
	if err != nil {
		return err
	}
	switch kind {
	case jsonSBOM:
		entries, err := parseSBOM(data)
		if err != nil {
			return err
		}
		s.sbom = append(s.sbom, entries...)
		s.sboms = append(s.sboms, rel)
	case jsonMetafile:
		rec, err := parseMetafile(data)
		if err != nil {
			return err
		}
		s.addRecord(rel, evMetafile, rec)
	case jsonStats:
		rec, err := parseStats(data)
		if err != nil {
			return err
		}
		s.addRecord(rel, evStats, rec)
	}
	return nil
}

// addRecord takes the packages of a metafile's or stats file's inputs.
func (s *scan) addRecord(rel, kind string, rec buildRecord) {
	for _, in := range rec.inputs {
		if ref, ok := parseNodePath(in); ok {
			s.add(occurrence{ref: ref, kind: kind, location: rel})
		}
	}
	s.outputs = append(s.outputs, rec.outputs...)
}

// add records an occurrence, with the version a pnpm store path gives.
func (s *scan) add(o occurrence) {
	if o.version == "" && o.ref.version != "" {
		o.version, o.vkind = o.ref.version, evPath
	}
	s.occs = append(s.occs, o)
}

func (s *scan) readMapFile(rel string) error {
	if s.mapsRead[rel] {
		return nil
	}
	data, err := s.t.read(rel)
	if err != nil {
		return err
	}
	return s.takeMap(rel, strings.TrimSuffix(rel, path.Ext(rel)), data)
}

// takeMap takes the packages of a parsed map that describes bundle
// (the map's own "file" too).
func (s *scan) takeMap(rel, bundle string, data []byte) error {
	file, sources, err := parseSourceMap(data)
	if err != nil {
		return err
	}
	s.mapsRead[rel] = true
	s.covered[bundle] = true
	if file != "" && !strings.Contains(file, ":") {
		s.covered[path.Join(path.Dir(rel), file)] = true
	}
	for _, src := range sources {
		ref, ok := parseNodePath(src.path)
		if !ok {
			continue
		}
		o := occurrence{ref: ref, kind: evSourcemap, location: rel}
		o.version, o.vkind = contentVersion(ref, src)
		s.add(o)
	}
	return nil
}

// maxContentSniff is how much of a source's inlined content is searched
// for its package's banner.
const maxContentSniff = 8 << 10

// contentVersion reads the version of ref's package from a source's
// inlined content: the package's own package.json, or the licence banner
// at the top of one of its files, when it names the package.
func contentVersion(ref nodeRef, src mapSource) (version, kind string) {
	if src.content == "" {
		return "", ""
	}
	if strings.HasSuffix(src.path, ref.name+"/package.json") && len(src.content) <= 1<<20 {
		var pj struct{ Name, Version string }
		if decodeBounded([]byte(src.content), maxDepthMap, &pj) == nil && pj.Name == ref.name {
			if v := cleanVersion(pj.Version); v != "" {
				return v, evPackageJSON
			}
		}
		return "", ""
	}
	head := src.content[:min(len(src.content), maxContentSniff)]
	for _, c := range legalComments([]byte(head)) {
		if b, ok := parseBanner(c); ok && b.version != "" && matchesPackage(b.name, ref.name) {
			return b.version, evBanner
		}
	}
	return "", ""
}

// readBundle reads a JavaScript file: whether it shows bundled code, the
// map it links to (inline or a file of the artifact), esbuild's module
// comments and its legal comments.
func (s *scan) readBundle(rel string) error {
	data, err := s.t.read(rel)
	if errors.Is(err, errTooLarge) {
		head, tail, serr := s.t.sniff(rel)
		if serr == nil && (bundleSign(head, maxFileBytes) || mapCommentSign(tail)) {
			s.bundles = append(s.bundles, rel)
		}
		return err
	}
	if err != nil {
		return err
	}
	if isBundle(data) {
		s.bundles = append(s.bundles, rel)
		if startsWithBanner(data) {
			s.selfDescribed[rel] = true
		}
	}
	s.linkedMap(rel, data)
	for _, p := range moduleComments(data) {
		if ref, ok := parseNodePath(p); ok {
			s.add(occurrence{ref: ref, kind: evComment, location: rel})
		}
	}
	s.takeBanners(rel, data)
	return nil
}

// linkedMap reads the map a bundle's sourceMappingURL names: inline, or a
// file of the artifact not read yet. A map it names outside the artifact
// is never opened.
func (s *scan) linkedMap(rel string, data []byte) {
	u, err := mapURL(data)
	if err != nil {
		return
	}
	inline, isData, err := inlineMap(u)
	switch {
	case isData && err != nil:
		s.warnf("%s: inline source map: %v", rel, err)
	case isData:
		if err := s.takeMap(rel, rel, inline); err != nil {
			s.warnf("%s: inline source map: %v", rel, err)
		}
	default:
		mp, ok := resolveMapURL(rel, u)
		switch {
		case !ok:
			s.notes = append(s.notes, fmt.Sprintf("%s: source map %q is outside the artifact: not read", rel, u))
		case s.mapsRead[mp]:
			s.covered[rel] = true
		case s.t.has(mp) && !strings.HasSuffix(mp, ".map"):
			data, err := s.t.read(mp)
			if err == nil {
				err = s.takeMap(mp, rel, data)
			}
			if err != nil {
				s.warnf("%s: %v", mp, err)
			}
		}
	}
}

// takeBanners records the legal comments of a bundle or licence file that
// name a package.
func (s *scan) takeBanners(rel string, data []byte) {
	for _, b := range findBanners(data) {
		if b.refOK {
			s.add(occurrence{ref: b.ref, kind: evBanner, location: rel, version: b.version, vkind: vkindOf(b.version), attach: attachName})
			continue
		}
		if name, ok := bannerPackage(b); ok {
			s.add(occurrence{ref: nodeRef{name: name}, kind: evBanner, location: rel, version: b.version, vkind: evBanner, attach: attachLoose})
		}
	}
}

func (s *scan) readLicense(rel string) error {
	data, err := s.t.read(rel)
	if err != nil {
		return err
	}
	s.takeBanners(rel, data)
	return nil
}

func vkindOf(version string) string {
	if version == "" {
		return ""
	}
	return evBanner
}

// describedByBuild says whether a metafile's or stats file's outputs name
// the bundle file rel.
func (s *scan) describedByBuild(rel string) bool {
	return slices.ContainsFunc(s.outputs, func(o string) bool {
		o = strings.TrimPrefix(strings.ReplaceAll(o, `\`, "/"), "./")
		return o == rel || strings.HasSuffix(o, "/"+rel) || path.Base(o) == path.Base(rel)
	})
}

// gaps warns of each bundle file nothing inventories.
func (s *scan) gaps() {
	if len(s.sboms) > 0 {
		return
	}
	for _, b := range s.bundles {
		if s.covered[b] || s.selfDescribed[b] || s.describedByBuild(b) {
			continue
		}
		s.warnf("%s: bundled code without a source map, esbuild metafile, webpack stats or build SBOM: "+
			"the packages in it cannot all be listed", b)
	}
}
