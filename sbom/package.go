package sbom

import (
	"cmp"
	"slices"
)

// Package is one installed third-party package.
type Package struct {
	// Ecosystem is the OSV ecosystem name ("npm", "PyPI", "Go", "Maven",
	// "crates.io", "RubyGems", "NuGet", "Packagist", "Debian:12", ...).
	Ecosystem string `json:"ecosystem"`
	// Name is the package name as OSV keys it ("lodash", "@types/node",
	// "com.fasterxml.jackson.core:jackson-databind", "github.com/x/y", "stdlib").
	Name string `json:"name"`
	// Version is the installed version, without a leading "v" for Go.
	Version string `json:"version"`
	// PURL is the package URL.
	PURL string `json:"purl"`
	// Artifact is the name of the artifact the package came from.
	Artifact string `json:"artifact"`
	// Location is the file, relative to the artifact's root, that proves the
	// package is installed (a package.json, a METADATA file, a jar's
	// pom.properties, a binary). "a.jar!/META-INF/..." steps into an archive.
	Location string `json:"location"`
	// Shadowed is set when the runtime never loads this copy: a layer's
	// package that the function's own code also installs (Node and Python
	// resolve /var/task first), or that a later layer overwrites at the same
	// path. Shadowed packages are listed but not matched.
	Shadowed bool `json:"shadowed,omitempty"`
	// Evidence says how a package recovered from bundled code was found and
	// how its version was pinned ("sourcemap+lockfile", "banner", "sbom");
	// empty for packages installed in the artifact.
	Evidence string `json:"evidence,omitempty"`
}

// Key identifies a package independently of where it was found.
type Key struct {
	Ecosystem, Name, Version string
}

// Key returns the package's identity.
func (p Package) Key() Key { return Key{p.Ecosystem, p.Name, p.Version} }

// Compare orders packages by ecosystem, name, version, artifact, location: the
// order of every fnaudit output.
func Compare(a, b Package) int {
	return cmp.Or(
		cmp.Compare(a.Ecosystem, b.Ecosystem),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Version, b.Version),
		cmp.Compare(a.Artifact, b.Artifact),
		cmp.Compare(a.Location, b.Location),
	)
}

// Sort sorts packages in output order.
func Sort(pkgs []Package) { slices.SortFunc(pkgs, Compare) }
