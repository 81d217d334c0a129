package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/fnaudit/fnaudit/sbom"
)

// The properties reports/cyclonedx writes on every package component, read
// back by a rescan (see docs/store.md: what must round-trip).
const (
	propEcosystem = "fnaudit:ecosystem"
	propArtifact  = "fnaudit:artifact"
	propLocation  = "fnaudit:location"
	propShadowed  = "fnaudit:shadowed"
	propEvidence  = "fnaudit:evidence"
)

// cdxDocument is the part of a stored CycloneDX document a rescan reads:
// the components. Decoding only these (and stopping after them) is several
// times faster than the whole cyclonedx-go model, which matters for
// thousands of documents.
type cdxDocument struct {
	Components []cdxComponent `json:"components"`
}

type cdxComponent struct {
	Type       string         `json:"type"`
	Group      string         `json:"group"`
	Name       string         `json:"name"`
	Version    string         `json:"version"`
	PURL       string         `json:"purl"`
	Properties []cdxProperty  `json:"properties"`
	Components []cdxComponent `json:"components"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// packagesFromSBOM reads back the packages of a function's stored CycloneDX
// document (reports/cyclonedx.FunctionBOM): every library component with an
// fnaudit:ecosystem property, with its artifact, location and shadowed
// mark, in package order.
func packagesFromSBOM(doc []byte) ([]sbom.Package, error) {
	var d cdxDocument
	if err := decodeComponents(doc, &d.Components); err != nil {
		return nil, fmt.Errorf("decoding the stored SBOM: %w", err)
	}
	var out []sbom.Package
	var walk func([]cdxComponent) error
	walk = func(cs []cdxComponent) error {
		for _, c := range cs {
			if p, ok, err := packageOf(c); err != nil {
				return err
			} else if ok {
				out = append(out, p)
			}
			if err := walk(c.Components); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(d.Components); err != nil {
		return nil, err
	}
	sbom.Sort(out)
	return out, nil
}

// decodeComponents decodes the top-level "components" of a JSON document
// and stops there: what follows it (dependencies, compositions,
// vulnerabilities: most of the bytes) is not even scanned.
func decodeComponents(doc []byte, dst *[]cdxComponent) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("not a JSON object")
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		if key == "components" {
			return dec.Decode(dst)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// packageOf turns a component into a package; ok is false for components
// that are not packages (the function's artifacts).
func packageOf(c cdxComponent) (p sbom.Package, ok bool, err error) {
	if c.Type != "library" {
		return p, false, nil
	}
	for _, prop := range c.Properties {
		switch prop.Name {
		case propEcosystem:
			p.Ecosystem = prop.Value
		case propArtifact:
			p.Artifact = prop.Value
		case propLocation:
			p.Location = prop.Value
		case propShadowed:
			p.Shadowed = prop.Value == "true"
		case propEvidence:
			p.Evidence = prop.Value
		}
	}
	if p.Ecosystem == "" {
		return p, false, nil
	}
	p.Name, err = joinName(p.Ecosystem, c.Group, c.Name)
	p.Version, p.PURL = c.Version, c.PURL
	return p, err == nil, err
}

// joinName undoes reports/cyclonedx's split of a package name into group
// and name: an npm scope ("@types" + "node") and a Maven group ("org.x" +
// "y" → "org.x:y").
func joinName(ecosystem, group, name string) (string, error) {
	switch {
	case group == "":
		return name, nil
	case ecosystem == "npm" && strings.HasPrefix(group, "@"):
		return group + "/" + name, nil
	case ecosystem == "Maven":
		return group + ":" + name, nil
	}
	return "", fmt.Errorf("stored SBOM: %s component %s has a group (%s) fnaudit does not write", ecosystem, name, group)
}
