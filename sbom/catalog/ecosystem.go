package catalog

import (
	"path"
	"strings"

	"github.com/anchore/syft/syft/linux"
	"github.com/anchore/syft/syft/pkg"
)

// osvIdentity names a syft package the way OSV does: ecosystem, package name
// and version. It returns an empty ecosystem for packages OSV does not cover
// (binaries found by classifiers, GitHub Actions, ...) and for first-party
// code (a Go binary's own main module).
func osvIdentity(p pkg.Package, distro *linux.Release) (eco, name, version string) {
	name, version = p.Name, p.Version
	switch p.Type {
	case pkg.NpmPkg:
		return "npm", name, version
	case pkg.PythonPkg:
		return "PyPI", name, version
	case pkg.GoModulePkg:
		return goIdentity(p)
	case pkg.JavaPkg, pkg.JenkinsPluginPkg:
		return "Maven", mavenName(p), version
	case pkg.RustPkg:
		return "crates.io", name, version
	case pkg.GemPkg:
		return "RubyGems", name, version
	case pkg.DotnetPkg:
		if dotnetProject(p) {
			return "", "", ""
		}
		return "NuGet", name, version
	case pkg.PhpComposerPkg:
		return "Packagist", name, version
	case pkg.HexPkg:
		return "Hex", name, version
	case pkg.DartPubPkg:
		return "Pub", name, version
	case pkg.CondaPkg:
		return "", "", ""
	case pkg.DebPkg:
		return debIdentity(p, distro)
	case pkg.ApkPkg:
		return apkIdentity(p, distro)
	}
	return "", "", ""
}

func goIdentity(p pkg.Package) (string, string, string) {
	if m, ok := p.Metadata.(pkg.GolangBinaryBuildinfoEntry); ok && m.MainModule == p.Name {
		return "", "", "" // the binary's own module: first-party code
	}
	name := p.Name
	if name == "stdlib" || strings.HasPrefix(p.PURL, "pkg:golang/stdlib@") {
		name = "stdlib"
	}
	v := strings.TrimPrefix(p.Version, "v")
	if v == "" || v == "(devel)" || strings.EqualFold(v, "unknown") {
		return "", "", ""
	}
	return "Go", name, strings.TrimPrefix(v, "go")
}

// mavenName is "group:artifact" from the jar's pom.properties, else from the
// package URL syft derived from the manifest.
func mavenName(p pkg.Package) string {
	if m, ok := p.Metadata.(pkg.JavaArchive); ok && m.PomProperties != nil &&
		m.PomProperties.GroupID != "" && m.PomProperties.ArtifactID != "" {
		return m.PomProperties.GroupID + ":" + m.PomProperties.ArtifactID
	}
	// pkg:maven/<group>/<artifact>@<version>
	rest, ok := strings.CutPrefix(p.PURL, "pkg:maven/")
	if !ok {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "@")
	group, artifact, ok := strings.Cut(rest, "/")
	if !ok || group == "" || artifact == "" {
		return ""
	}
	return group + ":" + artifact
}

// debIdentity keys a Debian package by its source package, as OSV's Debian
// records do, with the distribution's major release: "Debian:12".
func debIdentity(p pkg.Package, distro *linux.Release) (string, string, string) {
	eco := distroEcosystem(distro)
	if eco == "" {
		return "", "", ""
	}
	name, version := p.Name, p.Version
	if m, ok := p.Metadata.(pkg.DpkgDBEntry); ok {
		if m.Source != "" {
			name = m.Source
		}
		if m.SourceVersion != "" {
			version = m.SourceVersion
		}
	}
	return eco, name, version
}

// apkIdentity keys an Alpine package by its origin package: "Alpine:v3.19".
func apkIdentity(p pkg.Package, distro *linux.Release) (string, string, string) {
	eco := distroEcosystem(distro)
	if eco == "" {
		return "", "", ""
	}
	name := p.Name
	if m, ok := p.Metadata.(pkg.ApkDBEntry); ok && m.OriginPackage != "" {
		name = m.OriginPackage
	}
	return eco, name, p.Version
}

// distroEcosystem names the OSV ecosystem of an OS release: Debian:12,
// Ubuntu:22.04, Alpine:v3.19.
func distroEcosystem(d *linux.Release) string {
	if d == nil {
		return ""
	}
	switch d.ID {
	case "debian":
		major, _, _ := strings.Cut(d.VersionID, ".")
		if major == "" {
			return ""
		}
		return "Debian:" + major
	case "ubuntu":
		if d.VersionID == "" {
			return ""
		}
		return "Ubuntu:" + d.VersionID
	case "alpine":
		parts := strings.SplitN(d.VersionID, ".", 3)
		if len(parts) < 2 {
			return ""
		}
		return "Alpine:v" + parts[0] + "." + parts[1]
	}
	return ""
}

// dotnetProject says whether a deps.json entry is the function's own project
// (first-party code): the project a deps.json is named after
// ("OrdersFn.deps.json" describes project "OrdersFn"), which, unlike NuGet
// packages, has no package hash.
func dotnetProject(p pkg.Package) bool {
	m, ok := p.Metadata.(pkg.DotnetDepsEntry)
	if !ok || m.Sha512 != "" {
		return false
	}
	for _, l := range p.Locations.ToSlice() {
		base := path.Base(l.RealPath)
		if strings.EqualFold(strings.TrimSuffix(base, ".deps.json"), p.Name) {
			return true
		}
	}
	return false
}
