package bundled

import (
	"bytes"
	"errors"
	"slices"
)

// sbomEntry is a package a build-time SBOM lists.
type sbomEntry struct {
	name, version string
}

// cdxDocument is the part of a CycloneDX JSON document (1.2 to 1.6)
// fnaudit reads: components, nested ones included, with their package URL.
type cdxDocument struct {
	BOMFormat  string         `json:"bomFormat"`
	Components []cdxComponent `json:"components"`
}

type cdxComponent struct {
	Name       string         `json:"name"`
	Group      string         `json:"group"`
	Version    string         `json:"version"`
	PURL       string         `json:"purl"`
	Scope      string         `json:"scope"`
	Components []cdxComponent `json:"components"`
	Properties []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"properties"`
}

// spdxDocument is the part of an SPDX 2.x JSON document fnaudit reads.
type spdxDocument struct {
	SPDXVersion       string   `json:"spdxVersion"`
	DocumentDescribes []string `json:"documentDescribes"`
	Packages          []struct {
		SPDXID       string `json:"SPDXID"`
		VersionInfo  string `json:"versionInfo"`
		ExternalRefs []struct {
			ReferenceType    string `json:"referenceType"`
			ReferenceLocator string `json:"referenceLocator"`
		} `json:"externalRefs"`
	} `json:"packages"`
	Relationships []struct {
		Element string `json:"spdxElementId"`
		Type    string `json:"relationshipType"`
		Related string `json:"relatedSpdxElement"`
	} `json:"relationships"`
}

var errNotSBOM = errors.New("not a CycloneDX or SPDX JSON document")

// isSBOM says whether the start of a JSON file is a CycloneDX or SPDX
// document.
func isSBOM(head []byte) bool {
	return bytes.Contains(head, []byte(`"bomFormat"`)) && bytes.Contains(head, []byte(`CycloneDX`)) ||
		bytes.Contains(head, []byte(`"spdxVersion"`))
}

// parseSBOM lists the npm packages of a CycloneDX or SPDX JSON document,
// without the development-only ones (CycloneDX scope "excluded" or npm's
// cdx:npm:package:development property; SPDX packages that are only
// DEV_/BUILD_/TEST_ dependencies or tools) and without the document's
// subject (the function itself). Other package types are ignored: the
// installed-package cataloguer covers them.
func parseSBOM(data []byte) ([]sbomEntry, error) {
	var probe struct {
		BOMFormat   string `json:"bomFormat"`
		SPDXVersion string `json:"spdxVersion"`
	}
	if err := decodeBounded(data, maxDepthSBOM, &probe); err != nil {
		return nil, err
	}
	switch {
	case probe.BOMFormat == "CycloneDX":
		var d cdxDocument
		if err := decodeBounded(data, maxDepthSBOM, &d); err != nil {
			return nil, err
		}
		var out []sbomEntry
		for _, c := range d.Components {
			out = c.collect(out, 0)
		}
		return out, nil
	case probe.SPDXVersion != "":
		var d spdxDocument
		if err := decodeBounded(data, maxDepthSBOM, &d); err != nil {
			return nil, err
		}
		return d.entries(), nil
	}
	return nil, errNotSBOM
}

func (c cdxComponent) collect(out []sbomEntry, depth int) []sbomEntry {
	if c.Scope == "excluded" || c.development() {
		return out
	}
	if name, version, ok := parsePURL(c.PURL); ok {
		if version == "" {
			version = c.Version
		}
		out = append(out, sbomEntry{name: name, version: cleanVersion(version)})
	}
	if depth < 16 {
		for _, n := range c.Components {
			out = n.collect(out, depth+1)
		}
	}
	return out
}

func (c cdxComponent) development() bool {
	for _, p := range c.Properties {
		if p.Name == "cdx:npm:package:development" && p.Value == "true" {
			return true
		}
	}
	return false
}

// SPDX relationship types (SPDX 2.3 section 11.1) that make one package
// part of what ships with another: "A DEPENDENCY_OF B" (A ships inside B)
// and "A DEPENDS_ON B" (B ships inside A). Development, build, test and
// provided dependencies do not ship.
var (
	spdxShippedOf = []string{"DEPENDENCY_OF", "RUNTIME_DEPENDENCY_OF", "OPTIONAL_DEPENDENCY_OF", "CONTAINED_BY"}
	spdxShips     = []string{"DEPENDS_ON", "CONTAINS"}
)

// entries lists the packages reachable from the document's subject
// through shipped dependencies. A document without dependency
// relationships lists every package but its subject.
func (d spdxDocument) entries() []sbomEntry {
	subject := map[string]bool{}
	for _, id := range d.DocumentDescribes {
		subject[id] = true
	}
	children := map[string][]string{}
	for _, r := range d.Relationships {
		switch {
		case r.Type == "DESCRIBES" && r.Element == "SPDXRef-DOCUMENT":
			subject[r.Related] = true
		case slices.Contains(spdxShippedOf, r.Type):
			children[r.Related] = append(children[r.Related], r.Element)
		case slices.Contains(spdxShips, r.Type):
			children[r.Element] = append(children[r.Element], r.Related)
		}
	}
	shipped := reachable(subject, children)
	var out []sbomEntry
	for _, p := range d.Packages {
		if subject[p.SPDXID] || len(children) > 0 && !shipped[p.SPDXID] {
			continue
		}
		for _, ref := range p.ExternalRefs {
			if ref.ReferenceType != "purl" {
				continue
			}
			if name, version, ok := parsePURL(ref.ReferenceLocator); ok {
				if version == "" {
					version = p.VersionInfo
				}
				out = append(out, sbomEntry{name: name, version: cleanVersion(version)})
				break
			}
		}
	}
	return out
}

// reachable returns the elements reachable from roots through children.
func reachable(roots map[string]bool, children map[string][]string) map[string]bool {
	seen := map[string]bool{}
	var queue []string
	for r := range roots {
		queue = append(queue, r)
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, c := range children[id] {
			if !seen[c] {
				seen[c] = true
				queue = append(queue, c)
			}
		}
	}
	return seen
}
