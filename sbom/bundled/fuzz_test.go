package bundled

import (
	"os"
	"path/filepath"
	"testing"
)

// maxSeedBytes keeps seeds small: the fuzzer minimises every input that
// finds new coverage, which takes minutes for a 100 KiB map.
const maxSeedBytes = 4 << 10

// seedFiles adds the fixture files matching patterns to f: the small ones
// whole, the start of the others when truncate is set (text formats stay
// meaningful cut short; JSON does not).
func seedFiles(f *testing.F, truncate bool, patterns ...string) {
	for _, pat := range patterns {
		files, err := filepath.Glob(pat)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range files {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			switch {
			case len(data) <= maxSeedBytes:
				f.Add(data)
			case truncate:
				f.Add(data[:maxSeedBytes])
			}
		}
	}
}

// FuzzBuildJSON feeds arbitrary bytes to the source map, esbuild metafile,
// webpack stats and SBOM parsers: they must not panic, and what they
// return is bounded by the input (every source, input or entry takes at
// least two bytes) and made only of valid npm names and versions.
//
//	go test ./sbom/bundled -run '^$' -fuzz FuzzBuildJSON -fuzztime 5m -fuzzminimizetime 2s
//
// (-fuzzminimizetime keeps the fuzzer from spending a minute shrinking each
// new input. Go 1.26's coordinator may end a wall-clock run with a bare
// "context deadline exceeded" and no crasher, golang/go#75804: a count
// such as -fuzztime 5000000x avoids it.)
func FuzzBuildJSON(f *testing.F) {
	seedFiles(f, false, "testdata/fixtures/*/*.map", "testdata/fixtures/*/*.json")
	f.Add([]byte(`{"version":3,"sources":["../../node_modules/lodash/get.js","../../node_modules/.pnpm/@a+b@1.0.0_c@2.0.0/node_modules/@a/b/i.js",` +
		`"webpack://app/./node_modules/rc/node_modules/minimist/index.js?x"],"sourcesContent":[null,"//! b\n//! version : 1.0.0",` +
		`"{\"name\":\"minimist\",\"version\":\"1.2.8\"}"],"sourceRoot":"","mappings":"AAAA"}`))
	f.Add([]byte(`{"bomFormat":"CycloneDX","components":[{"purl":"pkg:npm/%40s/p@1.0.0","components":[{"purl":"pkg:npm/q","version":"2.0.0"}]}]}`))
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","documentDescribes":["r"],"packages":[{"SPDXID":"a","externalRefs":[{"referenceType":"purl",` +
		`"referenceLocator":"pkg:npm/a@1.0.0"}]}],"relationships":[{"spdxElementId":"a","relationshipType":"DEPENDENCY_OF","relatedSpdxElement":"r"}]}`))
	f.Add([]byte(`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["node_modules/a/b.js"]}}]}`))
	f.Add([]byte(`{"inputs":{"node_modules/@s/p/x.js":{}},"outputs":{"o.js":{"inputs":{"node_modules/@s/p/x.js":{"bytesInOutput":1}}}}}`))
	f.Add([]byte(`{"modules":[{"name":"./node_modules/x/y.js + 1 modules","modules":[{"name":"./node_modules/z/w.js"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, sources, err := parseSourceMap(data); err == nil {
			if len(sources) > len(data)/2 {
				t.Fatalf("%d sources from %d bytes", len(sources), len(data))
			}
			for _, s := range sources {
				checkRef(t, s.path)
				contentVersion(nodeRef{name: "x"}, s)
			}
		}
		for _, parse := range []func([]byte) (buildRecord, error){parseMetafile, parseStats} {
			rec, err := parse(data)
			if err != nil {
				continue
			}
			if len(rec.inputs)+len(rec.outputs) > len(data)/2 {
				t.Fatalf("%d inputs, %d outputs from %d bytes", len(rec.inputs), len(rec.outputs), len(data))
			}
			for _, in := range rec.inputs {
				checkRef(t, in)
			}
		}
		if entries, err := parseSBOM(data); err == nil {
			for _, e := range entries {
				if !validName(e.name) || e.version != "" && cleanVersion(e.version) != e.version {
					t.Fatalf("SBOM entry %+v", e)
				}
			}
		}
	})
}

// checkRef checks what parseNodePath makes of a path.
func checkRef(t *testing.T, p string) {
	r, ok := parseNodePath(p)
	if !ok {
		return
	}
	if !validName(r.name) || r.version != "" && cleanVersion(r.version) != r.version || len(r.path) > len(p) {
		t.Fatalf("parseNodePath(%q) = %+v", p, r)
	}
}

// FuzzText feeds arbitrary bytes to the text parsers: legal comments,
// sourceMappingURL comments and inline maps, and lockfiles.
//
//	go test ./sbom/bundled -run '^$' -fuzz FuzzText -fuzztime 5m -fuzzminimizetime 2s
func FuzzText(f *testing.F) {
	seedFiles(f, true, "testdata/lockfiles/*/*", "testdata/fixtures/legal*/index.js")
	f.Add([]byte("/*! Bundled license information:\n\nx/y.js:\n  (*! x v1.0.0 *)\n*/\n//! a\n//! version : 1.0.0\n//# sourceMappingURL=data:application/json,%7B%7D"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, b := range findBanners(data) {
			if b.version != "" && cleanVersion(b.version) != b.version || b.refOK && !validName(b.ref.name) {
				t.Fatalf("banner %+v", b)
			}
		}
		if u, err := mapURL(data); err == nil {
			if m, _, err := inlineMap(u); err == nil && len(m) > len(data) {
				t.Fatalf("inline map of %d bytes from %d", len(m), len(data))
			}
			resolveMapURL("dist/index.js", u)
		}
		for _, base := range []string{"package-lock.json", "yarn.lock", "pnpm-lock.yaml"} {
			l, err := parseLockfile(base, base, data)
			if err != nil {
				continue
			}
			for name, vs := range l.byName {
				if !validName(name) || len(vs) == 0 {
					t.Fatalf("%s: %q %v", base, name, vs)
				}
			}
		}
		isBundle(data)
		startsWithBanner(data)
	})
}
