package vuln

import (
	"encoding/json"
	"strings"
	"testing"

	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/sbom"
)

// FuzzDecodeRecord decodes arbitrary record bytes and matches the record
// against an arbitrary package and against the packages it names. Nothing
// may panic, and osv-scalibr must never be reached with input that makes it
// panic (evaluate recovers, but that would hide a missed validation).
func FuzzDecodeRecord(f *testing.F) {
	seeds := []struct{ eco, id, pkgEco, name, version string }{
		{"npm", "GHSA-35jh-r3h4-6jhm", "npm", "lodash", "4.17.15"},
		{"npm", "GHSA-r683-j2x4-v87g", "npm", "node-fetch", "2.6.0"},
		{"npm", "GHSA-9pgh-qqpf-7wqj", "npm", "@xmldom/xmldom", "0.9.0-beta.1"},
		{"Maven", "GHSA-gwrp-pvrq-jmwv", "Maven", "commons-io:commons-io", "2.6"},
		{"Maven", "GHSA-5mg8-w23w-74h3", "Maven", "com.google.guava:guava", "31.1-jre"},
		{"PyPI", "PYSEC-2021-333", "PyPI", "sqlparse", "0.4.1"},
		{"PyPI", "PYSEC-2025-183", "PyPI", "PyJWT", "2.10.1"},
		{"Go", "GO-2025-3553", "Go", "github.com/golang-jwt/jwt", "3.2.0+incompatible"},
		{"Go", "GO-2026-5026", "Go", "stdlib", "1.26.0"},
		{"crates.io", "RUSTSEC-2020-0071", "crates.io", "time", "0.2.22"},
	}
	for _, s := range seeds {
		f.Add(realRecord(f, s.eco, s.id), s.pkgEco, s.name, s.version)
	}
	f.Add([]byte(`{"id":"X","published":"2021-01-01 00:00:00","affected":[{"package":{"ecosystem":"Debian:12","name":"a"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:2.0-1"}]}]}]}`), "Debian:12", "a", "1.0-1")
	f.Fuzz(func(t *testing.T, data []byte, eco, name, version string) {
		var h head
		_ = json.Unmarshal(data, &h) // the pre-scan's decoding must not panic either
		v, err := DecodeRecord(data)
		if err != nil {
			return
		}
		keys := []sbom.Key{{Ecosystem: eco, Name: name, Version: version}}
		for _, a := range v.GetAffected() {
			keys = append(keys, sbom.Key{Ecosystem: a.GetPackage().GetEcosystem(), Name: a.GetPackage().GetName(), Version: version})
			for _, r := range a.GetRanges() {
				for _, ev := range r.GetEvents() {
					keys = append(keys, sbom.Key{Ecosystem: a.GetPackage().GetEcosystem(), Name: a.GetPackage().GetName(), Version: eventVersion(ev)})
				}
			}
		}
		for _, k := range keys {
			fuzzMatch(t, v, k)
		}
	})
}

// fuzzMatch runs the matcher for one package over one record.
func fuzzMatch(t *testing.T, v *osvpb.Vulnerability, k sbom.Key) {
	tg, err := newTarget(k)
	if err != nil {
		return
	}
	hits, problems := matchTarget(tg, []*osvpb.Vulnerability{v})
	for _, p := range problems {
		if strings.Contains(p, "osv-scalibr failed") {
			t.Errorf("%s@%s: %s", k.Name, k.Version, p)
		}
	}
	advs := mergeHits(string(tg.eco.Ecosystem), hits)
	findings([]sbom.Package{{Ecosystem: k.Ecosystem, Name: k.Name, Version: k.Version}}, advs)
}
