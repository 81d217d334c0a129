package vuln

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	cdxmeta "github.com/google/osv-scalibr/extractor/filesystem/sbom/cdx/metadata"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/inventory/osvecosystem"
	"github.com/google/osv-scalibr/purl"
	"github.com/google/osv-scalibr/semantic"
	"github.com/ossf/osv-schema/bindings/go/osvconstants"

	"github.com/fnaudit/fnaudit/sbom"
)

// pep503Separators is the run of separators PEP 503 folds into one "-".
var pep503Separators = regexp.MustCompile(`[-_.]+`)

// languagePURLTypes maps the OSV ecosystems whose osv-scalibr ecosystem is
// derived from the package URL type alone.
var languagePURLTypes = map[osvconstants.Ecosystem]string{
	osvconstants.EcosystemNPM:         purl.TypeNPM,
	osvconstants.EcosystemPyPI:        purl.TypePyPi,
	osvconstants.EcosystemGo:          purl.TypeGolang,
	osvconstants.EcosystemMaven:       purl.TypeMaven,
	osvconstants.EcosystemCratesIO:    purl.TypeCargo,
	osvconstants.EcosystemRubyGems:    purl.TypeGem,
	osvconstants.EcosystemNuGet:       purl.TypeNuget,
	osvconstants.EcosystemPackagist:   purl.TypeComposer,
	osvconstants.EcosystemPub:         purl.TypePub,
	osvconstants.EcosystemHex:         purl.TypeHex,
	osvconstants.EcosystemHackage:     purl.TypeHackage,
	osvconstants.EcosystemCRAN:        purl.TypeCran,
	osvconstants.EcosystemConanCenter: purl.TypeConan,
	osvconstants.EcosystemSwiftURL:    purl.TypeSwift,
	osvconstants.EcosystemJulia:       purl.TypeJulia,
}

// errUnsupported marks a package whose ecosystem fnaudit cannot evaluate.
var errUnsupported = errors.New("unsupported ecosystem")

// normaliseName returns the name under which OSV records and packages of the
// ecosystem are compared: PEP 503 for PyPI (records and installed metadata
// spell "PyYAML", "pyyaml", "Jinja2"), the name itself elsewhere.
func normaliseName(eco osvconstants.Ecosystem, name string) string {
	if eco == osvconstants.EcosystemPyPI {
		return strings.ToLower(pep503Separators.ReplaceAllLiteralString(name, "-"))
	}
	return name
}

// target is one distinct package (ecosystem, name, version) prepared for
// osv-scalibr.
type target struct {
	key  sbom.Key
	eco  osvecosystem.Parsed
	name string // normalised name (see normaliseName)
	pkg  *extractor.Package
}

// newTarget validates p and builds the osv-scalibr package for it.
func newTarget(k sbom.Key) (*target, error) {
	eco, err := osvecosystem.Parse(k.Ecosystem)
	if err != nil || eco.IsEmpty() {
		return nil, fmt.Errorf("%w %q", errUnsupported, k.Ecosystem)
	}
	if k.Name == "" || k.Version == "" {
		return nil, errors.New("no name or version")
	}
	if _, err := semantic.Parse(k.Version, string(eco.Ecosystem)); err != nil {
		if errors.Is(err, semantic.ErrUnsupportedEcosystem) {
			return nil, fmt.Errorf("%w %q", errUnsupported, k.Ecosystem)
		}
		return nil, fmt.Errorf("version %q: %w", k.Version, err)
	}
	t := &target{key: k, eco: eco, name: normaliseName(eco.Ecosystem, k.Name)}
	t.pkg, err = extractorPackage(eco, t.name, k.Version)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// extractorPackage builds the osv-scalibr package whose ecosystem and name,
// as osv-scalibr derives them (extractor.Package.Ecosystem and the
// vulnmatch name rules), are eco and name.
//
// The package URL is given through CycloneDX metadata with an empty
// namespace: osv-scalibr otherwise rebuilds the URL from the name and
// lower-cases the namespace (Go, Packagist), after which a mixed-case module
// path such as github.com/BurntSushi/toml no longer matches its own records
// (see TestScalibrMixedCaseGoName).
func extractorPackage(eco osvecosystem.Parsed, name, version string) (*extractor.Package, error) {
	p, err := packageURL(eco, name, version)
	if err != nil {
		return nil, err
	}
	xp := &extractor.Package{
		Name:     name,
		Version:  version,
		PURLType: p.Type,
		Metadata: &cdxmeta.Metadata{PURL: p},
	}
	if got := xp.Ecosystem(); got.Ecosystem != eco.Ecosystem {
		return nil, fmt.Errorf("%w %q", errUnsupported, eco.String())
	}
	return xp, nil
}

// packageURL returns the package URL osv-scalibr needs to derive eco.
func packageURL(eco osvecosystem.Parsed, name, version string) (*purl.PackageURL, error) {
	if t, ok := languagePURLTypes[eco.Ecosystem]; ok {
		return &purl.PackageURL{Type: t, Name: name, Version: version}, nil
	}
	p := &purl.PackageURL{Name: name, Version: version}
	switch eco.Ecosystem {
	case osvconstants.EcosystemDebian, osvconstants.EcosystemUbuntu:
		p.Type, p.Namespace = purl.TypeDebian, strings.ToLower(string(eco.Ecosystem))
	case osvconstants.EcosystemAlpine:
		p.Type, p.Namespace = purl.TypeApk, "alpine"
	default:
		return nil, fmt.Errorf("%w %q", errUnsupported, eco.String())
	}
	if eco.Suffix != "" {
		p.Qualifiers = purl.QualifiersFromMap(map[string]string{"distro": p.Namespace + "-" + eco.Suffix})
	}
	return p, nil
}
